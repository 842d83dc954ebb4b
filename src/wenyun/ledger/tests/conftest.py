from __future__ import annotations

import datetime as dt
import json

import pytest

from wenyun.ledger import services

# Small valid files, made in code: the magic bytes the upload check looks for, then some content.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shipped(county):
    """The standards shipped with Wenyun, loaded as `wenyun manage ledger_load --shipped` does."""
    return {
        path.stem: services.standard_load_file(actor=None, path=path) for path in services.standard_files()
    }


def standard_file(*indicators: dict, code: str = "test-standard") -> str:
    return json.dumps({"code": code, "name": "测试标准", "indicators": list(indicators)}, ensure_ascii=False)


@pytest.fixture
def make_standard(county):
    def make(*indicators: dict, code: str = "test-standard"):
        return services.standard_load(
            actor=None, raw=standard_file(*indicators, code=code), name=f"{code}.json"
        )

    return make


@pytest.fixture(autouse=True)
def english():
    """Services' messages are asserted in their English source; pages render in Chinese as usual."""
    from django.utils import translation

    with translation.override("en"):
        yield
