"""Brokering pages, under /<language>/brokering/."""

from django.urls import path

from coopatlas.brokering import views

app_name = "brokering"

urlpatterns = [
    path("needs/<int:pk>/matches/", views.need_matches, name="need-matches"),
    path("solutions/<int:pk>/matches/", views.solution_matches, name="solution-matches"),
    path("match/", views.describe_need, name="describe"),
    path("suggest-tags/", views.suggest_tags_view, name="suggest-tags"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.propose_view, name="propose"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/respond/", views.proposal_respond, name="proposal-respond"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("notifications/", views.notifications, name="notifications"),
    path("queue/", views.broker_queue, name="queue"),
]
