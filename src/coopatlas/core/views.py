"""Home page, accounts (sign-in with throttling, sign-up, API tokens), contribution and moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coopatlas.core import registry
from coopatlas.core.forms import SignUpForm, ThrottledAuthenticationForm
from coopatlas.core.models import ApiToken, WorkflowStatus
from coopatlas.core.tokens import issue_token


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what CoopAtlas holds, with counts of published records per type."""
    counts = [(rt, rt.model.objects.published().count()) for rt in registry.REGISTRY.values()]
    return render(request, "core/home.html", {"counts": counts})


class SignInView(LoginView):
    """Sign-in with throttling of repeated failures."""

    template_name = "registration/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    """Sign-out (POST only, as Django requires)."""


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, then register or join an organisation."""
    if request.user.is_authenticated:
        return redirect("core:contribute")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Register your organisation, or ask its manager to add you."))
        return redirect("core:contribute")
    return render(request, "registration/signup.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
def contribute(request: HttpRequest) -> HttpResponse:
    """The contributor's desk: their organisations, their records by status, and links to create records."""
    org_ids = request.user.organisation_ids()
    sections = []
    for rt in registry.REGISTRY.values():
        records = rt.model.objects.editable_by(request.user).order_by("-updated_at")[:50] if org_ids or request.user.is_moderator else []
        sections.append((rt, records))
    return render(request, "core/contribute.html", {"sections": sections, "has_organisation": bool(org_ids)})


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Records waiting for a moderator, oldest first, and recently deleted records."""
    if not request.user.is_moderator:
        raise PermissionDenied(_("Only moderators see the moderation queue."))
    waiting = []
    deleted = []
    for rt in registry.REGISTRY.values():
        waiting += [(rt, r) for r in rt.model.objects.alive().filter(workflow_status=WorkflowStatus.SUBMITTED).order_by("updated_at")[:200]]
        deleted += [(rt, r) for r in rt.model.objects.deleted().order_by("-deleted_at")[:50]]
    return render(request, "core/moderation.html", {"waiting": waiting, "deleted": deleted})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Create and revoke API tokens; a new token's secret is shown once."""
    new_secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            ApiToken.objects.filter(user=request.user, pk=request.POST.get("revoke")).update(revoked_at=timezone.now())
            messages.success(request, _("Token revoked."))
        else:
            _token, new_secret = issue_token(request.user, request.POST.get("name", "").strip() or "token")
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(request, "core/api_tokens.html", {"tokens": tokens, "new_secret": new_secret})
