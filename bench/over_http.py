"""The same pages over HTTP, as a user gets them: gunicorn with the production settings on the
bench database, a client over loopback.

- **Latency**: one client on one kept-alive connection per person, the pages requested in
  turn (so that the machine's drift hits every page alike), after a warm-up; median and p95
  of the time from sending the request to the last byte of the answer.
- **Throughput**: 8 connections at once for a few seconds on one page (a unit's task list),
  each sending its next request as soon as the last answer arrived; requests per second and
  the latency percentiles under that load.

The server: `gunicorn config.wsgi` with 2 workers × 4 threads (gthread), the bench settings
(production settings, `DJANGO_DEBUG=0`), logging at WARNING.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class HttpResult:
    name: str
    median_ms: float
    p95_ms: float
    bytes: int


@dataclass
class LoadResult:
    name: str
    connections: int
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    errors: int


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn on the bench database, started and stopped around the HTTP measurements."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_bench",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        }
        self.process = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--keep-alive=30",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Browser:
    """One person's kept-alive connection, signed in by their session cookie."""

    def __init__(self, port: int, session_key: str) -> None:
        self.port = port
        self.cookie = f"sessionid={session_key}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[float, int, int]:
        """(milliseconds, status, bytes) of one GET, the whole answer read. What the page asks
        for itself once shown (htmx's `hx-trigger="load"`: a search's tabs' counts) is then
        asked for too, as a browser would, untimed."""
        start = time.perf_counter()
        body, status = self._read(path)
        elapsed = (time.perf_counter() - start) * 1000
        for later in _ASKED_ONCE_SHOWN.findall(body.decode(errors="replace")):
            self._read(html.unescape(later))
        return elapsed, status, len(body)

    def _read(self, path: str) -> tuple[bytes, int]:
        try:
            self.connection.request("GET", path, headers={"Cookie": self.cookie})
            response = self.connection.getresponse()
            return response.read(), response.status
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise


# An element that asks for its content once the page is shown (templates/directives/_task_tabs).
_ASKED_ONCE_SHOWN = re.compile(r'hx-get="([^"]+)" hx-trigger="load"')


Page = tuple[str, Browser, str] | tuple[str, Browser, str, Callable[[], object]]


def latencies(pages: list[Page], runs: int, warmup: int = 3) -> list[HttpResult]:
    """Every page `runs` times, in turn, after `warmup` rounds. A page may name what to do
    before each of its requests (untimed): a change, so that nothing kept answers it."""
    times: dict[str, list[float]] = {page[0]: [] for page in pages}
    sizes: dict[str, int] = {}
    for round_ in range(warmup + runs):
        for name, browser, path, *before in pages:
            for step in before:
                step()
            elapsed, status, size = browser.get(path)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            if round_ >= warmup:
                times[name].append(elapsed)
                sizes[name] = size
    return [
        HttpResult(name, statistics.median(values), percentile(values, 0.95), sizes[name])
        for name, values in times.items()
    ]


def load(
    name: str,
    port: int,
    session_key: str,
    path: str,
    connections: int = 8,
    seconds: float = 10,
    change: Callable[[], object] | None = None,
    change_every: float = 1.0,
) -> LoadResult:
    """`connections` clients at once on `path` for `seconds`; with `change`, a writer calls
    it every `change_every` seconds meanwhile (what is kept between requests is dropped)."""
    stop_at = time.monotonic() + seconds
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        browser = Browser(port, session_key)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at:
            try:
                elapsed, status, _ = browser.get(path)
            except (http.client.HTTPException, OSError):
                failed += 1
                continue
            if status == 200:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            samples.extend(mine)
            errors[0] += failed

    # Warm every worker and thread first.
    warm = [threading.Thread(target=Browser(port, session_key).get, args=(path,)) for _ in range(8)]
    for thread in warm:
        thread.start()
    for thread in warm:
        thread.join()
    started = time.monotonic()
    stop_at = started + seconds
    threads = [threading.Thread(target=client) for _ in range(connections)]
    if change is not None:

        def writer() -> None:
            while time.monotonic() < stop_at:
                change()
                time.sleep(change_every)

        threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    return LoadResult(
        name=name,
        connections=connections,
        seconds=round(took, 2),
        requests=len(samples),
        per_second=len(samples) / took,
        p50_ms=statistics.median(samples) if samples else 0.0,
        p95_ms=percentile(samples, 0.95) if samples else 0.0,
        errors=errors[0],
    )
