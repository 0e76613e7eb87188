"""Runs the test OpenID Connect provider: migrates its SQLite file, adds one staff member
in the given groups and LeadCRM as a client, then serves 127.0.0.1:IDP_PORT.

Started as a subprocess by tests/accounts/test_sso.py; everything comes from IDP_*
environment variables."""

import os
import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.accounts.oidc_provider.settings"

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    env = os.environ
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(
        username=env["IDP_USERNAME"],
        password=env["IDP_PASSWORD"],
        email=env["IDP_EMAIL"],
        first_name=env["IDP_FIRST_NAME"],
        last_name=env["IDP_LAST_NAME"],
    )
    for name in filter(None, env["IDP_GROUPS"].split(",")):
        user.groups.add(Group.objects.create(name=name))
    Application.objects.create(
        name="LeadCRM",
        client_id=env["IDP_CLIENT_ID"],
        client_secret=env["IDP_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=env["IDP_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1",
        int(env["IDP_PORT"]),
        WSGIHandler(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
