"""No page prints template syntax: a `{# #}` comment spans one line only, so a
multi-line one once printed a developer note at the top of every page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.choices import Role
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

TEMPLATE_SYNTAX = re.compile(r"\{[#%]|[#%]\}")


def _pages(lead, source):
    return [
        reverse("home"),
        reverse("accounts:account"),
        reverse("queue:index"),
        reverse("queue:lead", args=[lead.pk]),
        reverse("alerts:list"),
        reverse("routing:rule_list"),
        reverse("routing:rule_create"),
        reverse("routing:dry_run"),
        reverse("routing:member_list"),
        reverse("routing:lead", args=[lead.pk]),
        reverse("sla:policy_list"),
        reverse("sla:policy_create"),
        reverse("referrals:directory"),
        reverse("referrals:plan"),
        reverse("referrals:visit_new"),
        reverse("referrals:import"),
        reverse("referrals:profile", args=[source.pk]),
        reverse("referrals:source_edit", args=[source.pk]),
        reverse("referrals:lead_referral", args=[lead.pk]),
        reverse("dashboards:index"),
        reverse("dashboards:leads"),
        reverse("nurture:track_list"),
        reverse("nurture:track_create"),
        reverse("nurture:failed_sends"),
        reverse("nurture:lead", args=[lead.pk]),
        reverse("search:index"),
    ]


@pytest.mark.django_db  # the page lists the single sign-on providers (allauth reads its table)
def test_login_page_prints_no_template_syntax(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert not TEMPLATE_SYNTAX.search(response.content.decode())


@pytest.mark.django_db
def test_no_signed_in_page_prints_template_syntax(client):
    team = TeamFactory()
    admin = UserFactory(roles=[Role.ADMIN, Role.MANAGER], is_staff=True, is_superuser=True)
    TeamMembershipFactory(team=team, user=admin)
    source = ReferralSourceFactory()
    lead = LeadFactory(team=team, owner=admin, referral_source=source)
    ActivityFactory(lead=lead, body="Asked about parking.")
    client.force_login(admin)
    for url in _pages(lead, source):
        response = client.get(url, follow=True)  # the home page sends a role on
        assert response.status_code == 200, url
        body = response.content.decode()
        match = TEMPLATE_SYNTAX.search(body)
        assert match is None, f"{url} prints {body[match.start() - 40 : match.end() + 40]!r}"


def test_no_template_opens_a_comment_it_does_not_close_on_the_same_line():
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            opened = line.count("{#")
            assert opened == line.count("#}"), f"{template}:{number} multi-line {{# #}}"
