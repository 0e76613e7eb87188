"""Fixtures shared by every app's tests."""

import pytest

from apps.core.reference_cache import reference_caches_clear

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Default stages and role groups, as migrations install them.

    Transactional tests (live server, real Celery workers) flush every table when they
    end, migration data included, so they install it again before they start.
    """
    reference_caches_clear()  # rows cached by an earlier test were rolled back
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from apps.accounts.services import role_groups_install
        from apps.pipeline.services import stage_install_defaults

        stage_install_defaults()
        role_groups_install()
    yield
    reference_caches_clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
