import pytest

from tests.browser import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_logs_in_and_sees_their_name(page):
    UserFactory(username="manager1", first_name="Avery", roles=["manager"])
    log_in(page, username="manager1", password="correct-horse-battery")
    assert "/accounts/login/" not in page.url
    # a manager's home is the dashboards; the top bar names who is signed in
    assert page.url.endswith("/dashboards/")
    assert page.get_by_title("Your account").inner_text().startswith("Avery")


def test_wrong_password_shows_an_error_and_stays_on_login(page):
    UserFactory(username="coordinator2")
    log_in(page, username="coordinator2", password="wrong-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
