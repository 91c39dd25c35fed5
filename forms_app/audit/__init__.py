"""The audit trail: one helper records who did what to which record; `verify` checks the chain."""

from .service import GENESIS_HASH, Problem, VerifyReport, event_hash, origin_of, record, verify

__all__ = ["GENESIS_HASH", "Problem", "VerifyReport", "event_hash", "origin_of", "record", "verify"]
