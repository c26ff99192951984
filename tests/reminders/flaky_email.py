"""An e-mail backend for the Celery integration test: the first send to each address fails.

It writes files like Django's file-based backend; a marker file per address (in the folder
FLAKY_EMAIL_MARKERS) remembers the first, failed, attempt across worker processes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend


class FlakyFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        markers = Path(os.environ["FLAKY_EMAIL_MARKERS"])
        for message in email_messages:
            marker = markers / message.to[0]
            if not marker.exists():
                marker.write_text("failed once")
                raise ConnectionRefusedError(f"simulated SMTP failure for {message.to[0]}")
        return super().send_messages(email_messages)
