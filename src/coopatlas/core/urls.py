"""Home, sign-in, sign-up, sign-out."""

from django.urls import path

from coopatlas.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
]
