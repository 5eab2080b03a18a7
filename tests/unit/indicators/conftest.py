"""Fixtures for the indicator engine tests."""

import pytest

from tests.unit.indicators.helpers import leicestershire_areas

@pytest.fixture
def leicestershire():
    return leicestershire_areas()
