"""Real servers on this machine for the delivery tests: SMTP, an SMS gateway, a database path.

Each can be told to misbehave the way production ones do: refuse connections, answer with a
temporary failure, hang, or accept a message and answer too late for the client to hear it.
"""

from __future__ import annotations

import asyncio
import email
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMTP ---------------------------------------------------------------------------------


@dataclass
class Received:
    to: str
    message_id: str
    message: Message


class MailServer:
    """An SMTP server (aiosmtpd) recording what it accepted.

    Modes: "ok"; "fail" (451 to every message); "hang" (holds DATA `delay` seconds, then 451:
    nothing accepted); "late" (accepts, but answers 250 only after `delay` seconds, past the
    client's timeout). `stop()` closes the port: connections are refused.
    """

    def __init__(self, delay: float = 3.0) -> None:
        self.port = free_port()
        self.mode = "ok"
        self.delay = delay
        self.accepted: list[Received] = []
        self.holding = 0  # DATA commands being held right now
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mode = self.mode
        if mode == "fail":
            return "451 4.3.0 Temporary failure, try again later"
        if mode == "hang":
            with self.lock:
                self.holding += 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                with self.lock:
                    self.holding -= 1
            return "451 4.3.0 Timed out"
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.accepted.append(Received(rcpt, message.get("Message-ID", ""), message))
        if mode == "late":
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailbox(self) -> dict[str, set[str]]:
        """What each recipient's mailbox shows: one message per Message-ID."""
        with self.lock:
            boxes: dict[str, set[str]] = {}
            for item in self.accepted:
                boxes.setdefault(item.to, set()).add(item.message_id)
            return boxes


# --- an SMS gateway -----------------------------------------------------------------------


@dataclass
class Gateway:
    """An HTTP SMS gateway that, like real ones, sends a message once per request id.

    Modes: "ok"; "fail" (503); "late" (takes the message, answers after `delay` seconds).
    """

    delay: float = 3.0
    mode: str = "ok"
    requests: int = 0
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  # request id → message
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key") or body.get("request_id") or ""
                with gateway.lock:
                    gateway.requests += 1
                    mode = gateway.mode
                if mode == "fail":
                    self.send_response(503)
                    self.end_headers()
                    return
                with gateway.lock:
                    gateway.sent.setdefault(key, body)
                if mode == "late":
                    time.sleep(gateway.delay)
                with suppress(OSError):
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


# --- the database's path ------------------------------------------------------------------


class TcpProxy:
    """A TCP path to the database that the test can cut: `refuse()` closes the port and every
    connection through it (the server restarting, as the worker sees it); `allow()` opens it."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def allow(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            connections, self.open = self.open, []
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    @contextmanager
    def down(self, seconds: float) -> Iterator[None]:
        self.refuse()
        try:
            yield
            time.sleep(seconds)
        finally:
            self.allow()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
