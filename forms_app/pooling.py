"""Check a pooled database connection before use, but only when it has been idle a while.

SQLAlchemy's `pool_pre_ping` sends a ping before every checkout. A worker checks a connection
out about four times a report (claim, run, and each message the report sends), and the web once
a request: under load that is a round trip to the database, and its CPU on both sides, for a
connection that was in use a few milliseconds earlier.

A connection goes stale when the server restarts or drops it, and neither happens between two
uses a moment apart while the server is up. So a connection is pinged only when it has sat in
the pool for `idle_seconds` or more; one that fails its ping is replaced before anyone uses it,
exactly as with `pool_pre_ping`. A connection dropped within that moment fails its statement
instead: SQLAlchemy then discards every pooled connection made before the failure, a job is
retried (RQ's retries), and a web request gets the error page. Nothing committed is lost.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

# Long enough that a busy process never pings; shorter than a database restart takes.
IDLE_SECONDS_BEFORE_PING = 1.0
_CHECKED_IN = "saferforms_checked_in_at"


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_SECONDS_BEFORE_PING) -> None:
    """Make `engine`'s pool ping connections idle for `idle_seconds` or more before handing
    them out (use instead of `pool_pre_ping`)."""
    dialect = engine.dialect

    def checked_in(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN)
        # A connection never checked in was opened just now: it needs no ping.
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means a dead connection
            raise exc.DisconnectionError("a pooled connection failed its ping") from error
        if not alive:
            raise exc.DisconnectionError("a pooled connection failed its ping")

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)
