"""The templates as Django reads them: what a person sees holds no developer's note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from units.models import User

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_comment_tag_or_variable_goes_on_to_another_line() -> None:
    """Django reads `{# … #}`, `{% … %}` and `{{ … }}` on one line only: one that goes on is
    shown on the page as text (three notes for developers were shown on the task list and the
    dashboard). A note of several lines is a `{% comment %}` block."""
    assert Template("a{# one\n two #}b").render(Context()) == "a{# one\n two #}b"  # the rule
    opened = re.compile(r"\{#(?!.*#\})|\{%(?!.*%\})|\{\{(?!.*\}\})")
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if opened.search(line)
    ]
    assert found == []


@pytest.mark.django_db
def test_the_task_list_and_the_dashboard_show_no_template_syntax(
    client: Client, office: User, leader: User
) -> None:
    for person, url in ((office, "task_list"), (leader, "dashboard")):
        client.force_login(person)
        html = client.get(reverse(url)).content.decode()
        assert "{#" not in html and "#}" not in html and "{%" not in html, url
