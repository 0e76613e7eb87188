from django.urls import path

from apps.safety import views

app_name = "safety"
urlpatterns = [
    path("test/", views.test_message, name="test_message"),
    path("phrases/", views.phrase_list, name="phrase_list"),
    path("phrases/<int:phrase_id>/switch/", views.phrase_switch, name="phrase_switch"),
    path("phrases/built-in/off/", views.built_in_switch_off, name="built_in_switch_off"),
    path("phrases/built-in/on/", views.built_in_switch_on, name="built_in_switch_on"),
]
