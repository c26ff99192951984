"""Lockout after repeated failed logins, and the security headers of every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from units.models import User

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_account_for_that_address(
    client: Client, staff_a: User
) -> None:
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": "staff_a", "password": "sai"})
        assert response.status_code == 200 and "Vui lòng điền vào" in response.content.decode()
    locked = client.post(url, {"username": "staff_a", "password": "sai"})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # Even the right password is refused while locked.
    again = client.post(url, {"username": "staff_a", "password": "pw-for-tests"})
    assert again.status_code == 429
    # Another account is not affected.
    other = User.objects.create_user(
        username="khac", password="pw-for-tests", role=User.Role.LEADER
    )
    assert (
        client.post(url, {"username": other.username, "password": "pw-for-tests"}).status_code
        == 302
    )


def test_every_page_carries_a_content_security_policy_without_inline_script(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file


def test_an_over_long_username_is_refused_with_a_message_not_a_500(client: Client) -> None:
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "0" * 300, "password": "0"})
    assert response.status_code == 200
    assert "Tên đăng nhập không dài quá 150 ký tự." in response.content.decode()
    assert not AccessAttempt.objects.exists()  # nothing reached the lockout records


def test_a_session_signed_out_is_gone_for_every_copy_of_its_cookie(
    client: Client, staff_a: User
) -> None:
    """Signing out ends the session itself, not only the browser's cookie: a copied cookie no
    longer signs anyone in."""
    assert (
        client.post(
            reverse("login"), {"username": "staff_a", "password": "pw-for-tests"}
        ).status_code
        == 302
    )
    other = Client()
    other.cookies["sessionid"] = client.cookies["sessionid"].value
    assert other.get(reverse("task_list")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    response = other.get(reverse("task_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
