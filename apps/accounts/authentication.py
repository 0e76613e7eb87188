"""Token authentication for the staff API in one query.

DRF's TokenAuthentication reads the token with its user, and the first role check
(apps.accounts.selectors.user_has_role) then reads the user's groups: two queries and
two SQL compilations on every API request, about a sixth of a lead list page's CPU.
Here one statement returns the user, the token's creation time and the user's role
names. It is compiled by the ORM once per process (so it follows the models) and run
on a plain cursor: a RawQuerySet cost twice as much CPU as the statement itself.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.accounts.selectors import api_token_expires_at

_KEY_PLACEHOLDER = "token-key"


class StaffTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` (DRF authtoken), with the user's roles read alongside.

    Same answers as DRF's class: 401 "Invalid token." for an unknown key, "User
    inactive or deleted." for a deactivated user; request.auth is the Token. And one
    more: "Token expired." STAFF_API_TOKEN_DAYS after the token was made.
    """

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        query = _user_by_token_query()
        connection = connections[query.using]
        with connection.cursor() as cursor:
            cursor.execute(query.sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = list(row)
        for index, (converters, expression) in query.converters.items():
            for converter in converters:
                values[index] = converter(values[index], expression, connection)
        columns = dict(zip(query.columns, values, strict=True))
        role_names = columns.pop("token_role_names")
        created = columns.pop("token_created")
        user = User.from_db(query.using, list(columns), list(columns.values()))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if api_token_expires_at(created_at=created) <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired."))
        # What user_has_role would otherwise query on the first check of the request.
        user._role_names = set(role_names)
        token = Token.from_db(query.using, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return user, token


@dataclass(frozen=True)
class _CompiledQuery:
    using: str
    sql: str
    columns: tuple[str, ...]
    converters: dict[int, tuple[list, Any]]  # as SQLCompiler.get_converters() gives them


@cache
def _user_by_token_query() -> _CompiledQuery:
    """Every concrete column of the user, the token's creation time and the user's role
    names, for one token key."""
    users = (
        User.objects.filter(auth_token__key=_KEY_PLACEHOLDER)
        .order_by()
        .annotate(
            token_created=F("auth_token__created"),
            token_role_names=ArraySubquery(
                Group.objects.filter(user=OuterRef("pk")).values("name")
            ),
        )
        .values(
            *(field.attname for field in User._meta.concrete_fields),
            "token_created",
            "token_role_names",
        )
    )
    compiler = users.query.get_compiler(using=users.db)
    sql, params = compiler.as_sql()
    if tuple(params) != (_KEY_PLACEHOLDER,):
        raise AssertionError(f"Expected the token key as the only parameter, got {params!r}")
    query = users.query
    return _CompiledQuery(
        using=users.db,
        sql=sql,
        # The order ValuesIterable reads a row in.
        columns=(*query.extra_select, *query.values_select, *query.annotation_select),
        converters=compiler.get_converters([expression for expression, _, _ in compiler.select]),
    )
