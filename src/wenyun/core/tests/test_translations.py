from wenyun.core.management.commands.translations import conflicting, untranslated

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Edit"
msgstr "{edit}"

msgctxt "culture"
msgid "Register"
msgstr "{register}"

msgid "Empty"
msgstr ""
"""


def _app(root, name, *, edit, register):
    folder = root / name / "locale" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(PO.format(edit=edit, register=register), encoding="utf-8")
    return root / name


def test_one_english_string_translated_two_ways_is_named_with_both_apps(tmp_path):
    a = _app(tmp_path, "alpha", edit="编辑", register="报名")
    b = _app(tmp_path, "beta", edit="修改", register="报名")

    problems = conflicting([a, b])

    assert problems == ["'Edit' -> alpha: 编辑; beta: 修改"]


def test_the_same_string_under_another_context_is_no_conflict(tmp_path):
    a = _app(tmp_path, "alpha", edit="编辑", register="报名")
    b = _app(tmp_path, "beta", edit="编辑", register="报名")

    assert conflicting([a, b]) == []


def test_an_empty_translation_is_reported_as_missing(tmp_path):
    a = _app(tmp_path, "alpha", edit="编辑", register="报名")

    assert untranslated(a / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po") == ["Empty"]
