"""Staff API routes for people, under /api/v1/."""

from django.urls import path

from apps.people import apis

urlpatterns = [
    path("people/", apis.PersonListApi.as_view(), name="api-person-list"),
    path("people/<int:person_id>/", apis.PersonDetailApi.as_view(), name="api-person-detail"),
]
