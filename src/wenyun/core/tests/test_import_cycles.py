"""No two modules of Wenyun import each other (lazy imports inside functions count): a pair that does
is one module in two files, and the first of them to be imported sees the other half-made."""

from __future__ import annotations

import grimp


def _pairs_importing_each_other(graph) -> list[tuple[str, str]]:
    pairs = set()
    for module in graph.modules:
        if ".tests" in module or ".migrations" in module:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if module in graph.find_modules_directly_imported_by(imported) and not (
                imported.startswith(module + ".") or module.startswith(imported + ".")
            ):
                pairs.add(tuple(sorted((module, imported))))
    return sorted(pairs)


def test_no_two_modules_import_each_other():
    graph = grimp.build_graph("wenyun", cache_dir=None)

    assert _pairs_importing_each_other(graph) == []


def test_the_check_finds_a_pair(tmp_path, monkeypatch):
    package = tmp_path / "pair"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert _pairs_importing_each_other(grimp.build_graph("pair", cache_dir=None)) == [("pair.a", "pair.b")]
