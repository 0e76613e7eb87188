"""The OpenAPI schema and its docs (Swagger UI), served by the app itself.

Swagger UI comes from drf-spectacular-sidecar (no CDN). In production only signed-in
staff may read them: the schema maps every endpoint an attacker could try. No ReDoc:
it builds inline styles at run time, starts a worker from a blob and loads its logo
from a CDN, none of which the Content-Security-Policy allows.
"""

from django.conf import settings
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny, IsAuthenticated


class _StaffInProduction:
    def get_permissions(self):
        # Read per request (not at import, as SPECTACULAR_SETTINGS' SERVE_PERMISSIONS is).
        permission = IsAuthenticated if settings.PRODUCTION else AllowAny
        return [permission()]


class ApiSchemaView(_StaffInProduction, SpectacularAPIView):
    pass


class SwaggerView(_StaffInProduction, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file of its own (?script), so
    the page runs under the Content-Security-Policy without inline scripts."""
