"""Staff API for people: only those with a lead the user may see."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import ReadsPatients
from apps.core.pagination import StrictCursorPagination
from apps.leads.selectors import (
    lead_list_for_person,
    people_shown,
    person_get_for_user,
    person_list_for_user,
)
from apps.people.filters import PersonFilter
from apps.people.models import Person
from apps.people.selectors import consents_in_force
from apps.people.serializers import PERSON_ROW_FIELDS, PersonDetailSerializer, PersonListSerializer

# A person's leads shown on their page; more are reached through the lead list.
PERSON_LEADS_SHOWN = 100


class PersonCursorPagination(StrictCursorPagination):
    """Newest first by id: the primary key is the index people are read in; there is
    none on people's created_at."""

    ordering = ("-id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PersonListApi(generics.ListAPIView):
    """People with a lead the user may see, newest first."""

    permission_classes = [ReadsPatients]

    serializer_class = PersonListSerializer
    pagination_class = PersonCursorPagination
    filterset_class = PersonFilter
    queryset = Person.objects.none()  # tells the schema generator the model; never read

    def get_queryset(self):
        return person_list_for_user(user=self.request.user).values(*PERSON_ROW_FIELDS)

    @extend_schema(operation_id="people_list", summary="List people")
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        people_shown(user=request.user, person_ids=[row["id"] for row in page], what="people (API)")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PersonDetailApi(APIView):
    """A person, the consent in force for them, and their leads the user may see."""

    permission_classes = [ReadsPatients]

    @extend_schema(
        operation_id="people_retrieve",
        summary="Get a person",
        responses={
            200: PersonDetailSerializer,
            404: OpenApiResponse(description="No such person, or none of your leads."),
        },
    )
    def get(self, request: Request, person_id: int) -> Response:
        try:
            person = person_get_for_user(user=request.user, person_id=person_id)
        except Person.DoesNotExist:
            raise Http404("No such person.") from None
        context = {
            "consents": consents_in_force(person_ids=[person.pk]),
            "leads": lead_list_for_person(user=request.user, person=person)[:PERSON_LEADS_SHOWN],
        }
        return Response(PersonDetailSerializer(person, context=context).data)
