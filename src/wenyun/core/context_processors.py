from django.conf import settings

from .nav import nav_for


def site(request):
    from wenyun.network.selectors import unit_root

    root = unit_root()
    reader_name = None
    if (
        not request.user.is_authenticated
        and hasattr(request, "session")
        and request.session.get("portal_reader")
    ):
        from wenyun.circulation.selectors import reader_name as name_of

        reader_name = name_of(pk=request.session["portal_reader"])
    return {
        "portal_reader_name": reader_name,
        "county": root,
        "county_name": settings.WENYUN_COUNTY_NAME or (root.display_name if root else "文云"),
        "staff_nav": nav_for(request.user),
    }
