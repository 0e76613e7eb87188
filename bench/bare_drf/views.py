from rest_framework import generics
from rest_framework.pagination import CursorPagination

from bare_drf.models import Inquiry
from bare_drf.serializers import InquirySerializer


class NewestFirst(CursorPagination):
    page_size = 50
    ordering = "-created_at"


class InquiryListCreate(generics.ListCreateAPIView):
    queryset = Inquiry.objects.all()
    serializer_class = InquirySerializer
    pagination_class = NewestFirst
