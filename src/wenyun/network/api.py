from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["network"])


class UnitOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    population: int
    grade: int


@router.get("/units", response=list[UnitOut], auth=None, summary="Every unit of the county network")
def list_units(request):
    """Public: the network is on the portal too. `parent` is the parent unit's code, null for the county."""
    units = selectors.unit_list()
    codes = {u.pk: u.code for u in units}
    return [
        UnitOut(
            code=u.code,
            name=u.name,
            name_en=u.name_en,
            kind=u.kind,
            parent=codes.get(u.parent_id) if u.parent_id else None,
            population=u.population,
            grade=u.grade,
        )
        for u in units
    ]
