"""Fixtures for the project-wide tests (browser journeys, accessibility and security)."""

import pytest
from django.core.cache import cache


@pytest.fixture
def learn_content():
    """The shipped Learn content, loaded again.

    Transactional (browser) tests empty every table when they finish, the rows the migrations
    loaded included, so a test that reads the Learn pages after one of them loads its own.
    """
    from education.loader import load_content

    load_content()


@pytest.fixture
def fresh_rate_limits():
    """Private-link guesses are counted in the cache; start and end with none counted."""
    cache.clear()
    yield
    cache.clear()
