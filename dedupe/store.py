"""The store behind matching: a small protocol, and an in-memory implementation.

The real store (in forms_app) keeps blind-index tokens in an indexed table, fetches the
records that share a token, and decrypts only those. dedupe never sees how.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from dedupe.addresses import Address
from dedupe.blocking import token_crowd
from dedupe.records import NormalisedPerson, PersonRecord

RecordId = int | str


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    """A stored record of a person, decrypted.

    A person may have several records (every source that named them); ``record_id`` names
    this one and ``person_id`` the person it is linked to. ``person`` may already be
    normalised, which saves the matcher the work.
    """

    person_id: RecordId
    record_id: RecordId
    person: PersonRecord | NormalisedPerson

    def __hash__(self) -> int:
        # The ids say which record this is; hashing the whole person would be slow.
        return hash((self.person_id, self.record_id))


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """An address as given: lines, town and postcode."""

    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class CandidateAddress:
    """A stored address, decrypted."""

    address_id: RecordId
    address: AddressRecord | Address

    def __hash__(self) -> int:
        return hash(self.address_id)


class CandidateStore(Protocol):
    """Where person matching looks for candidates."""

    def candidates(self, tokens: Sequence[bytes]) -> Iterable[CandidateRecord]:
        """Return the records that share at least one of ``tokens``, decrypted."""
        ...


class AddressStore(Protocol):
    """Where address matching looks for candidates."""

    def candidates(self, tokens: Sequence[bytes]) -> Iterable[CandidateAddress]:
        """Return the addresses that share at least one of ``tokens``, decrypted."""
        ...


T = TypeVar("T", bound=Hashable)


class InMemoryIndex(Generic[T]):
    """An inverted index from tokens to items, for tests and benchmarks.

    ``max_bucket`` makes a lookup skip any token shared by more items than that, as a real
    store should: a tag that common says little and would cost a lot to decrypt. A weak key
    kind's tags are skipped sooner, whatever ``max_bucket`` is (``KeyKind.crowd``).
    """

    def __init__(self, max_bucket: int | None = None) -> None:
        self.max_bucket = max_bucket
        self._postings: defaultdict[bytes, list[T]] = defaultdict(list)
        self._size = 0

    def add(self, item: T, tokens: Iterable[bytes]) -> None:
        """Index an item under its tokens."""
        for token in dict.fromkeys(tokens):
            self._postings[token].append(item)
        self._size += 1

    def remove(self, item: T, tokens: Iterable[bytes]) -> None:
        """Take an item out from under its tokens."""
        for token in dict.fromkeys(tokens):
            bucket = self._postings.get(token)
            if bucket and item in bucket:
                bucket.remove(item)
        self._size -= 1

    def candidates(self, tokens: Sequence[bytes]) -> list[T]:
        """Return the items sharing at least one token, each once, in first-seen order."""
        found: dict[T, None] = {}
        limit = self.max_bucket if self.max_bucket is not None else sys.maxsize
        for token in tokens:
            bucket = self._postings.get(token)
            if not bucket or len(bucket) > token_crowd(token, limit):
                continue
            found.update(dict.fromkeys(bucket))
        return list(found)

    def bucket_sizes(self) -> list[int]:
        """Return the size of every bucket (for diagnostics)."""
        return [len(b) for b in self._postings.values()]

    def __len__(self) -> int:
        return self._size


class InMemoryStore(InMemoryIndex[CandidateRecord]):
    """A person store held in memory: satisfies ``CandidateStore``."""


class InMemoryAddressStore(InMemoryIndex[CandidateAddress]):
    """An address store held in memory: satisfies ``AddressStore``."""
