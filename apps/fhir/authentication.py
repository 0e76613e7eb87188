"""Who may use /fhir/r4/: a sending system's OAuth 2.0 bearer token, or an intake API
key. Either way `request.auth` is an IntakeKey, and these classes are used by the FHIR
views only: a token opens nothing else."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.fhir.selectors import intake_key_for_token
from apps.intake.authentication import IntakeKeyAuthentication


class FhirBearerAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        intake_key = intake_key_for_token(raw_token=parts[1].decode("ascii", "replace"))
        if intake_key is None:
            raise AuthenticationFailed("Unknown or expired token.")
        return intake_key, intake_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="fhir"'


FHIR_AUTHENTICATION = [FhirBearerAuthentication, IntakeKeyAuthentication]
