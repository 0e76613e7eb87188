from django.urls import path

from apps.intake.apis import IntakeApi

urlpatterns = [
    path("intake/", IntakeApi.as_view(), name="intake"),
]
