"""The OpenAPI schema and its docs (Swagger UI and ReDoc), served by the app itself.

Both come from drf-spectacular-sidecar (no CDN). In production only signed-in staff may
read them: the schema maps every endpoint an attacker could try.
"""

from csp.decorators import csp_update
from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
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


# ReDoc styles its page with styled-components, which writes <style> elements at run time
# (no nonce can reach the prebuilt bundle), and runs its search in a worker made from a
# blob: allowed on this page only. Scripts stay 'self' (templates/drf_spectacular/redoc.html).
@method_decorator(
    csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}), name="dispatch"
)
class RedocView(_StaffInProduction, SpectacularRedocView):
    """ReDoc, from drf-spectacular-sidecar, started by static/js/redoc.js."""
