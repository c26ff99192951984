"""SMS through a pluggable gateway, configured like Django's e-mail backends.

DONDOC_SMS_BACKEND names the class: `reminders.sms.LogBackend` (development: messages go to the
log, numbers masked), `reminders.sms.HttpBackend` (a provider's HTTP API: DONDOC_SMS_URL,
DONDOC_SMS_TOKEN, DONDOC_SMS_SENDER), or `reminders.sms.LocmemBackend` (tests).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("dondoc.sms")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    # The same for every attempt at one message: a gateway that keeps request ids sends once.
    key: str = ""


def mask(number: str) -> str:
    return "*" * max(0, len(number) - 3) + number[-3:]


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class LogBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            logger.info("SMS to %s: %s", mask(message.to), message.text)
        return len(messages)


class LocmemBackend(BaseSmsBackend):
    outbox: ClassVar[list[SmsMessage]] = []

    def send_messages(self, messages: list[SmsMessage]) -> int:
        self.outbox.extend(messages)
        return len(messages)


class HttpBackend(BaseSmsBackend):
    """POSTs {"to", "text", "sender", "request_id"} as JSON with a bearer token (and the request
    id as the Idempotency-Key header); any non-2xx is a failure. Waits DONDOC_SMS_TIMEOUT."""

    def __init__(self) -> None:
        self.url = settings.DONDOC_SMS_URL
        self.token = settings.DONDOC_SMS_TOKEN
        self.sender = settings.DONDOC_SMS_SENDER
        if not self.url:
            raise ValueError("DONDOC_SMS_URL is required by the HTTP SMS backend.")

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            body = json.dumps(
                {
                    "to": message.to,
                    "text": message.text,
                    "sender": self.sender,
                    "request_id": message.key,
                }
            )
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
            }
            if message.key:
                headers["Idempotency-Key"] = message.key
            request = urllib.request.Request(
                self.url, data=body.encode(), headers=headers, method="POST"
            )
            timeout = settings.DONDOC_SMS_TIMEOUT
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise OSError(f"SMS gateway answered {response.status}")
        return len(messages)


def get_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.DONDOC_SMS_BACKEND)()
    return backend


def send(to: str, text: str, *, key: str = "") -> int:
    return get_backend().send_messages([SmsMessage(to=to, text=text, key=key)])
