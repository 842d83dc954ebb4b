"""The public catalogue (OPAC): one search box, facets, and where each book is on the shelf now."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, NotFound
from wenyun.network.models import Unit
from wenyun.network.selectors import unit_get

from . import selectors
from .views import _int, search_pages


def _near_unit(request: HttpRequest, code: str) -> Unit | None:
    """The unit the reader chose (a code in the address), else the signed-in reader's home unit."""
    if code:
        try:
            return unit_get(code=code)
        except NotFound:
            return None
    try:
        from wenyun.circulation.portal_views import signed_in_reader
    except ImportError:
        return None
    reader = signed_in_reader(request)
    return reader.home_unit if reader is not None else None


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    result = None
    error = ""
    if q:
        try:
            result = search_pages(
                q=q,
                page=request.GET.get("page"),
                available_at=request.GET.get("available") or None,
                clc_class=request.GET.get("clc", "")[:1],
                year=_int(request.GET.get("year")),
                language=request.GET.get("language", "")[:3],
                facets=True,
            )
        except DomainError as exc:
            error = exc.message
    near = _near_unit(request, request.GET.get("available", ""))
    if result is not None:
        summaries = selectors.availability_summaries(
            availabilities=[hit.availability for hit in result.hits], near=near
        )
        for hit, summary in zip(result.hits, summaries, strict=True):
            hit.summary = summary
    return render(
        request,
        "catalog/search.html",
        {"title": _("Library catalogue"), "q": q, "result": result, "error": error, "near": near},
    )


def record(request: HttpRequest, record_id: int) -> HttpResponse:
    try:
        found = selectors.record_get(record_id=record_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    availability = selectors.record_availability(record=found)
    near = _near_unit(request, request.GET.get("at", ""))
    (summary,) = selectors.availability_summaries(availabilities=[availability], near=near)
    return render(
        request,
        "catalog/opac_record.html",
        {
            "title": found.display_title,
            "record": found,
            "availability": availability,
            "summary": summary,
            "near": near,
        },
    )
