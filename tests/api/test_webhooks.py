"""Outgoing webhooks: each task event posted to a real HTTP server, signed, with the same key on
every retry; never sent twice once received; only the events of the tasks the webhook's account
sees; nothing for a change rolled back; the office's pages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import webhooks
from api.models import Webhook, WebhookDelivery
from api.tasks import deliver_webhook
from directives import services
from directives.models import Task
from tests.api.receiver import Received, receiver
from tests.conftest import MakeTask, on_day
from units.models import User

pytestmark = pytest.mark.django_db

DAY = date(2023, 10, 2)


def hook_for(user: User, office: User, url: str, **fields: Any) -> Webhook:
    fields.setdefault("name", "Hệ thống số liệu")
    return Webhook.objects.create(url=url, user=user, created_by=office, **fields)


def progress(task: Task, actor: User, value: int = 40) -> None:
    services.report_progress(actor=actor, task=task, note="Đã họp triển khai", progress=value)


def signed_by(hook: Webhook, request: Received) -> bool:
    return webhooks.verify(
        hook.secret,
        timestamp=request.headers["X-DonDoc-Timestamp"],
        body=request.body,
        signature_header=request.headers["X-DonDoc-Signature"],
    )


@pytest.fixture
def task_a(make_task: MakeTask, staff_a: User, head_a: User) -> Task:
    with on_day(DAY):
        return make_task(deadline=date(2023, 10, 30), assignee=staff_a, started=True)


def test_an_event_is_posted_signed_and_never_twice(
    task_a: Task, staff_a: User, office: User
) -> None:
    with receiver() as server:
        hook = hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.kind == "progress"

        assert deliver_webhook(delivery.pk) == "delivered"
        assert deliver_webhook(delivery.pk) == "already"  # a second message, a second worker
        assert webhooks.deliver(delivery.pk) == "already"

    assert len(server.received) == 1
    request = server.received[0]
    assert signed_by(hook, request)
    body = json.loads(request.body)
    assert body["id"] == request.headers["X-DonDoc-Delivery"] == str(delivery.key)
    assert body["type"] == request.headers["X-DonDoc-Event"] == "progress"
    assert body["task"]["id"] == task_a.pk and body["task"]["progress"] == 40
    assert body["task"]["lead_unit_name"] == task_a.lead_unit.name
    assert body["event"]["note"] == "Đã họp triển khai"
    assert body["url"].endswith(reverse("task_detail", args=[task_a.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert webhooks.due_for_delivery(timezone.now() + timedelta(days=1)).count() == 0


def test_a_failed_post_is_retried_later_with_the_same_key_and_body(
    task_a: Task, staff_a: User, office: User
) -> None:
    with receiver(answers=[503]) as server:
        hook = hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(webhooks.DeliveryError):
            webhooks.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 1, 503)
        assert "loi tam thoi" in delivery.last_error
        assert delivery.next_attempt_at is not None
        # Not due yet: nobody sends it before its time.
        assert not webhooks.due_for_delivery().exists()
        assert webhooks.deliver(delivery.pk) == "already"
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            assert list(webhooks.due_for_delivery()) == [delivery]
            assert webhooks.deliver(delivery.pk) == "delivered"

    first, second = server.received
    assert first.body == second.body
    assert first.headers["X-DonDoc-Delivery"] == second.headers["X-DonDoc-Delivery"]
    assert signed_by(hook, first) and signed_by(hook, second)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_given_up_after_the_last_attempt_then_sent_again_by_the_office(
    task_a: Task, staff_a: User, office: User, client: Client
) -> None:
    with receiver(answers=[500]) as server:
        hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=webhooks.MAX_ATTEMPTS - 1)
        with pytest.raises(webhooks.DeliveryError):
            webhooks.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == "given_up" and delivery.next_attempt_at is None
        far = timezone.now() + timedelta(days=30)
        assert not webhooks.due_for_delivery(far).exists()

        client.force_login(office)
        page = client.post(reverse("webhook_resend", args=[delivery.pk]), follow=True)
        assert "Đã xếp gửi lại" in page.content.decode()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert webhooks.deliver(delivery.pk) == "delivered"
        again = client.post(reverse("webhook_resend", args=[delivery.pk]), follow=True)
        assert "đã nhận; không gửi lại" in again.content.decode()
    assert [r.headers["X-DonDoc-Delivery"] for r in server.received] == [str(delivery.key)] * 2


def test_a_redirect_is_not_followed(task_a: Task, staff_a: User, office: User) -> None:
    with receiver(answers=[302]) as server:
        hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(webhooks.DeliveryError):
            webhooks.deliver(delivery.pk)
    assert [r.path for r in server.received] == ["/hook"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status) == ("failed", 302)


def test_a_delivery_held_by_a_worker_is_not_sent_by_another_until_its_lease_runs_out(
    task_a: Task, staff_a: User, office: User
) -> None:
    with receiver() as server:
        hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        # Another worker took it (and died before it could post).
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status="sending", attempts=1, lease_until=timezone.now() + webhooks.LEASE
        )
        assert webhooks.deliver(delivery.pk) == "already"
        assert not webhooks.due_for_delivery().exists()
        with time_machine.travel(timezone.now() + webhooks.LEASE + timedelta(seconds=1)):
            assert list(webhooks.due_for_delivery()) == [delivery]
            assert webhooks.deliver(delivery.pk) == "delivered"
    assert len(server.received) == 1


def test_only_the_events_a_webhook_may_see_and_wants(
    task_a: Task, staff_a: User, staff_b: User, head_a: User, office: User
) -> None:
    url = "http://127.0.0.1:9/hook"
    other_unit = hook_for(staff_b, office, url, name="Đơn vị B")
    only_accepted = hook_for(office, office, url, name="Chỉ xác nhận", kinds=["accepted"])
    switched_off = hook_for(office, office, url, name="Đã tắt", is_active=False)
    everything = hook_for(head_a, office, url, name="Đơn vị A")
    progress(task_a, staff_a)
    assert list(WebhookDelivery.objects.values_list("webhook__name", flat=True)) == ["Đơn vị A"]
    assert not WebhookDelivery.objects.filter(
        webhook__in=[other_unit, only_accepted, switched_off]
    ).exists()

    # A change rolled back sends nothing: the deliveries are written in its transaction.
    with pytest.raises(RuntimeError), transaction.atomic():
        progress(task_a, staff_a, 60)
        raise RuntimeError("rolled back")
    assert WebhookDelivery.objects.filter(webhook=everything).count() == 1

    services.report_completion(actor=staff_a, task=task_a, note="Xong")
    task_a.refresh_from_db()
    if task_a.awaiting_head:
        services.forward_completion(actor=head_a, task=task_a)
    services.accept_completion(actor=office, task=task_a)
    assert WebhookDelivery.objects.filter(webhook=only_accepted).get().kind == "accepted"
    assert not WebhookDelivery.objects.filter(webhook__in=[other_unit, switched_off]).exists()


def test_a_switched_off_webhook_keeps_what_is_owed_until_switched_on(
    task_a: Task, staff_a: User, office: User, client: Client
) -> None:
    with receiver() as server:
        hook = hook_for(staff_a, office, server.url)
        progress(task_a, staff_a)
        delivery = WebhookDelivery.objects.get()
        client.force_login(office)
        client.post(reverse("webhook_toggle", args=[hook.pk]))
        assert webhooks.deliver(delivery.pk) == "already"
        client.post(reverse("webhook_toggle", args=[hook.pk]))
        assert webhooks.deliver(delivery.pk) == "delivered"
    assert len(server.received) == 1


def test_verify_refuses_a_wrong_secret_a_changed_body_and_an_old_signature() -> None:
    body = b'{"id":"x"}'
    now = 1_700_000_000
    good = webhooks.signature("bi-mat", str(now), body)
    assert webhooks.verify("bi-mat", timestamp=str(now), body=body, signature_header=good, now=now)
    assert not webhooks.verify(
        "khac", timestamp=str(now), body=body, signature_header=good, now=now
    )
    assert not webhooks.verify(
        "bi-mat", timestamp=str(now), body=body + b" ", signature_header=good, now=now
    )
    assert not webhooks.verify(
        "bi-mat", timestamp=str(now), body=body, signature_header=good, now=now + 301
    )
    assert not webhooks.verify("bi-mat", timestamp="abc", body=body, signature_header=good)


def test_the_office_adds_a_webhook_sees_the_secret_once_and_sends_a_test(
    client: Client, office: User, staff_a: User
) -> None:
    client.force_login(office)
    refused = client.post(
        reverse("webhooks"), {"name": "Trục", "url": "ftp://127.0.0.1/x", "user": staff_a.pk}
    )
    assert refused.status_code == 400 and not Webhook.objects.exists()
    assert "URL" in refused.content.decode() or "địa chỉ" in refused.content.decode().lower()

    with receiver() as server:
        page = client.post(
            reverse("webhooks"),
            {"name": "Trục", "url": server.url, "user": staff_a.pk, "kinds": ["accepted"]},
            follow=True,
        )
        hook = Webhook.objects.get()
        assert hook.kinds == ["accepted"] and hook.created_by == office
        assert page.context["secret"] == hook.secret and hook.secret in page.content.decode()
        later = client.get(reverse("webhook_detail", args=[hook.pk])).content.decode()
        assert hook.secret not in later

        old_secret = hook.secret
        client.post(reverse("webhook_secret", args=[hook.pk]), follow=True)
        hook.refresh_from_db()
        assert hook.secret != old_secret

        client.post(reverse("webhook_ping", args=[hook.pk]), follow=True)
        ping = WebhookDelivery.objects.get(kind="ping")
        assert webhooks.deliver(ping.pk) == "delivered"
    assert len(server.received) == 1 and signed_by(hook, server.received[0])
    assert json.loads(server.received[0].body)["type"] == "ping"
    listing = client.get(reverse("webhook_detail", args=[hook.pk])).content.decode()
    assert f'data-delivery="{ping.pk}" data-status="delivered"' in listing

    edited = client.post(
        reverse("webhook_detail", args=[hook.pk]),
        {"name": "", "url": server.url, "user": staff_a.pk},
    )
    assert edited.status_code == 400
    hook.refresh_from_db()
    assert hook.name == "Trục"


def test_a_fault_while_queueing_never_refuses_the_persons_change(
    task_a: Task, staff_a: User, office: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_for(staff_a, office, "http://127.0.0.1:9/hook")

    def broken(event: object) -> dict[str, Any]:
        raise RuntimeError("serializer fault")

    monkeypatch.setattr(webhooks, "_event_content", broken)
    progress(task_a, staff_a, 70)
    task_a.refresh_from_db()
    assert task_a.progress == 70 and task_a.events.filter(kind="progress").exists()
    assert not WebhookDelivery.objects.exists()
