"""Fixtures for the staff workspace tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def cheap_password_hashing():
    """Argon2 at production cost takes a fifth of a second a time; these tests need many."""
    from argon2 import PasswordHasher

    from forms_app.auth import passwords

    previous = passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.use_hasher(previous)
