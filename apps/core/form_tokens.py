"""One-time form tokens: a form that creates something is saved once, however many times
it is sent (a double tap on Save, a resend after a timeout, Back and resubmit).

Each rendered form carries a fresh random token (`{% form_token %}`). The view spends it
just before saving; a token seen before means "already saved" and nothing is created.
Tokens are claimed in Redis with SET NX (`cache.add`), so two requests racing with the
same token cannot both win. A request without a token (an API client, a test) is not
guarded: the browser always sends one.
"""

import secrets

from django.core.cache import cache
from django.http import HttpRequest

FIELD_NAME = "form_token"
# Long enough for a form left open over a shift and sent twice.
TOKEN_SECONDS = 24 * 60 * 60


def form_token_new() -> str:
    return secrets.token_urlsafe(16)


def form_token_spend(request: HttpRequest) -> bool:
    """False when this form was already sent (its token spent); True otherwise."""
    token = request.POST.get(FIELD_NAME, "")
    if not token:
        return True
    if len(token) > 64:
        return False
    user_id = getattr(request.user, "pk", None) or "anonymous"
    return cache.add(f"form-token:{user_id}:{token}", 1, timeout=TOKEN_SECONDS)
