from oauth2_provider.oauth2_validators import OAuth2Validator


class StaffValidator(OAuth2Validator):
    """Claims as a hospital's identity provider sends them, the groups claim included."""

    oidc_claim_scope = None  # every claim whatever the scope, as Entra ID's groups claim

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
