"""The catalogue's part of the JSON API: the public search, and a copy by barcode for staff."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import WithJsonSchema

from wenyun.core.api_types import PAGE_MAX, errors

from . import selectors

router = Router(tags=["catalog"])
items_router = Router(tags=["catalog"])


class UnitAvailabilityOut(Schema):
    unit: str
    available: int
    total: int


class HitOut(Schema):
    id: int
    title: str
    author: str
    isbn: str
    clc: str
    availability: list[UnitAvailabilityOut]


class SearchOut(Schema):
    count: int
    results: list[HitOut]


# The longest query the search takes (its own check names the limit in a sentence); stated in the
# schema only, so that the search's sentence, not a generic one, answers a longer query.
QUERY_MAX_LENGTH = 200
SearchText = Annotated[str, WithJsonSchema({"type": "string", "maxLength": QUERY_MAX_LENGTH, "default": ""})]


@router.get(
    "/search",
    response={200: SearchOut, **errors(400, 404)},
    auth=None,
    summary="Search the union catalogue",
)
def search(
    request,
    q: SearchText = "",
    unit: str = "",
    page: int = Query(1, ge=1, le=PAGE_MAX),
):
    """Public. `q` matches title, author, publisher, subject, ISBN (10 or 13) and call number, Chinese
    by characters (Traditional or Simplified), full pinyin or pinyin initials. `unit` (a unit code)
    keeps records with copies there (404 for an unknown code); availability is live, per unit where
    the copies are. Past the last page `results` is empty."""
    found = selectors.catalog_search(q=q, unit=unit or None, page=page)
    return {
        "count": found.count,
        "results": [
            {
                "id": hit.record.pk,
                "title": hit.record.title,
                "author": hit.record.responsibility,
                "isbn": hit.record.isbn or hit.record.isbn_raw,
                "clc": hit.record.clc,
                "availability": [
                    {"unit": a.unit.code, "available": a.available, "total": a.total}
                    for a in hit.availability
                ],
            }
            for hit in found.hits
        ],
    }


class ItemOut(Schema):
    barcode: str
    record_id: int
    title: str
    home_unit: str
    current_unit: str
    status: str
    due: dt.date | None


@items_router.get(
    "/{barcode}", response={200: ItemOut, **errors(401, 404)}, summary="One copy by its barcode"
)
def item(request, barcode: str):
    """Staff. `due` is the due date while the copy is on loan, else null."""
    found = selectors.item_get(barcode=barcode)
    due = selectors.item_due_dates(item_ids=[found.pk]).get(found.pk)
    return {
        "barcode": found.barcode,
        "record_id": found.record_id,
        "title": found.record.title,
        "home_unit": found.home_unit.code,
        "current_unit": found.current_unit.code,
        "status": found.status,
        "due": due,
    }
