"""Errors that jobs raise, and how any error is described without personal data."""

from __future__ import annotations


class JobError(Exception):
    """An error whose message is written by us and safe to store and show to administrators."""


class RetryableJobError(JobError):
    """Something outside us failed (a mail server, an API): try again later."""


class PermanentJobError(JobError):
    """The job can never succeed as things stand (a corrupt seal, a missing record): stop now."""


def describe(error: BaseException) -> str:
    """Say what went wrong without any value from the data.

    Messages of our own errors are written to be safe. Anything else is named by its class only:
    database and mail errors can quote parameters, addresses or answers in their messages.
    """
    if isinstance(error, JobError):
        return f"{type(error).__name__}: {error}"[:1000]
    name = type(error).__name__
    original = getattr(error, "orig", None)
    if isinstance(original, BaseException):
        name += f" ({type(original).__name__})"
    return name
