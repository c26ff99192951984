"""A real Celery worker and beat deliver a webhook: the message handed to the queue is lost, the
receiver fails the first post, and the event still arrives exactly once more, same key, signed.

The processes share the test database and the real broker (Redis when REDIS_URL is set). The
test process hands its message to a queue the worker does not read: the sweeper must find the
delivery by itself, as after a lost message.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from api import webhooks
from api.models import Webhook, WebhookDelivery
from directives import services
from tests.api.receiver import receiver
from tests.conftest import MakeTask, on_day
from tests.reminders.conftest import start, start_worker
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_webhook_arrives_once_after_a_lost_message_and_a_failed_post(
    make_task: MakeTask,
    staff_a: User,
    head_a: User,
    office: User,
    celery_env: dict[str, str],
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    celery_env.update(
        DONDOC_WEBHOOK_SWEEP_SECONDS="1",
        DONDOC_WEBHOOK_RETRY_BACKOFF="1",
        DONDOC_WEBHOOK_REQUEUE_SECONDS="1",
    )
    with on_day(date(2023, 10, 2)):
        task = make_task(deadline=date(2023, 10, 30), assignee=staff_a, started=True)
    with receiver(answers=[500]) as server:
        hook = Webhook.objects.create(
            name="Hệ thống số liệu", url=server.url, user=staff_a, created_by=office
        )
        services.report_progress(actor=staff_a, task=task, note="Đã triển khai", progress=30)
        delivery = WebhookDelivery.objects.get()

        processes.append(start_worker(celery_env, tmp_path / "worker.log"))
        for number in (1, 2):  # two beats: the sweep is asked twice as often
            processes.append(
                start(
                    ["beat", f"--schedule={tmp_path / f'beat-{number}'}", "--loglevel=INFO"],
                    celery_env,
                    tmp_path / f"beat-{number}.log",
                )
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.status == "delivered":
                break
            assert all(p.poll() is None for p in processes), (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
        else:
            log = (tmp_path / "worker.log").read_text()[-3000:]
            pytest.fail(f"the webhook was not delivered in time ({delivery.status})\n{log}")
        time.sleep(4)  # the beats go on sweeping: nothing more may be posted
        received = list(server.received)

    assert len(received) == 2, [r.headers["X-DonDoc-Delivery"] for r in received]
    assert {r.headers["X-DonDoc-Delivery"] for r in received} == {str(delivery.key)}
    assert received[0].body == received[1].body
    for request in received:
        assert webhooks.verify(
            hook.secret,
            timestamp=request.headers["X-DonDoc-Timestamp"],
            body=request.body,
            signature_header=request.headers["X-DonDoc-Signature"],
        )
    assert json.loads(received[0].body)["task"]["id"] == task.pk
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)
    beat_log = (tmp_path / "beat-1.log").read_text()
    assert "Sending due task sweep-webhooks" in beat_log
