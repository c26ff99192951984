"""A real Celery worker and two beat processes on the real broker: every reminder arrives once.

The broker is Redis when REDIS_URL is set (CI's PostgreSQL run), the embedded filesystem broker
otherwise; the processes share the test database. Two beats fire the daily job every second,
the worker runs it in four threads at once, and the first e-mail to each person fails: each
person must still receive exactly one e-mail, after one retry.
"""

from __future__ import annotations

import email
import subprocess
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from reminders.models import ReminderDigest
from tests.conftest import MakeTask, on_day
from tests.reminders.conftest import DAY, start, start_worker
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def delivered(mail_dir: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in mail_dir.iterdir():
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                counts[email.message_from_string(chunk.strip())["To"]] += 1
    return counts


def test_reminders_arrive_once_with_two_beats_and_a_failed_first_send(
    make_task: MakeTask,
    staff_a: User,
    head_a: User,
    celery_env: dict[str, str],
    processes: list[subprocess.Popen[bytes]],
    ladder: None,
    tmp_path: Path,
) -> None:
    for user in (staff_a, head_a):
        user.email = f"{user.username}@example.gov.vn"
        user.save(update_fields=["email"])
    with on_day(date(2023, 10, 2)):
        make_task(
            text="Báo cáo sơ kết", deadline=date(2023, 10, 30), assignee=staff_a, started=True
        )
        make_task(
            text="Báo cáo tổng kết", deadline=date(2023, 10, 30), assignee=staff_a, started=True
        )

    processes.append(start_worker(celery_env, tmp_path / "worker.log"))
    for number in (1, 2):
        processes.append(
            start(
                ["beat", f"--schedule={tmp_path / f'beat-{number}'}", "--loglevel=INFO"],
                celery_env,
                tmp_path / f"beat-{number}.log",
            )
        )

    wanted = {"staff_a@example.gov.vn", "head_a@example.gov.vn"}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if set(delivered(tmp_path / "mail")) >= wanted:
            break
        assert all(p.poll() is None for p in processes), (tmp_path / "worker.log").read_text()
        time.sleep(0.5)
    else:
        logs = "\n".join(
            (tmp_path / name).read_text()[-3000:] for name in ("worker.log", "beat-1.log")
        )
        pytest.fail(f"the reminders did not arrive in time\n{logs}")

    # Let the two beats fire the job several more times: nothing new may be sent.
    time.sleep(5)
    beat_log = (tmp_path / "beat-1.log").read_text() + (tmp_path / "beat-2.log").read_text()
    assert beat_log.count("Scheduler: Sending due task daily-reminders") >= 4

    assert delivered(tmp_path / "mail") == Counter({address: 1 for address in wanted})
    emails = ReminderDigest.objects.filter(channel="email", day=DAY)
    assert sorted(emails.values_list("status", "attempts")) == [("sent", 2), ("sent", 2)]
    in_app = ReminderDigest.objects.filter(channel="inapp", day=DAY)
    assert sorted(in_app.values_list("status", "attempts")) == [("sent", 1), ("sent", 1)]
    digest = emails.get(recipient=staff_a)
    assert digest.items.count() == 2  # both tasks in one e-mail
    assert "ConnectionRefusedError" not in digest.last_error
