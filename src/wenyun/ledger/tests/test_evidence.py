"""Evidence: type and size checked, originals kept and downloaded through an access check; a station
uploads for itself and its villages only."""

from __future__ import annotations

import pytest

from wenyun.core.errors import DomainError, Forbidden
from wenyun.ledger import services
from wenyun.ledger.models import Evidence

from .conftest import PDF, PNG

REGISTER = {
    "code": "V5",
    "name": "书屋管理制度上墙",
    "part": "organisation",
    "scope": "village",
    "formula": {"kind": "evidence"},
}


@pytest.fixture
def register(make_standard):
    return make_standard(REGISTER).indicators.get()


def stored_files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file())


def test_a_station_manager_attaches_a_photo_for_one_of_his_villages_and_the_original_is_kept(
    register, station_manager, unit, media
):
    evidence = services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01-V02"),
        indicator=register,
        name="制度上墙.png",
        content=PNG,
        description="城西社区书屋制度上墙照片",
    )

    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "制度上墙.png",
        "image/png",
        len(PNG),
    )
    assert evidence.uploaded_by == station_manager
    with evidence.file.open("rb") as kept:
        assert kept.read() == PNG


def test_a_station_manager_cannot_attach_evidence_for_another_township_and_nothing_is_kept(
    register, station_manager, unit, media
):
    with pytest.raises(Forbidden):
        services.evidence_add(
            actor=station_manager,
            unit=unit("YX-S02-V01"),
            indicator=register,
            name="x.png",
            content=PNG,
            description="照片",
        )

    assert Evidence.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.txt",
            b"hello",
            "notes.txt is not a kind of file the ledger keeps: send a PDF, PNG, JPEG, DOCX or XLSX file.",
        ),
        ("photo.png", PDF, "photo.png is not really a PNG file: its content does not match its name."),
        ("empty.pdf", b"", "empty.pdf is empty."),
        (
            "big.pdf",
            b"%PDF-" + b"0" * (10 * 1024 * 1024),
            "big.pdf is 10.0 MB: the largest file the ledger keeps is 10 MB.",
        ),
    ],
)
def test_a_file_of_the_wrong_type_or_size_is_refused_and_nothing_is_kept(
    register, village_manager, unit, media, name, content, message
):
    with pytest.raises(DomainError) as refused:
        services.evidence_add(
            actor=village_manager,
            unit=unit("YX-S01-V01"),
            indicator=register,
            name=name,
            content=content,
            description="x",
        )

    assert refused.value.message == message
    assert Evidence.objects.count() == 0 and stored_files(media) == []


def test_the_original_downloads_for_those_who_may_see_the_unit_only(
    client, register, station_manager, other_station_manager, county_admin, unit
):
    evidence = services.evidence_add(
        actor=station_manager,
        unit=unit("YX-S01-V01"),
        indicator=register,
        name="登记台账.pdf",
        content=PDF,
        description="借阅登记台账",
    )
    url = f"/staff/ledger/evidence/{evidence.pk}/"

    client.force_login(other_station_manager)
    assert client.get(url).status_code == 404

    client.force_login(county_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_the_upload_page_refuses_a_unit_outside_the_station_and_keeps_nothing(
    client, register, station_manager, media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(station_manager)
    response = client.post(
        "/staff/ledger/test-standard/V5/evidence/",
        {
            "unit": "YX-S02-V01",
            "description": "照片",
            "file": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
    )

    assert response.status_code == 302
    assert Evidence.objects.count() == 0 and stored_files(media) == []
