"""The health endpoint talks to the real database and the real broker of this run."""

from __future__ import annotations

import pytest
from django.test import Client

from config import health


@pytest.mark.django_db
def test_health_is_ok_when_the_database_and_broker_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health.app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
