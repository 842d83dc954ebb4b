from django.conf import settings

from .nav import nav_for


def site(request):
    from wenyun.network.selectors import unit_root

    root = unit_root()
    return {
        "county": root,
        "county_name": settings.WENYUN_COUNTY_NAME or (root.display_name if root else "文云"),
        "staff_nav": nav_for(request.user),
    }
