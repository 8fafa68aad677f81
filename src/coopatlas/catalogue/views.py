"""Generic pages of every record type: detail, create, edit, moderate, delete/restore, history, translate.

Views stay thin: they parse the request, call ``core.services`` (which hold the rules and the
transactions) and render. The record type comes from the URL configuration (``core.registry``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.catalogue.forms import TranslationForm
from coopatlas.catalogue.models import Membership, Organisation
from coopatlas.core import registry, services
from coopatlas.core.audit import history_of
from coopatlas.core.display import detail_rows, record_url
from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.core.models import ChangeRecord


def _get_visible(request: HttpRequest, type_key: str, pk: int) -> Any:
    """The record if the user may see it (moderators also see deleted records), else 404."""
    rt = registry.get(type_key)
    manager = rt.model.objects
    queryset = manager.visible_to(request.user)
    if request.user.is_authenticated and request.user.is_moderator:
        queryset = manager.all()
    record = queryset.filter(pk=pk).prefetch_related(*rt.prefetch).first()
    if record is None:
        raise Http404(_("No such record, or you may not see it."))
    return record


def _get_editable(request: HttpRequest, type_key: str, pk: int) -> Any:
    """The record if the user may edit it: 404 when they may not even see it, 403 when only read."""
    record = _get_visible(request, type_key, pk)
    if not services.can_edit(request.user, record):
        raise PermissionDenied(_("You may not edit this record."))
    return record


def record_list(request: HttpRequest, type_key: str) -> HttpResponse:
    """A type's list is the search page filtered to that type (one filter definition for both)."""
    query = request.GET.copy()
    query.setlist("type", [type_key])
    return HttpResponseRedirect(f"{reverse('catalogue:search')}?{query.urlencode()}")


def record_detail(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """A record's page, in the active language where a translation exists."""
    rt = registry.get(type_key)
    record = _get_visible(request, type_key, pk)
    title = record.translated("title")[0] if "title" in record.TRANSLATABLE_FIELDS else str(record)
    context = {
        "record": record,
        "record_type": rt,
        "title": title,
        "rows": detail_rows(record, rt, request.user),
        "can_edit": services.can_edit(request.user, record),
        "can_moderate": services.can_moderate(request.user),
        "transitions": services.allowed_transitions(request.user, record),
        "shows_original": record.shows_original_language(),
        "urls": {a: record_url(record, a) for a in ("edit", "history", "transition", "delete", "restore")},
        "translation_languages": [lang for lang in UN_LANGUAGES if lang != record.language],
    }
    if type_key == "organisation":
        context["members"] = record.memberships.select_related("user") if request.user.is_authenticated else []
    if type_key == "partnership":
        context["commitments"] = record.commitments.all()
        context["progress_reports"] = record.progress_reports.all()
    return render(request, "catalogue/record_detail.html", context)


def _form_page(request: HttpRequest, rt: registry.RecordType, form: Any, record: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "catalogue/record_form.html", {"form": form, "record_type": rt, "record": record}, status=status)


@login_required
def record_create(request: HttpRequest, type_key: str) -> HttpResponse:
    """Create a record as a draft owned by one of the user's organisations."""
    rt = registry.get(type_key)
    if type_key != "organisation" and not Organisation.objects.editable_by(request.user).exists():
        messages.warning(request, _("Join or register an organisation first: records belong to organisations."))
        return redirect("catalogue:organisation-create")
    form = rt.form(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record = form.save_record_fields(rt.model())
            services.create_record(record, request.user, save_m2m=lambda: form.save_m2m_to(record))
            if type_key == "organisation":
                Membership.objects.create(user=request.user, organisation=record, role=Membership.Role.MANAGER)
                request.user.forget_organisations()
        messages.success(request, _("Saved as a draft. Submit it for review when it is ready."))
        return redirect(record_url(record))
    return _form_page(request, rt, form, status=400 if request.method == "POST" else 200)


@login_required
def record_edit(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """Edit a record; a form loaded before someone else's change is refused (optimistic locking)."""
    rt = registry.get(type_key)
    record = _get_editable(request, type_key, pk)
    form = rt.form(request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        def apply(fresh: Any) -> None:
            form.save_record_fields(fresh)
            form.save_m2m_to(fresh)

        try:
            record = services.update_record(record, request.user, form.expected_version(), apply)
        except services.StaleRecordError as error:
            form.add_error(None, str(error))
            return _form_page(request, rt, form, record, status=409)
        messages.success(request, _("Your changes are saved."))
        return redirect(record_url(record))
    return _form_page(request, rt, form, record, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def record_transition(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """Submit, publish, return (with a comment) or withdraw a record."""
    record = _get_visible(request, type_key, pk)
    action = request.POST.get("action", "")
    try:
        record = services.transition(record, request.user, action, request.POST.get("comment", ""))
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(action)s.") % {"action": ChangeRecord.Action(action).label})
    return redirect(record_url(record))


@login_required
@require_POST
def record_delete(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """Soft-delete a record (moderators can restore it)."""
    record = _get_visible(request, type_key, pk)
    services.soft_delete(record, request.user)
    messages.success(request, _("Deleted. A moderator can restore it."))
    return redirect("core:home")


@login_required
@require_POST
def record_restore(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """Restore a soft-deleted record (moderators only)."""
    record = _get_visible(request, type_key, pk)
    try:
        record = services.restore(record, request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Restored."))
    return redirect(record_url(record))


def record_history(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    """Every change of the record: who, when, which fields, old -> new."""
    rt = registry.get(type_key)
    record = _get_visible(request, type_key, pk)
    return render(request, "catalogue/record_history.html", {
        "record": record, "record_type": rt, "changes": history_of(record), "detail_url": record_url(record),
    })


@login_required
def record_translate(request: HttpRequest, type_key: str, pk: int, lang: str) -> HttpResponse:
    """Add or edit the translation of a record's text fields into one of the six UN languages."""
    rt = registry.get(type_key)
    if lang not in UN_LANGUAGES:
        raise Http404(_("Unknown language."))
    record = _get_editable(request, type_key, pk)
    form = TranslationForm(request.POST or None, record=record, lang=lang)
    if request.method == "POST" and form.is_valid():
        texts = {k: v for k, v in form.cleaned_data.items() if k != "version" and v}

        def apply(fresh: Any) -> None:
            translations = dict(fresh.translations or {})
            if texts:
                translations[lang] = texts
            else:
                translations.pop(lang, None)
            fresh.translations = translations

        try:
            record = services.update_record(record, request.user, form.cleaned_data["version"], apply)
        except services.StaleRecordError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Translation saved."))
            return redirect(record_url(record))
    language_name = dict(settings.LANGUAGES).get(lang, lang)
    return render(request, "catalogue/record_translate.html", {
        "form": form, "record": record, "record_type": rt, "lang": lang, "language_name": language_name,
    })


def _flash_errors(request: HttpRequest, form: Any) -> None:
    """Show a small form's errors as messages on the page it returns to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _editable_partnership(request: HttpRequest, pk: int) -> Any:
    from coopatlas.catalogue.models import Partnership

    partnership = Partnership.objects.editable_by(request.user).filter(pk=pk).first()
    if partnership is None:
        raise PermissionDenied(_("You may not edit this partnership."))
    return partnership


@login_required
@require_POST
def partnership_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a yearly progress report to a partnership (its members or moderators)."""
    from coopatlas.catalogue.forms import ProgressReportForm

    partnership = _editable_partnership(request, pk)
    form = ProgressReportForm(request.POST, partnership=partnership)
    if form.is_valid():
        with transaction.atomic():
            report = form.save(commit=False)
            report.partnership = partnership
            report.submitted_by = request.user
            report.save()
            services.log_child_change(partnership, request.user, "progress_reports", None, f"{report.year}")
        messages.success(request, _("Progress report saved."))
    else:
        _flash_errors(request, form)
    return redirect(record_url(partnership))


@login_required
@require_POST
def partnership_commitment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a commitment or deliverable to a partnership."""
    from coopatlas.catalogue.forms import CommitmentForm

    partnership = _editable_partnership(request, pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            commitment = form.save(commit=False)
            commitment.partnership = partnership
            commitment.save()
            services.log_child_change(partnership, request.user, "commitments", None, commitment.text[:200])
        messages.success(request, _("Commitment saved."))
    else:
        _flash_errors(request, form)
    return redirect(record_url(partnership))


@login_required
@require_POST
def organisation_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Managers of an organisation (and administrators) add members to it."""
    from coopatlas.catalogue.forms import AddMemberForm

    organisation = Organisation.objects.alive().filter(pk=pk).first()
    if organisation is None:
        raise Http404
    is_manager = organisation.memberships.filter(user=request.user, role=Membership.Role.MANAGER).exists()
    if not (is_manager or request.user.is_administrator):
        raise PermissionDenied(_("Only the organisation's managers may add members."))
    form = AddMemberForm(request.POST)
    if form.is_valid():
        Membership.objects.get_or_create(
            user=form.cleaned_data["user"], organisation=organisation, defaults={"role": form.cleaned_data["role"]}
        )
        services.log_child_change(organisation, request.user, "members", None, form.cleaned_data["user"].username)
        messages.success(request, _("Member added."))
    else:
        _flash_errors(request, form)
    return redirect(record_url(organisation))
