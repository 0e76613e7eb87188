from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("api-token/", views.api_token_create, name="api_token_create"),
    path("api-token/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("session/", views.session_status, name="session_status"),
    path("session/stay/", views.session_stay, name="session_stay"),
]
