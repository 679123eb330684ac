"""Service calls outside a request (as from the CLI) translate into German, as the app does."""

from __future__ import annotations

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def german_outside_requests(db):
    with force_locale("de"):
        yield
