"""Public form throughput under gunicorn (2 sync workers) on PostgreSQL, printed as JSON.

    .venv/bin/python benchmarks/forms.py [--seconds 3] [--rounds 9] [--connections 8]
                                         [--clients 4] [--submit-seconds 15]

Measured side by side in one run, in alternating rounds (the median is reported, and the share
of the ceiling is taken round by round), both servers under gunicorn with 2 sync workers on the
same machine:

- the ceiling: a trivial Flask "hello" route;
- a question page of the public ASB form, fetched within a live (encrypted) draft: requests per
  second and p50/p99 latency, from `wrk` (Debian's package) over loopback; and the same for a
  page showing an answer the person typed; with each, the CPU time the gunicorn workers spent
  per request (read from /proc), which other work on a shared machine disturbs far less;
- complete submissions per second: concurrent client processes each fill in the whole form the
  way a browser does (fetch each page, post it, follow the redirect), then send it; for the
  27-page ASB form and for a 3-question form, so the cost of the pages and of the submission
  itself can both be seen.

Everything runs against a scratch PostgreSQL database that is created and dropped by the run.
Needs: PostgreSQL (BENCH_DATABASE_SERVER, default postgresql+psycopg://postgres@127.0.0.1/postgres)
and wrk on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import process_cpu_seconds  # noqa: E402

HOST = "127.0.0.1"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+psycopg://postgres@127.0.0.1/postgres")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WORKERS = 2

SHORT_FORM = """\
slug: bench-short
title: "Tell us briefly"
reference_prefix: BEN
channel: public
pages:
  - id: name
    title: "Your name"
    fields:
      - {name: full_name, type: text, label: "Your name", required: true}
  - id: safe
    title: "Do you feel safe?"
    fields:
      - {name: feel_safe, type: yesno, label: "Do you feel safe?", required: true}
  - id: details
    title: "What happened?"
    fields:
      - {name: what_happened, type: textarea, label: "What happened?", required: true, max_words: 200}
"""


def hello_app() -> Any:
    """The ceiling: the least a Flask route can do."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello() -> str:
        return "hello"

    return app


# Answers --------------------------------------------------------------------------


def asb_journey() -> list[tuple[str, list[tuple[str, str]]]]:
    when = dt.date.today() - dt.timedelta(days=2)
    return [
        ("", []),
        ("danger", [("in_danger", "no")]),
        ("your-role", [("reporter_is_victim", "yes")]),
        ("category", [("asb_category", "personal")]),
        ("what-has-been-happening", [("asb_types", "noise"), ("asb_types", "threats")]),
        ("threats", [("threats_of_violence", "yes")]),
        ("describe", [("what_happened", "Loud music and shouting every night after midnight.")]),
        (
            "when",
            [
                ("incident_date-day", str(when.day)),
                ("incident_date-month", str(when.month)),
                ("incident_date-year", str(when.year)),
                ("incident_time", "11pm"),
                ("still_happening", "yes"),
            ],
        ),
        ("how-often", [("how_often", "daily")]),
        (
            "where",
            [
                ("incident_location-description", "Outside 4 Elm Road"),
                ("incident_location-postcode", "SW1A 1AA"),
            ],
        ),
        ("reported-before", [("reported_before", "once")]),
        ("earlier-reports", [("earlier_reports", "Called the council in May")]),
        ("health", [("impact_health", "some")]),
        ("feeling-safe", [("fear_level", "a_little"), ("feel_safe_at_home", "no")]),
        ("targeted", [("targeted_identity", "none")]),
        (
            "your-household",
            [("disability_or_illness", "no"), ("lives_alone", "yes"), ("children_affected", "no")],
        ),
        ("people-responsible", [("add_another", "yes")]),
        (
            "people-responsible/1",
            [
                ("responsible_person-first_name", "Jo"),
                ("responsible_person-description", "Tall, red coat"),
            ],
        ),
        ("people-responsible", [("add_another", "no")]),
        ("vehicles", [("vehicles_involved", "no")]),
        ("evidence", []),
        ("anonymous", [("report_anonymously", "no")]),
        ("about-you", [("contact_name", "Sam Smith"), ("contact_language", "en")]),
        ("your-address", []),
        ("contact", [("contact_method", "phone"), ("contact_phone", "07911 123456")]),
        ("safe-contact", [("safe_to_leave_message", "yes")]),
        ("sharing", [("consent_to_share", "yes")]),
        ("check-your-answers", [("declaration", "yes")]),
    ]


def short_journey() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        ("", [("full_name", "Sam Smith")]),
        ("safe", [("feel_safe", "no")]),
        ("details", [("what_happened", "Someone keeps shouting at me in the street.")]),
        ("check-your-answers", []),
    ]


JOURNEYS = {"asb-report": asb_journey, "bench-short": short_journey}


# A small HTTP client (a browser's cookie jar, no redirects followed automatically) ------


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.requests = 0

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        self.requests += 1
        return response.status, response.headers.get("Location") or "", text

    def journey(self, slug: str) -> str:
        """Fill in a whole form as a browser does; return the confirmation page's reference."""
        root = f"/f/{slug}"
        status, _, page = self.request("GET", root)
        token = CSRF.search(page)
        assert status == 200 and token is not None, (status, page[:200])
        url = root
        for path, fields in JOURNEYS[slug]():
            expected = root + (f"/{path}" if path else "")
            assert url == expected, f"expected {expected}, got {url}"
            if url != root:
                status, _, page = self.request("GET", url)
                assert status == 200, (url, status)
            body = urlencode([("csrf_token", token.group(1)), *fields])
            status, location, page = self.request("POST", url, body)
            assert status == 303, (url, status, re.findall(r'href="#[^"]+">([^<]+)<', page))
            url = location
        status, _, page = self.request("GET", url)
        found = re.search(r'class="sf-reference">([^<]+)<', page)
        assert status == 200 and found is not None, (url, status)
        return found.group(1)


def _submit_worker(port: int, slug: str, seconds: float, ready: Any, go: Any, queue: Any) -> None:
    durations = []
    requests = 0
    errors = 0
    ready.put(os.getpid())
    go.wait()
    cpu_before = time.process_time()
    deadline = time.time() + seconds
    while time.time() < deadline:
        client = Client(port)
        started = time.perf_counter()
        try:
            client.journey(slug)
        except (AssertionError, OSError):
            errors += 1
            continue
        finally:
            requests += client.requests
        durations.append(time.perf_counter() - started)
    queue.put((durations, requests, errors, time.process_time() - cpu_before))


def complete_submissions(port: int, slug: str, clients: int, seconds: float) -> dict[str, Any]:
    """Client processes fill in whole forms for `seconds`, timed from when all have started
    (starting a Python process takes a while, and is not the server's time)."""
    context = multiprocessing.get_context("spawn")
    queue, ready, go = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(target=_submit_worker, args=(port, slug, seconds, ready, go, queue))
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    start = time.time()
    go.set()
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    elapsed = time.time() - start
    for process in processes:
        process.join()
    durations = sorted(d for result in results for d in result[0])
    requests = sum(result[1] for result in results)
    return {
        "form": slug,
        "pages_per_submission": len(JOURNEYS[slug]()),
        "client_processes": clients,
        "seconds": round(elapsed, 2),
        "completed": len(durations),
        "failed": sum(result[2] for result in results),
        "submissions_per_second": round(len(durations) / elapsed, 1),
        "requests_per_second": round(requests / elapsed, 1),
        "journey_p50_ms": round(_percentile(durations, 50) * 1000, 1) if durations else None,
        "journey_p99_ms": round(_percentile(durations, 99) * 1000, 1) if durations else None,
        # The clients share the two cores with the server: what they cost, the server cannot use.
        "client_cpu_ms_per_submission": round(
            sum(result[3] for result in results) * 1000 / max(len(durations), 1), 2
        ),
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median request rate (its latencies belong to the same run)."""
    ordered = sorted(runs, key=lambda run: run["requests_per_second"])
    middle = ordered[len(ordered) // 2]
    cpu = sorted(run["worker_cpu_ms_per_request"] for run in runs)
    return {
        **middle,
        "worker_cpu_ms_per_request": cpu[len(cpu) // 2],
        "rounds_requests_per_second": [run["requests_per_second"] for run in runs],
    }


def _percentile(values: list[float], pct: float) -> float:
    index = min(len(values) - 1, max(0, round(pct / 100 * (len(values) - 1))))
    return values[index]


# wrk ---------------------------------------------------------------------------------

WRK_REPORT = """
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{int(seconds)}s",
        "--script",
        script.name,
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    os.unlink(script.name)
    report = json.loads(output.strip().splitlines()[-1])
    return {
        "requests_per_second": round(report["requests"] / report["seconds"], 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "requests": report["requests"],
        "non_2xx": report["non_2xx"],
        "socket_errors": report["socket_errors"],
    }


def worker_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user and system) used so far by a gunicorn arbiter's workers."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    return sum(process_cpu_seconds(pid) for pid in children)


def measured(
    server: subprocess.Popen[bytes], url: str, args: argparse.Namespace, headers: dict[str, str]
) -> dict[str, Any]:
    """A wrk run, with the CPU the server's workers spent on each request (which other load on
    the machine disturbs far less than the request rate)."""
    before = worker_cpu_seconds(server)
    run = run_wrk(url, args.seconds, args.connections, headers)
    spent = worker_cpu_seconds(server) - before
    run["worker_cpu_ms_per_request"] = round(spent / max(run["requests"], 1) * 1000, 3)
    return run


def with_cpu(server: subprocess.Popen[bytes], run: Any) -> dict[str, Any]:
    """A submission run, with the workers' CPU per request and per complete submission."""
    before = worker_cpu_seconds(server)
    result: dict[str, Any] = run()
    spent = worker_cpu_seconds(server) - before
    requests = result["requests_per_second"] * result["seconds"]
    result["worker_cpu_ms_per_request"] = round(spent / max(requests, 1) * 1000, 3)
    result["worker_cpu_ms_per_submission"] = round(spent / max(result["completed"], 1) * 1000, 1)
    return result


# Servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_gunicorn(app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    # The arbiter listens before its workers have loaded the app: wait until both answer.
    deadline = time.time() + 120
    answered = 0
    while time.time() < deadline and answered < 2 * WORKERS:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn for {app} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            answered += 1
        except OSError:
            time.sleep(0.2)
    if answered < 2 * WORKERS:
        raise RuntimeError(f"gunicorn for {app} did not start")
    time.sleep(2)
    return process, port


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def prepare(workdir: Path) -> tuple[dict[str, str], str, Any]:
    """A scratch database, migrated, with the forms recorded; the environment to serve them."""
    import sqlalchemy as sa

    name = f"sf_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    forms = workdir / "forms"
    shutil.copytree(ROOT / "form_definitions", forms)
    (forms / "bench-short.yaml").write_text(SHORT_FORM)
    env = {
        **os.environ,
        "SAFERFORMS_ENV": "development",
        "DATABASE_URL": url,
        "SAFERFORMS_INSTANCE": str(workdir / "instance"),
        "SAFERFORMS_FORMS_DIR": str(forms),
        # One load generator on loopback is one client address: lift the per-address limits.
        "SAFERFORMS_FORM_PAGE_LIMIT": "100000000 per minute",
        "SAFERFORMS_FORM_SUBMIT_LIMIT": "100000000 per minute",
        "PYTHONPATH": str(ROOT),
        # The web tier only: processing submissions belongs to `saferforms worker` (with Redis
        # the web process relays each job there; here the outbox rows simply wait).
        "SAFERFORMS_JOBS_MODE": "manual",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "saferforms"), "init"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env, name, admin


def drop(admin: Any, name: str) -> None:
    import sqlalchemy as sa

    for attempt in (1, 2, 3):
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            break
        except sa.exc.OperationalError:
            # The server may be restarting (other work on a shared machine): try again.
            if attempt == 3:
                raise
            admin.dispose()
            time.sleep(5)
    admin.dispose()


def draft_cookie_for(port: int, stop_before: str) -> tuple[str, str]:
    """Fill in the ASB form up to a page; return that page's path and the browser's cookies."""
    client = Client(port)
    root = "/f/asb-report"
    _, _, page = client.request("GET", root)
    token = CSRF.search(page)
    assert token is not None
    url = root
    for path, fields in asb_journey():
        if path == stop_before:
            break
        status, location, _ = client.request(
            "POST", url, urlencode([("csrf_token", token.group(1)), *fields])
        )
        assert status == 303, (url, status)
        url = location
    assert url == f"{root}/{stop_before}", url
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return url, cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per wrk round")
    parser.add_argument("--submit-seconds", type=float, default=15.0, help="per submission run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--clients", type=int, default=4, help="submitting client processes")
    parser.add_argument("--page", default="how-often", help="the ASB page measured")
    parser.add_argument("--rounds", type=int, default=9, help="alternating wrk rounds")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="sf-bench-") as folder:
        env, database, admin = prepare(Path(folder))
        load_before = os.getloadavg()
        hello_server, hello_port = start_gunicorn("benchmarks.forms:hello_app()", env)
        forms_server, forms_port = start_gunicorn("wsgi:app", env)
        try:
            hello_url = f"http://{HOST}:{hello_port}/"
            path, cookie = draft_cookie_for(forms_port, args.page)
            page_url = f"http://{HOST}:{forms_port}{path}"
            text_path, text_cookie = draft_cookie_for(forms_port, "when")
            text_url = f"http://{HOST}:{forms_port}{text_path.rsplit('/', 1)[0]}/describe"
            for url, headers in ((hello_url, {}), (page_url, {"Cookie": cookie})):
                run_wrk(url, 3, args.connections, headers)  # warm up
            # Alternate short runs, so that other load on a shared machine falls on both alike.
            hellos, pages, typed = [], [], []
            for _ in range(args.rounds):
                hellos.append(measured(hello_server, hello_url, args, {}))
                pages.append(measured(forms_server, page_url, args, {"Cookie": cookie}))
                typed.append(measured(forms_server, text_url, args, {"Cookie": text_cookie}))
            stop(hello_server)
            short = with_cpu(
                forms_server,
                lambda: complete_submissions(
                    forms_port, "bench-short", args.clients, args.submit_seconds
                ),
            )
            full = with_cpu(
                forms_server,
                lambda: complete_submissions(
                    forms_port, "asb-report", args.clients, args.submit_seconds
                ),
            )
        finally:
            for process in (hello_server, forms_server):
                if process.poll() is None:
                    stop(process)
            drop(admin, database)
        load_after = os.getloadavg()

    hello = _median_run(hellos)
    page = {**_median_run(pages), "page": path}
    typed_page = {**_median_run(typed), "page": text_url.split(str(forms_port), 1)[1]}
    # Each round's page figure is divided by the hello figure measured just before it, so a
    # burst of other work on the machine falls on both sides of the ratio.
    shares = [
        p["requests_per_second"] / h["requests_per_second"]
        for h, p in zip(hellos, pages, strict=True)
    ]
    typed_shares = [
        p["requests_per_second"] / h["requests_per_second"]
        for h, p in zip(hellos, typed, strict=True)
    ]
    share = sorted(shares)[len(shares) // 2]
    typed_share = sorted(typed_shares)[len(typed_shares) // 2]
    report = {
        "benchmark": "public forms under gunicorn",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "gunicorn_workers": WORKERS,
            "worker_class": "sync",
            "database": "postgresql (scratch database)",
            "load_generator": "wrk 1 thread for pages; Python client processes for submissions",
            "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            "rounds": args.rounds,
        },
        "hello_ceiling": hello,
        "form_page_in_live_draft": {
            **page,
            "share_of_hello": round(share, 3),
            "cpu_share_of_hello": round(
                hello["worker_cpu_ms_per_request"] / page["worker_cpu_ms_per_request"], 3
            ),
            "rounds_share_of_hello": [round(value, 3) for value in shares],
        },
        "form_page_showing_typed_answers": {
            **typed_page,
            "share_of_hello": round(typed_share, 3),
            "cpu_share_of_hello": round(
                hello["worker_cpu_ms_per_request"] / typed_page["worker_cpu_ms_per_request"], 3
            ),
            "rounds_share_of_hello": [round(value, 3) for value in typed_shares],
        },
        "complete_submissions": {"short_form": short, "asb_report": full},
        "targets": {
            "form_page_share_of_hello": {"target": 0.25, "met": share >= 0.25},
            "submissions_per_second": {
                "target": 100,
                "short_form_met": short["submissions_per_second"] >= 100,
                "asb_report_met": full["submissions_per_second"] >= 100,
            },
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
