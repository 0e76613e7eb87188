import socket

import pytest


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any database access here would fail the test.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_migrations_and_redis_are(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe closes


@pytest.mark.django_db
def test_readyz_answers_503_naming_redis_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")


@pytest.mark.django_db
def test_readyz_answers_503_when_redis_hangs_without_waiting_long(client, settings):
    # A listener that accepts connections and never answers, like a stopped Redis.
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(8)
        settings.REDIS_URL = f"redis://127.0.0.1:{hanging.getsockname()[1]}/0"
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
