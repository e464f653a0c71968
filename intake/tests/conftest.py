"""Fixtures for the intake tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The link rate limit lives in the cache; start every test with none counted."""
    cache.clear()
    yield
    cache.clear()
