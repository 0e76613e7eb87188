"""What the access matrix must cover, read from the URL configuration and the API schema."""

import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

API_PREFIX = "api/v1/"
# Django's admin: its URLs are generated per registered model; the admin site decides
# access the same way for all of them (is_staff), so one row stands for the site.
ADMIN_PREFIX = "admin/"


def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern outside the admin, e.g.
    ("leads/<int:lead_id>/", "queue:lead")."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                # A pattern without a name (a few of django-allauth's social-login
                # result pages) can't be linked to or reversed: nothing to try.
                if not route.startswith(ADMIN_PREFIX) and pattern.name:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found.append((route, name))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> list[tuple[str, str, str]]:
    """(URL name, method, schema path) of every operation in the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        sample = re.sub(r"\{slug\}", "x", path)
        sample = re.sub(r"\{\w+\}", "1", sample)  # every id
        name = resolve(sample).view_name
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((name, method.upper(), path))
    return operations
