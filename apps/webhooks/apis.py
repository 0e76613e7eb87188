"""Staff API for webhooks (managers and admins): endpoints, their delivery log, and
send again. Reads through apps.webhooks.selectors, writes through its services."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import service_errors_as_400
from apps.core.pagination import StrictCursorPagination
from apps.webhooks import selectors, services
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)


class ManagesWebhooks(BasePermission):
    def has_permission(self, request, view) -> bool:
        return selectors.user_manages_webhooks(user=request.user)


class ById(StrictCursorPagination):
    ordering = "-id"
    page_size = 50


class EndpointListCreate(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = WebhookEndpointSerializer
    pagination_class = ById

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return WebhookEndpoint.objects.none()
        return selectors.webhook_endpoint_list(user=self.request.user)

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        with service_errors_as_400():
            endpoint = services.webhook_endpoint_create(
                owner=request.user,
                url=fields["url"],
                event_types=fields["event_types"],
                description=fields.get("description", ""),
            )
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status.HTTP_201_CREATED)


class EndpointDetail(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = WebhookEndpointSerializer
    http_method_names = ["get", "patch", "delete"]
    queryset = WebhookEndpoint.objects.none()  # for the schema; get_object reads the selector

    def get_object(self) -> WebhookEndpoint:
        try:
            return selectors.webhook_endpoint_get(
                user=self.request.user, endpoint_id=self.kwargs["endpoint_id"]
            )
        except WebhookEndpoint.DoesNotExist:
            raise Http404("No such endpoint.") from None

    def perform_update(self, serializer) -> None:
        with service_errors_as_400():
            services.webhook_endpoint_update(
                endpoint=serializer.instance, **serializer.validated_data
            )

    def perform_destroy(self, instance) -> None:
        services.webhook_endpoint_delete(endpoint=instance)


class DeliveryList(generics.ListAPIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = WebhookDeliverySerializer
    pagination_class = ById

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return WebhookDelivery.objects.none()
        try:
            endpoint = selectors.webhook_endpoint_get(
                user=self.request.user, endpoint_id=self.kwargs["endpoint_id"]
            )
        except WebhookEndpoint.DoesNotExist:
            raise Http404("No such endpoint.") from None
        return WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")


class DeliveryResend(APIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]

    @extend_schema(
        request=None,
        responses={
            202: WebhookDeliverySerializer,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Still on its way, or its endpoint is off: {delivery: [message]}.",
            ),
        },
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        try:
            delivery = selectors.webhook_delivery_get(user=request.user, delivery_id=delivery_id)
        except WebhookDelivery.DoesNotExist:
            raise Http404("No such delivery.") from None
        with service_errors_as_400():
            delivery = services.webhook_delivery_resend(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status.HTTP_202_ACCEPTED)
