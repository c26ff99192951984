"""Every reminder due arrives once, through a worker killed mid-send, a mail server down longer
than the first retries, a gateway and a mail server that answer too late, the database
refusing connections, and the queue's messages lost.

Real parts: a Celery worker and beat (the sweeper) as processes, an SMTP server (aiosmtpd), an
HTTP SMS gateway, the test database (SQLite, or PostgreSQL through a proxy the test can cut) and
the broker (the embedded one, or Redis). What is counted is what the servers received.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import date
from email.message import Message
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from directives.models import Notification
from reminders import services
from reminders.models import ReminderDigest, ReminderItem
from tests.conftest import MakeTask, on_day
from tests.reminders.conftest import DAY, database_url, start, start_worker
from tests.reminders.servers import Gateway, MailServer, TcpProxy
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    tail = "\n".join(
        f"--- {log.name}\n" + log.read_text(errors="replace")[-4000:]
        for log in sorted(logs.glob("*.log"))
    )
    pytest.fail(f"{what} did not happen within {seconds} s\n{tail}")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(delay=3.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway(delay=3.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_path() -> Iterator[TcpProxy | None]:
    """PostgreSQL: the worker reaches it through a proxy the test can cut. SQLite: None (the
    test locks the file instead)."""
    if connection.vendor != "postgresql":
        yield None
        return
    proxy = TcpProxy(int(connection.settings_dict.get("PORT") or 5432))
    proxy.allow()
    yield proxy
    proxy.refuse()


def database_down(proxy: TcpProxy | None, noticed: Callable[[], bool], at_least: float) -> bool:
    """The worker cannot use the database until it has met the outage (`noticed`, at most
    40 s) and for `at_least` seconds: PostgreSQL's connections are cut and refused; SQLite's
    file is held by another writer longer than the worker waits for it. Returns `noticed()`."""

    def hold() -> None:
        started = time.monotonic()
        while time.monotonic() - started < 40:
            if noticed() and time.monotonic() - started >= at_least:
                return
            time.sleep(0.25)

    if proxy is not None:
        proxy.refuse()
        try:
            hold()
        finally:
            proxy.allow()
        return noticed()
    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=30)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        hold()
        locker.execute("ROLLBACK")
    finally:
        locker.close()
    return noticed()


def plain_text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else ""


def worker_env(
    celery_env: dict[str, str], mail: MailServer, sms: Gateway, proxy: TcpProxy | None
) -> dict[str, str]:
    env = {
        **celery_env,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "EMAIL_TIMEOUT": "1",
        "DONDOC_SMS_BACKEND": "reminders.sms.HttpBackend",
        "DONDOC_SMS_URL": sms.url,
        "DONDOC_SMS_TIMEOUT": "1",
        "DONDOC_REMINDER_RETRY_BACKOFF": "1",
        "DONDOC_REMINDER_LEASE_SECONDS": "4",
        "DONDOC_REMINDER_REQUEUE_SECONDS": "2",
        "DONDOC_REMINDER_SWEEP_SECONDS": "1",
        # The test's day is in 2023; the processes run on today's clock.
        "DONDOC_REMINDER_SWEEP_DAYS": "100000",
        "DONDOC_BROKER_VISIBILITY_TIMEOUT": "6",
        # The daily job is not what is tested here: the digests are recorded by the test.
        "DONDOC_REMINDER_INTERVAL_SECONDS": "0",
        "DONDOC_REMINDER_TIME": "03:00",
    }
    env.pop("DONDOC_REMINDER_DAY", None)
    if proxy is not None:
        env["DATABASE_URL"] = database_url().replace(
            f":{connection.settings_dict.get('PORT') or 5432}/", f":{proxy.port}/"
        )
    return env


def test_every_reminder_arrives_once_through_crashes_and_outages(
    make_task: MakeTask,
    staff_a: User,
    head_a: User,
    celery_env: dict[str, str],
    processes: list[subprocess.Popen[bytes]],
    ladder: None,
    mail_server: MailServer,
    gateway: Gateway,
    database_path: TcpProxy | None,
    tmp_path: Path,
) -> None:
    for user in (staff_a, head_a):
        user.email = f"{user.username}@example.gov.vn"
        user.phone = f"09{user.pk:08d}"
        user.notify_by_sms = True
        user.save(update_fields=["email", "phone", "notify_by_sms"])
    with on_day(date(2023, 10, 2)):
        tasks = [
            make_task(
                text="Báo cáo sơ kết công tác",
                deadline=date(2023, 10, 30),
                assignee=staff_a,
                started=True,
            ),
            make_task(
                text="Kiện toàn tổ công tác",
                deadline=date(2023, 10, 30),
                assignee=staff_a,
                started=True,
            ),
        ]
    # The day's digests are recorded and their queue messages lost (Redis restarted, the
    # broker's folder wiped): nothing is on its way but the database's "pending".
    with on_day(DAY):
        digest_ids = services.record(services.plan(DAY))
    digests = ReminderDigest.objects.filter(pk__in=digest_ids)
    assert sorted(digests.values_list("channel", flat=True)) == sorted(
        ["email", "inapp", "sms"] * 2
    )

    env = worker_env(celery_env, mail_server, gateway, database_path)
    # 1. The mail server hangs on every message; the gateway takes each SMS but answers late.
    mail_server.mode = "hang"
    gateway.mode = "late"
    beat = start(
        ["beat", f"--schedule={tmp_path / 'beat'}", "--loglevel=INFO"], env, tmp_path / "beat.log"
    )
    processes.append(beat)
    first = start_worker(env, tmp_path / "worker-1.log")
    processes.append(first)
    wait_for(
        lambda: (
            mail_server.holding >= 1 and digests.filter(channel="email", status="sending").exists()
        ),
        60,
        "an e-mail being sent",
        tmp_path,
    )
    # 2. The worker is killed mid-send.
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    # 3. The mail server fails every message, then is down, longer than the first retries;
    #    meanwhile the database refuses the new worker's connections for a while.
    mail_server.mode = "fail"
    second = start_worker(env, tmp_path / "worker-2.log")
    processes.append(second)
    wait_for(lambda: "ready" in (tmp_path / "worker-2.log").read_text(), 30, "worker 2", tmp_path)
    assert database_down(
        database_path,
        lambda: "database is not answering" in (tmp_path / "worker-2.log").read_text(),
        at_least=5,
    ), (tmp_path / "worker-2.log").read_text()[-3000:]
    time.sleep(2)
    mail_server.stop()
    time.sleep(3)
    # 4. The mail server comes back answering late once, then well.
    mail_server.start()
    mail_server.mode = "late"
    wait_for(lambda: len(mail_server.accepted) >= 1, 60, "a late-answered e-mail", tmp_path)
    mail_server.mode = "ok"
    gateway.mode = "ok"
    wait_for(
        lambda: not digests.exclude(status="sent").exists(),
        120,
        "every digest sent",
        tmp_path,
    )

    emails = digests.filter(channel="email")
    attempts = dict(emails.values_list("recipient__username", "attempts"))
    assert all(count >= 3 for count in attempts.values()), attempts  # retried through it all
    # Exactly once per recipient, channel and day, as the servers received them.
    expected_ids = {
        digest.recipient.email: {f"<dondoc-reminder-{digest.pk}@127.0.0.1>"} for digest in emails
    }
    assert mail_server.mailbox() == expected_ids
    assert sorted(gateway.sent) == sorted(
        f"dondoc-reminder-{pk}" for pk in digests.filter(channel="sms").values_list("pk", flat=True)
    )
    assert gateway.requests >= len(gateway.sent)  # late answers were sent again, kept once
    for user in (staff_a, head_a):
        notes = Notification.objects.filter(recipient=user, message__startswith="Nhắc việc")
        assert notes.count() == 2, user  # one per task, once
    # The task page's "Đã nhắc việc" lists exactly the e-mails the mailboxes hold.
    office = Client()  # staff A sees the task pages of its unit
    office.force_login(staff_a)
    for task in tasks:
        page = office.get(f"/nhiem-vu/{task.pk}/").content.decode()
        shown = page.split('id="reminders-heading"')[1].split("</section>")[0]
        received = {
            item.message_id
            for item in mail_server.accepted
            if task.text in plain_text(item.message)
        }
        assert shown.count("Thư điện tử") == len(received) == 2, task.text
        assert ReminderItem.objects.filter(task=task, digest__status="sent").count() == 6
