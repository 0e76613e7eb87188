from django.http import HttpResponse
from django.urls import path

from bare_drf.views import InquiryListCreate

urlpatterns = [
    path("inquiries/", InquiryListCreate.as_view()),
    path("healthz/", lambda request: HttpResponse("ok")),
]
