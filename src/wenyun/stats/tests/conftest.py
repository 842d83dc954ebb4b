import pytest


@pytest.fixture(autouse=True)
def fresh_dashboards():
    """Dashboards are cached for five minutes; each test computes its own."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
