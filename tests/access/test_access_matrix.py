"""The access matrix (tests/access/matrix.py), checked against every URL and API
operation for every role, plus that the table covers every URL and operation."""

import json
import os
import re
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.access.matrix import ANY_LEAD_ID, FIELDS, PATIENT_ROLES, ROLES, ROWS
from tests.access.urls import API_PREFIX, api_operations, url_patterns
from tests.access.world import MISSING, SECRETS, world_build

pytestmark = pytest.mark.django_db

ROUTES = dict((name, route) for route, name in url_patterns())


def _client(world, role: str, *, api: bool):
    user = world.users[role]
    if api:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(world, name: str, *, lead=None) -> str:
    route = ROUTES[name]
    known = world.kwargs(name)
    # An argument the world has no object for names one that does not exist.
    kwargs = {
        key: known.get(key, "x" if kind in ("slug", "str") else MISSING)
        for kind, key in re.findall(r"<(?:(\w+):)?(\w+)>", route)
    }
    if lead is not None and "lead_id" in kwargs:
        kwargs["lead_id"] = lead.pk
    return reverse(name, kwargs=kwargs)


def _request(world, name: str, method: str, role: str, *, lead=None):
    api = ROUTES[name].startswith(API_PREFIX)
    client = _client(world, role, api=api)
    url = _url(world, name, lead=lead)
    query = world.query(name)
    if method == "GET":
        return client.get(url, query)
    if api:
        return client.generic(method, url, json.dumps(query), content_type="application/json")
    return client.generic(
        method, url, urlencode(query), content_type="application/x-www-form-urlencoded"
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_every_url_has_its_rows():
    covered = {row.name for row in ROWS}
    missing = sorted(set(ROUTES) - covered)
    assert not missing, f"URLs with no row in tests/access/matrix.py: {missing}"


def test_every_row_names_a_url_that_exists():
    gone = sorted({row.name for row in ROWS} - set(ROUTES))
    assert not gone, f"Rows for URLs that no longer exist: {gone}"


def test_every_api_operation_has_its_row():
    covered = {(row.name, row.method) for row in ROWS}
    missing = sorted(
        f"{method} {path}"
        for name, method, path in api_operations()
        if (name, method) not in covered
    )
    assert not missing, f"API operations with no row in tests/access/matrix.py: {missing}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.method} {row.name}" for row in ROWS])
def test_each_role_gets_its_answer_and_no_patient_it_may_not_see(row):
    world = world_build()
    wrong, leaked = [], []
    for role in ROLES:
        response = _request(world, row.name, row.method, role)
        expected = getattr(row, role)
        if response.status_code != expected:
            wrong.append(f"{role}: {response.status_code}, expected {expected}")
        if role not in PATIENT_ROLES:
            body = _body(response)
            leaked += [f"{role}: {secret!r}" for secret in SECRETS if secret in body]
    assert not wrong, "; ".join(wrong)
    assert not leaked, "patient data shown: " + "; ".join(leaked)


@pytest.mark.parametrize(("name", "method"), sorted(FIELDS))
def test_each_role_gets_only_its_fields(name, method):
    world = world_build()
    for role, expected in FIELDS[(name, method)].items():
        response = _request(world, name, method, role)
        assert response.status_code == 200, (role, response.status_code)
        payload = response.json()
        shapes = payload.get("results", [payload])
        assert shapes, role
        for shape in shapes:
            assert set(shape) == expected, (role, set(shape) ^ expected)


LEAD_ROWS = [
    row
    for row in ROWS
    if "<int:lead_id>" in ROUTES.get(row.name, "")
    and 200 <= row.coordinator < 400
    and row.name not in ANY_LEAD_ID
]


@pytest.mark.parametrize("row", LEAD_ROWS, ids=[f"{row.method} {row.name}" for row in LEAD_ROWS])
def test_another_teams_lead_answers_404_never_403(row):
    world = world_build()
    for role in ("coordinator", "liaison"):
        response = _request(world, row.name, row.method, role, lead=world.other_lead)
        allowed_here = 200 <= getattr(row, role) < 400
        if allowed_here:
            assert response.status_code == 404, (role, response.status_code)


@pytest.mark.skipif(not os.environ.get("ACCESS_MATRIX_DISCOVER"), reason="writes a draft table")
def test_discover_answers():
    """ACCESS_MATRIX_DISCOVER=/tmp/rows.py: the answers as they are, a draft to review
    (only the URLs without a row yet; ACCESS_MATRIX_DISCOVER_ALL=1 for every URL)."""
    lines = []
    api_methods = {}
    for name, method, _ in api_operations():
        api_methods.setdefault(name, []).append(method)
    covered = {row.name for row in ROWS}
    for route, name in url_patterns():
        if name in covered and not os.environ.get("ACCESS_MATRIX_DISCOVER_ALL"):
            continue
        methods = api_methods.get(name) or ["GET", "POST"]
        if route.startswith(API_PREFIX) and name not in api_methods:
            methods = ["GET", "POST"]
        for method in methods:
            with transaction.atomic():
                world = world_build()
                answers = [_request(world, name, method, role).status_code for role in ROLES]
                transaction.set_rollback(True)
            if method == "POST" and all(code == 405 for code in answers[:5]):
                continue
            cells = ", ".join(f"{code:>3}" for code in answers)
            lines.append(f"    Row({name!r:<36}, {method!r:<8}, {cells}),")
    with open(os.environ["ACCESS_MATRIX_DISCOVER"], "w") as out:
        out.write("\n".join(lines) + "\n")
