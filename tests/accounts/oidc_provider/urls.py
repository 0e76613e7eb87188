from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", LoginView.as_view(template_name="idp_login.html"), name="login"),
    # No icon, and no 404 in the browser's console either.
    path("favicon.ico", lambda request: HttpResponse(status=204)),
]
