import pytest


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in the English source."""
    from django.utils import translation

    with translation.override("en"):
        yield
