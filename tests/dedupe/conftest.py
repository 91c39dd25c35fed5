"""Fixtures for the pure dedupe package: a keyed tokeniser and an in-memory store."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from dedupe.matcher import Matcher
from dedupe.records import PersonRecord
from dedupe.store import CandidateRecord, InMemoryStore

KEY = bytes(range(32))


def hmac_tokeniser(kind: str, value: str) -> bytes:
    """What the web application passes: HMAC-SHA256 under a blind-index key."""
    return hmac.new(KEY, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()


@pytest.fixture
def tokeniser() -> Callable[[str, str], bytes]:
    return hmac_tokeniser


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def matcher(store: InMemoryStore) -> Matcher:
    return Matcher(store, hmac_tokeniser)


@pytest.fixture
def hold(store: InMemoryStore, matcher: Matcher) -> Callable[..., str]:
    """Put a person in the store under the given id and return the id."""

    def add(person_id: str, **fields: object) -> str:
        record = PersonRecord.from_mapping(fields)
        store.add(CandidateRecord(person_id, person_id, record), matcher.index_tokens(record))
        return person_id

    return add
