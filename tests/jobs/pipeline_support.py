"""Real servers and records for the pipeline's tests: SMTP (aiosmtpd), a stand-in Notify API,
Redis on its own database number, and `saferforms worker` processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
SAFERFORMS = ROOT / ".venv" / "bin" / "saferforms"
# The pipeline's tests own this Redis database number and flush only it.
JOBS_REDIS_DB = 11


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_url_for_tests(db_number: int = JOBS_REDIS_DB) -> str | None:
    """TEST_REDIS_URL with our own database number, or None when no Redis answers."""
    base = os.environ.get("TEST_REDIS_URL")
    if not base:
        return None
    import redis

    url = (
        base.rsplit("/", 1)[0] + f"/{db_number}" if base.count("/") >= 3 else f"{base}/{db_number}"
    )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def flushed_redis(db_number: int = JOBS_REDIS_DB) -> Iterator[str]:
    """For a fixture: a Redis database of our own, empty when the test starts and ends.

    Without a Redis the test skips, or fails in CI, with the reason (require_service).
    """
    import redis

    from tests.conftest import require_service

    url = redis_url_for_tests(db_number)
    if url is None:
        require_service("Redis", "set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15")
    assert url is not None
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()


# --- SMTP ---------------------------------------------------------------------------------


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler that keeps what it received; `gate` can hold a client at RCPT."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    rcpt_seen: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event | None = None
    tls_sessions: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        self.rcpt_seen.set()
        if self.gate is not None:
            import asyncio

            while not self.gate.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if session.ssl is not None:
            self.tls_sessions += 1
        self.envelopes.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "tls": session.ssl is not None,
            }
        )
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(
    recorder: SmtpRecorder | None = None, port: int | None = None, **smtp_options: Any
) -> Iterator[tuple[SmtpRecorder, int]]:
    from aiosmtpd.controller import Controller

    recorder = recorder or SmtpRecorder()
    port = port or free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield recorder, port
    finally:
        if recorder.gate is not None:
            recorder.gate.set()
        controller.stop()


# --- a stand-in for the GOV.UK Notify API ------------------------------------------------------


@dataclass
class NotifyStub:
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 201

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization", ""),
                        "json": body,
                    }
                )
                if stub.status >= 400:
                    reply: dict[str, Any] = {
                        "status_code": stub.status,
                        "errors": [{"error": "BadRequestError", "message": "refused"}],
                    }
                else:
                    reply = {
                        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
                        "reference": body.get("reference"),
                        "content": {"subject": "s", "body": "b"},
                        "template": {"id": body.get("template_id"), "version": 1},
                    }
                data = json.dumps(reply).encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


@contextmanager
def notify_server(stub: NotifyStub | None = None) -> Iterator[tuple[NotifyStub, str]]:
    stub = stub or NotifyStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), stub.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# A key in Notify's format (name-serviceid-secret); the stand-in server does not check it.
NOTIFY_TEST_KEY = (
    "test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
)


# --- worker processes ---------------------------------------------------------------------------


def worker_environment(app_config: Any, redis_url: str, **extra: str) -> dict[str, str]:
    """Environment for a `saferforms worker` over the same database and keys as a test app."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAFERFORMS_", "MAIL_", "NOTIFY_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "SAFERFORMS_ENV": "test",
            "SAFERFORMS_INSTANCE": str(app_config["INSTANCE_DIR"]),
            "SAFERFORMS_FORMS_DIR": str(app_config["FORMS_DIR"]),
            "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SAFERFORMS_JOBS_POLL_SECONDS": "0.3",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class WorkerProcess:
    """A real `saferforms worker` in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path, *, burst: bool = False) -> None:
        self.log_path = log_path
        args = [str(SAFERFORMS), "worker"] + (["--burst"] if burst else [])
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()
        return int(self.process.returncode)

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout)
        self._log.close()
        return int(code)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for(condition: Callable[[], Any], timeout: float = 30, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        time.sleep(interval)


def outbox_state(database_url: str, outbox_id: str) -> str | None:
    """Read a row's state through a fresh connection, as an observer outside the app would."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT state FROM outbox WHERE id = :id"), {"id": outbox_id}
            ).scalar()
    finally:
        engine.dispose()
