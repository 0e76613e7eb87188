"""Response headers every signed-in page needs."""

from django.utils.cache import add_never_cache_headers


class SignedInPagesNotStoredMiddleware:
    """Pages a signed-in user sees change under them (a note added, a stage moved) and
    show patient data: the browser must neither keep them in its cache nor serve them
    from there on Back or Forward. After adding a note, Back then Forward showed the lead
    page without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, private, max-age=0
        return response
