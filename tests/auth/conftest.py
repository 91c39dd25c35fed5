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


@pytest.fixture(autouse=True)
def cheap_password_hashing():
    """Argon2 at production cost takes a fifth of a second a time; these tests need many."""
    from argon2 import PasswordHasher

    from forms_app.auth import passwords

    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)
