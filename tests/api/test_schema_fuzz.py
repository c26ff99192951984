"""Schemathesis against the app's own OpenAPI schema: every operation with generated
paths, queries and bodies, sent as the office (the widest rights) through Django's test
client (the database is the test's): never a 5xx."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from api.models import ApiToken
from units.models import User

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def office_api(office: User, make_task: Any) -> Client:
    make_task(deadline=date(2023, 10, 30))
    _, key = ApiToken.issue(name="schemathesis", user=office, created_by=office)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_without_a_5xx(
    case: schemathesis.Case, office_api: Client
) -> None:
    path = case.formatted_path
    query = case.query or {}
    if case.method.upper() == "GET":
        response = office_api.get(path, query)
    else:
        body = case.body if case.body is not schemathesis.core.NOT_SET else None
        if case.media_type and "json" in case.media_type:
            response = office_api.generic(
                case.method.upper(),
                path,
                json.dumps(body, default=repr),
                content_type="application/json",
                QUERY_STRING="&".join(f"{k}={v}" for k, v in query.items()),
            )
        else:
            form = body if isinstance(body, dict) else {}
            # A form carries text: None is left out, anything else written as text.
            fields = {
                k: v if isinstance(v, str | bytes) else json.dumps(v, default=repr)
                for k, v in form.items()
                if v is not None
            }
            response = office_api.post(path, fields)
    assert response.status_code < 500, (case.method, path, response.content[:500])
