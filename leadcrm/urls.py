from allauth.account import views as allauth_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.accounts import views as accounts_views
from apps.accounts.views import local_passwords_only
from apps.core import api_docs
from apps.core import views as core_views

urlpatterns = [
    # The API first: vendors post inquiries and staff tools poll it; each pattern tried
    # before it costs every request a regex match.
    path("api/v1/", include("leadcrm.api_urls")),
    path("", accounts_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("readyz/", core_views.readyz, name="readyz"),
    path("accounts/login/", allauth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("apps.accounts.urls")),
    # Django's password reset (allauth's own reset pages, below, are never reached).
    path(
        "accounts/password/reset/",
        local_passwords_only(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        local_passwords_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        local_passwords_only(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        local_passwords_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # django-allauth: two-factor set-up and sign-in, single sign-on (the paths above win).
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Pages without our <link rel="icon"> (the admin, the API docs) still ask for it here.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("routing/", include("apps.routing.urls")),
    path("alerts/", include("apps.alerts.urls")),
    path("sla/", include("apps.sla.urls")),
    # Setup: the screens managers and admins use instead of Django's admin.
    path("setup/users/", include("apps.staff.urls")),
    path("setup/intake-keys/", include("apps.intake.key_urls")),
    path("safety/", include("apps.safety.urls")),
    path("referrals/", include("apps.referrals.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("nurture/", include("apps.nurture.urls")),
    path("search/", include("apps.search.urls")),
    path("inquiries/", include("apps.intake.staff_urls")),
    path("webhooks/", include("apps.webhooks.urls")),
    path("fhir/", include("apps.fhir.urls")),
    path("privacy/", include("apps.privacy.urls")),
    path("", include("apps.queue.urls")),
    path("api/schema/", api_docs.ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs.SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", api_docs.RedocView.as_view(url_name="schema"), name="api-redoc"),
]

# django-allauth answers a sign-in over LOGIN_RATE_LIMIT with this view.
handler429 = "apps.accounts.views.too_many_sign_ins"
# JSON under /api/, the HTML page elsewhere.
handler404 = "apps.core.views.not_found"
