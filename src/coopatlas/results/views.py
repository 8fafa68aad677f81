"""Results pages: an initiative's framework, the forms to define and report it, review, evidence, overview.

Views are thin: they find the objects the person may see (404 otherwise), call ``results.services``
(which hold the permission checks and the transactions) and render. Everything works without
JavaScript: plain forms that post and redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.core.display import record_url
from coopatlas.core.services import StaleRecordError, WorkflowError
from coopatlas.initiatives.models import IndicatorPeriod, Initiative, Result, ResultIndicator
from coopatlas.results import forms, rollup, services
from coopatlas.results.models import EvidenceAttachment, PeriodUpdate, UpdateStatus


def _visible_initiative(request: HttpRequest, pk: int) -> Initiative:
    initiative = Initiative.objects.visible_to(request.user).filter(pk=pk).first()
    if initiative is None:
        raise Http404(_("No such initiative, or you may not see it."))
    return initiative


def _reportable(request: HttpRequest, initiative: Initiative) -> Initiative:
    if not services.can_report(request.user, initiative):
        raise PermissionDenied(_("You may not report results of this initiative."))
    return initiative


def _framework_url(initiative_id: int) -> str:
    return reverse("results:initiative", args=[initiative_id])


def framework_context(initiative: Initiative, user: Any) -> dict[str, Any]:
    """Everything the framework page and the initiative page's results block show to ``user``."""
    can_report = services.can_report(user, initiative)
    progress = {p.indicator_id: p for p in rollup.indicator_progress([initiative.pk])}
    results = list(
        initiative.results.order_by("position", "id").prefetch_related(
            "indicators__periods", "indicators__profile__sdg_indicator"
        )
    )
    updates = PeriodUpdate.objects.filter(initiative=initiative).prefetch_related("attachments")
    if not can_report:
        updates = updates.approved()
    by_period: dict[int, list[PeriodUpdate]] = {}
    for update in updates:
        by_period.setdefault(update.period_id, []).append(update)
    framework = []
    for result in results:
        indicators = []
        for indicator in sorted(result.indicators.all(), key=lambda i: (i.position, i.pk)):
            periods = [
                {
                    "period": period,
                    "target": services.first_value(period.targets),
                    "actual": services.first_value(period.actuals),
                    "updates": by_period.get(period.pk, []),
                    "has_open_update": any(u.status != UpdateStatus.APPROVED for u in by_period.get(period.pk, [])),
                }
                for period in sorted(indicator.periods.all(), key=lambda p: (p.period_start, p.position, p.pk))
            ]
            indicators.append(
                {
                    "indicator": indicator,
                    "title": services.text_of(indicator.title),
                    "unit": services.indicator_unit(indicator),
                    "baseline": services.baseline_of(indicator),
                    "sdg_indicator": getattr(getattr(indicator, "profile", None), "sdg_indicator", None),
                    "progress": progress.get(indicator.pk),
                    "periods": periods,
                }
            )
        framework.append(
            {
                "result": result,
                "title": services.text_of(result.title),
                "description": services.text_of(result.description),
                "indicators": indicators,
            }
        )
    summary = rollup.Rollup(initiative.pk, initiative.title)
    for item in progress.values():
        summary.add(item)
    return {
        "initiative": initiative,
        "framework": framework,
        "summary": summary,
        "can_report": can_report,
        "can_review": services.can_review(user),
        "result_types": dict(forms.RESULT_TYPES),
    }


def initiative_results(request: HttpRequest, pk: int) -> HttpResponse:
    """An initiative's results framework: figures for all, drafts and review for those concerned."""
    initiative = _visible_initiative(request, pk)
    context = framework_context(initiative, request.user)
    context["initiative_url"] = record_url(initiative)
    return render(request, "results/initiative_results.html", context)


def _form_page(
    request: HttpRequest, initiative: Initiative, form: Any, heading: str, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "results/form.html",
        {
            "form": form,
            "initiative": initiative,
            "heading": heading,
            "back_url": _framework_url(initiative.pk),
            **extra,
        },
        status=status,
    )


def _save(request: HttpRequest, form: Any, save: Any) -> Any:
    """Call ``save()``; a ``ValidationError`` from the service becomes the form's errors (None returned)."""
    try:
        return save()
    except ValidationError as error:
        form.add_error(None, error)
    except (WorkflowError, StaleRecordError) as error:
        form.add_error(None, str(error))
    return None


def _edit_page(
    request: HttpRequest, initiative: Initiative, form: Any, save: Any, saved: str, heading: str, **extra: Any
) -> HttpResponse:
    """The create/edit pages of results, indicators and periods: on a valid POST call ``save()`` and go back
    to the framework with the message ``saved``; otherwise (or when the service refuses) show the form."""
    if request.method == "POST" and form.is_valid() and _save(request, form, save):
        messages.success(request, saved)
        return redirect(_framework_url(initiative.pk))
    return _form_page(request, initiative, form, heading, status=400 if request.method == "POST" else 200, **extra)


@login_required
def result_edit(request: HttpRequest, pk: int, result_pk: int | None = None) -> HttpResponse:
    """Create (no ``result_pk``) or change a result of an initiative."""
    initiative = _reportable(request, _visible_initiative(request, pk))
    result = Result.objects.filter(pk=result_pk, initiative=initiative).first() if result_pk else None
    if result_pk and result is None:
        raise Http404
    initial = (
        {
            "result_type": result.result_type,
            "title": services.text_of(result.title),
            "description": services.text_of(result.description),
        }
        if result
        else None
    )
    form = forms.ResultForm(request.POST or None, initial=initial)
    return _edit_page(
        request,
        initiative,
        form,
        lambda: services.save_result(initiative, request.user, form.cleaned_data, result),
        _("Result saved."),
        _("Edit result") if result else _("New result"),
    )


def _indicator_of(initiative: Initiative, indicator_pk: int) -> ResultIndicator:
    indicator = (
        ResultIndicator.objects.select_related("result").filter(pk=indicator_pk, result__initiative=initiative).first()
    )
    if indicator is None:
        raise Http404
    return indicator


@login_required
def indicator_edit(
    request: HttpRequest, pk: int, result_pk: int | None = None, indicator_pk: int | None = None
) -> HttpResponse:
    """Create an indicator of a result, or change one."""
    initiative = _reportable(request, _visible_initiative(request, pk))
    indicator = _indicator_of(initiative, indicator_pk) if indicator_pk else None
    result = indicator.result if indicator else Result.objects.filter(pk=result_pk, initiative=initiative).first()
    if result is None:
        raise Http404
    form = forms.IndicatorForm(
        request.POST or None, initial=forms.IndicatorForm.initial_for(indicator) if indicator else None
    )
    return _edit_page(
        request,
        initiative,
        form,
        lambda: services.save_indicator(result, request.user, form.cleaned_data, indicator),
        _("Indicator saved."),
        _("Edit indicator") if indicator else _("New indicator"),
        context_title=services.text_of(result.title),
    )


@login_required
def period_edit(
    request: HttpRequest, pk: int, indicator_pk: int | None = None, period_pk: int | None = None
) -> HttpResponse:
    """Create a period (with its target) of an indicator, or change one."""
    initiative = _reportable(request, _visible_initiative(request, pk))
    period = None
    if period_pk:
        period = (
            IndicatorPeriod.objects.select_related("indicator")
            .filter(pk=period_pk, indicator__result__initiative=initiative)
            .first()
        )
        if period is None:
            raise Http404
    indicator = period.indicator if period else _indicator_of(initiative, indicator_pk or 0)
    initial = forms.PeriodForm.initial_for(period) if period else None
    form = forms.PeriodForm(request.POST or None, initial=initial, initiative=initiative)
    return _edit_page(
        request,
        initiative,
        form,
        lambda: services.save_period(indicator, request.user, form.cleaned_data, period),
        _("Period saved."),
        _("Edit period") if period else _("New period"),
        context_title=services.text_of(indicator.title),
    )


@login_required
def update_create(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """Report the actual value of a period (saved as a draft, then submitted for approval)."""
    initiative = _reportable(request, _visible_initiative(request, pk))
    period = (
        IndicatorPeriod.objects.select_related("indicator__result")
        .filter(pk=period_pk, indicator__result__initiative=initiative)
        .first()
    )
    if period is None:
        raise Http404
    form = forms.UpdateForm(request.POST or None, request.FILES or None, period=period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.create_update(period, request.user, data, data.get("evidence"))):
            messages.success(request, _("Saved as a draft. Submit it for approval when it is ready."))
            return redirect(_framework_url(initiative.pk))
    return _form_page(
        request,
        initiative,
        form,
        _("Report an actual value"),
        status=400 if request.method == "POST" else 200,
        context_title=f"{services.text_of(period.indicator.title)} · {period.period_start} – {period.period_end}",
        multipart=True,
    )


def _update_of(request: HttpRequest, update_pk: int) -> PeriodUpdate:
    """An update the person may see (404 otherwise)."""
    update = PeriodUpdate.objects.select_related("initiative", "period__indicator__result").filter(pk=update_pk).first()
    if update is None or not services.can_see_update(request.user, update):
        raise Http404(_("No such update, or you may not see it."))
    return update


@login_required
def update_edit(request: HttpRequest, update_pk: int) -> HttpResponse:
    """Change a draft or returned update (refused once submitted or approved)."""
    update = _update_of(request, update_pk)
    initiative = _reportable(request, update.initiative)
    initial = {"value": update.value, "unit": update.unit, "narrative": update.narrative, "version": update.version}
    form = forms.UpdateForm(request.POST or None, request.FILES or None, initial=initial, period=update.period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data.get("version") or update.version
        if _save(
            request, form, lambda: services.edit_update(update, request.user, version, data, data.get("evidence"))
        ):
            messages.success(request, _("Your changes are saved."))
            return redirect(_framework_url(initiative.pk))
    return _form_page(
        request,
        initiative,
        form,
        _("Edit the reported value"),
        status=400 if request.method == "POST" else 200,
        context_title=services.text_of(update.period.indicator.title),
        multipart=True,
        update=update,
    )


@login_required
@require_POST
def update_workflow(request: HttpRequest, update_pk: int) -> HttpResponse:
    """Submit (authors), approve or return with a comment (moderators) an update."""
    update = _update_of(request, update_pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown workflow action."))
        return redirect(_framework_url(update.initiative_id))
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    try:
        if action == "submit":
            services.submit_update(update, request.user)
            messages.success(request, _("Submitted for approval."))
        elif action == "approve":
            services.approve_update(update, request.user)
            messages.success(request, _("Approved: the value is now the period's actual."))
        else:
            services.return_update(update, request.user, comment)
            messages.success(request, _("Returned to the authors."))
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(_framework_url(update.initiative_id))
    return redirect(_framework_url(update.initiative_id))


@login_required
@require_POST
def update_delete(request: HttpRequest, update_pk: int) -> HttpResponse:
    """Withdraw a draft or returned update."""
    update = _update_of(request, update_pk)
    try:
        services.delete_update(update, request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Update deleted."))
    return redirect(_framework_url(update.initiative_id))


PART_MODELS = {
    "result": (Result, "initiative"),
    "indicator": (ResultIndicator, "result__initiative"),
    "period": (IndicatorPeriod, "indicator__result__initiative"),
}


@login_required
@require_POST
def part_delete(request: HttpRequest, pk: int, kind: str, part_pk: int) -> HttpResponse:
    """Remove a result, indicator or period of an initiative (with its updates and evidence)."""
    initiative = _reportable(request, _visible_initiative(request, pk))
    if kind not in PART_MODELS:
        raise Http404
    model, lookup = PART_MODELS[kind]
    part = model.objects.filter(pk=part_pk, **{lookup: initiative}).first()
    if part is None:
        raise Http404
    services.delete_part(initiative, request.user, part)
    messages.success(request, _("Deleted."))
    return redirect(_framework_url(initiative.pk))


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an evidence file as a download with its checked type, to those who may see its update."""
    attachment = EvidenceAttachment.objects.select_related("update__initiative").filter(pk=pk).first()
    if attachment is None or not services.can_see_update(request.user, attachment.update):
        raise Http404(_("No such file, or you may not see it."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is missing from storage.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def overview(request: HttpRequest) -> HttpResponse:
    """Progress of published initiatives rolled up per initiative, provider and SDG target."""
    context: dict[str, Any] = {"rollups": rollup.rollups(Initiative.objects.published())}
    if services.can_review(request.user):
        context["awaiting"] = (
            PeriodUpdate.objects.awaiting_review()
            .attached()
            .filter(initiative__deleted_at__isnull=True)
            .select_related("initiative", "period__indicator")
            .order_by("submitted_at")[:200]
        )
    elif request.user.is_authenticated:
        context["mine"] = (
            PeriodUpdate.objects.attached()
            .filter(initiative__owner_id__in=request.user.organisation_ids())
            .exclude(status=UpdateStatus.APPROVED)
            .select_related("initiative", "period__indicator")[:200]
        )
    return render(request, "results/overview.html", context)
