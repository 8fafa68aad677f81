"""Home, accounts, contribution and moderation pages."""

from django.urls import path

from coopatlas.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", views.SignOutView.as_view(), name="logout"),
    path("accounts/sign-up/", views.signup, name="signup"),
    path("accounts/tokens/", views.api_tokens, name="api-tokens"),
    path("contribute/", views.contribute, name="contribute"),
    path("moderation/", views.moderation_queue, name="moderation"),
]
