"""Shared test settings and fixtures."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import itvalue as iv

settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def northwind() -> iv.Portfolio:
    """The Northwind example, the portfolio the document format reference shows."""
    return iv.example("northwind")
