"""Fixtures for the sign-in tests (helpers live in auth_helpers.py beside the tests)."""

from __future__ import annotations

import pytest


@pytest.fixture
def staff(app):
    from tests.auth.auth_helpers import make_staff

    return make_staff(app)


@pytest.fixture
def staff_with_codes(app):
    from tests.auth.auth_helpers import make_staff

    return make_staff(app, totp=True)
