"""The public catalogue (OPAC): one search box, facets, and where each book is on the shelf now."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound

from . import selectors
from .views import _int, search_pages


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
        except NotFound as exc:
            error = exc.message
    return render(
        request,
        "catalog/search.html",
        {"title": _("Library catalogue"), "q": q, "result": result, "error": error},
    )


def record(request: HttpRequest, record_id: int) -> HttpResponse:
    try:
        found = selectors.record_get(record_id=record_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "catalog/opac_record.html",
        {"title": found.title, "record": found, "availability": selectors.record_availability(record=found)},
    )
