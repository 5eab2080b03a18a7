"""Fixtures for the indicator engine tests."""
import json
from pathlib import Path

import pytest

from tests.unit.indicators.helpers import leicestershire_areas

SEED_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_figures.json"


@pytest.fixture(scope="session")
def seed() -> dict:
    """The figures transcribed from the seed board papers."""
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def leicestershire():
    return leicestershire_areas()
