"""How the intake key appears in the OpenAPI schema (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class IntakeKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.intake.authentication.IntakeKeyAuthentication"
    name = "IntakeApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Api-Key <key>`; keys are made per capture channel with "
                "`python manage.py create_intake_key <name>`."
            ),
        }
