"""GET /healthz: the state of the database, the job queue and the pipeline, as JSON."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db
from .jobs.status import pipeline_status

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


def _database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        log.warning("health: database check failed: %s", type(error).__name__)
        db.session.rollback()
        return {"ok": False, "error": "database unavailable"}


def _queue() -> dict[str, Any]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {"ok": True, "mode": "in-process"}
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
        return {"ok": True, "mode": "redis"}
    except redis.RedisError:
        return {"ok": False, "mode": "redis", "error": "redis unavailable"}


def _pipeline() -> dict[str, Any]:
    try:
        status = pipeline_status(db.session)
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - reported, never raised
        log.warning("health: pipeline check failed: %s", type(error).__name__)
        db.session.rollback()
        return {"ok": False, "error": "pipeline state unavailable"}
    return {
        "ok": True,
        "outbox_backlog": status.outbox_backlog,
        "outbox_failed": status.outbox_failed,
        "oldest_unprocessed_submission_seconds": status.oldest_unprocessed_submission_seconds,
        "submissions_failed": status.submissions_failed,
    }


@bp.get("/healthz")
def healthz() -> Any:
    checks = {"database": _database(), "queue": _queue()}
    # The queue being down is degraded, not down: submissions are still accepted and kept.
    healthy = checks["database"]["ok"]
    if healthy:
        checks["pipeline"] = _pipeline()
    body = {
        "status": "ok"
        if healthy and checks["queue"]["ok"]
        else ("degraded" if healthy else "unavailable"),
        **checks,
    }
    return jsonify(body), 200 if healthy else 503
