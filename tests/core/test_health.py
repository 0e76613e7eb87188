import socket

import pytest

from tests.factories import UserFactory


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any database access here would fail the test.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_migrations_and_redis_are(client):
    client.force_login(UserFactory())
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_readyz_tells_anonymous_callers_only_up_or_down(client, settings):
    assert client.get("/readyz/").json() == {"status": "ok"}
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
def test_probes_answer_whatever_the_host_header(client, settings, path):
    # An orchestrator probes the container by address, not by the public host name.
    settings.ALLOWED_HOSTS = ["crm.example.org"]
    response = client.get(path, HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get("/accounts/login/", HTTP_HOST="10.0.3.7:8000").status_code == 400


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe closes


@pytest.mark.django_db
def test_readyz_answers_503_naming_redis_when_redis_is_unreachable(client, settings):
    client.force_login(UserFactory())
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")


@pytest.mark.django_db
def test_readyz_answers_503_when_redis_hangs_without_waiting_long(client, settings):
    client.force_login(UserFactory())
    # A listener that accepts connections and never answers, like a stopped Redis.
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        settings.REDIS_URL = f"redis://127.0.0.1:{hanging.getsockname()[1]}/0"
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
