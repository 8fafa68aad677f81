"""The verbs of a results framework: define results, indicators and periods; report, submit, approve, return.

Every verb checks the person's permission, runs in one transaction, and records one change in the
initiative's history (``core.services.log_child_change``), so bad input or a refused step leaves
nothing half-saved. Approving an update writes its value into the IATI ``actuals`` of its period,
which is what the IATI exporter and the roll-ups read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coopatlas.core import services as core
from coopatlas.core.models import User
from coopatlas.core.services import WorkflowError
from coopatlas.initiatives.models import IndicatorPeriod, Initiative, Result, ResultIndicator
from coopatlas.results import attachments
from coopatlas.results.models import OPEN_STATUSES, EvidenceAttachment, IndicatorProfile, PeriodUpdate, UpdateStatus

# --- reading IATI narratives and values ------------------------------------------------------------


def text_of(narratives: dict[str, str]) -> str:
    """The text of an IATI narrative set: the default-language one, else the first."""
    if not narratives:
        return ""
    return narratives.get("") or next(iter(narratives.values()), "")


def with_text(narratives: dict[str, str], text: str) -> dict[str, str]:
    """``narratives`` with the text ``text_of`` shows replaced by ``text`` (other languages kept)."""
    updated = dict(narratives or {})
    key = "" if "" in updated or not updated else next(iter(updated))
    if text:
        updated[key] = text
    else:
        updated.pop(key, None)
    return updated


def number(value: Any) -> Decimal | None:
    """An IATI value attribute as a finite number; None when empty or not a number."""
    if value is None or value == "":
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


def format_number(value: Decimal) -> str:
    """A decimal written without exponent or trailing zeros, as IATI value attributes are."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def indicator_unit(indicator: ResultIndicator) -> str:
    """The unit of an indicator's values: its profile's, else "%" for IATI percentage measures."""
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default applies.
    profile = getattr(indicator, "profile", None)
    if profile is not None and profile.unit:
        return profile.unit
    return "%" if indicator.measure == "2" else ""


def baseline_of(indicator: ResultIndicator) -> Decimal | None:
    """The indicator's first baseline value (IATI allows several, by year)."""
    for baseline in indicator.baselines or []:
        value = number(baseline.get("value"))
        if value is not None:
            return value
    return None


def first_value(items: list[dict[str, Any]]) -> Decimal | None:
    """The first numeric value of a period's IATI targets or actuals."""
    for item in items or []:
        value = number(item.get("value"))
        if value is not None:
            return value
    return None


# --- permissions -----------------------------------------------------------------------------------


def can_report(user: Any, initiative: Initiative) -> bool:
    """Whether ``user`` may define the framework and report updates (owner organisation, moderators)."""
    return core.can_edit(user, initiative)


def can_review(user: Any) -> bool:
    """Whether ``user`` may approve or return submitted updates (moderators and administrators)."""
    return core.can_moderate(user)


def can_see_update(user: Any, update: PeriodUpdate) -> bool:
    """Approved updates are seen by whoever sees the initiative; the others by those who may report."""
    if not Initiative.objects.visible_to(user).filter(pk=update.initiative_id).exists():
        return False
    return update.status == UpdateStatus.APPROVED or can_report(user, update.initiative)


def _require_report(user: Any, initiative: Initiative) -> None:
    if not can_report(user, initiative):
        raise PermissionDenied(_("You may not report results of this initiative."))


# --- checks shared by forms and services ---------------------------------------------------------


def initiative_dates(initiative: Initiative) -> tuple[datetime.date | None, datetime.date | None]:
    """The initiative's start and end: actual dates where known, else planned ones."""
    return (initiative.start_actual or initiative.start_planned, initiative.end_actual or initiative.end_planned)


def check_period_dates(initiative: Initiative, start: datetime.date, end: datetime.date) -> None:
    """Refuse a period that ends before it starts or lies outside the initiative's dates."""
    errors: dict[str, str] = {}
    if end < start:
        errors["period_end"] = _("The period ends before it starts.")
    first, last = initiative_dates(initiative)
    if first and start < first:
        errors["period_start"] = _("The initiative starts on %(date)s: the period cannot start before it.") % {
            "date": first.isoformat()
        }
    if last and end > last:
        errors["period_end"] = _("The initiative ends on %(date)s: the period cannot end after it.") % {
            "date": last.isoformat()
        }
    if errors:
        raise ValidationError(errors)


def check_unit(indicator: ResultIndicator, unit: str) -> None:
    """Refuse a value given in another unit than the indicator's."""
    expected = indicator_unit(indicator)
    if unit.strip().casefold() != expected.strip().casefold():
        if expected:
            message = _("This indicator is measured in “%(unit)s”: give the value in “%(unit)s”.") % {"unit": expected}
        else:
            message = _("This indicator has no unit: leave the unit empty.")
        raise ValidationError({"unit": message})


def check_period_started(period: IndicatorPeriod) -> None:
    """Refuse an actual value for a period that has not begun."""
    if period.period_start > timezone.localdate():
        raise ValidationError(
            _("This period starts on %(date)s: report its actual value once it has begun.")
            % {"date": period.period_start.isoformat()}
        )


# --- the framework: results, indicators, periods ------------------------------------------------


def _result_values(result: Result) -> dict[str, Any]:
    return {"type": result.result_type, "title": text_of(result.title)}


@transaction.atomic
def save_result(initiative: Initiative, user: User, data: dict[str, Any], result: Result | None = None) -> Result:
    """Create or change a result (IATI ResultType, title, description) of ``initiative``."""
    _require_report(user, initiative)
    if result is None:
        position = (initiative.results.aggregate(m=Max("position"))["m"] or 0) + 1
        result, before = Result(initiative=initiative, position=position), None
    else:
        result = Result.objects.select_for_update().get(pk=result.pk, initiative=initiative)
        before = _result_values(result)
    result.result_type = data["result_type"]
    result.title = with_text(result.title, data["title"])
    result.description = with_text(result.description, data.get("description", ""))
    result.save()
    core.log_child_change(initiative, user, f"result {result.pk}", before, _result_values(result))
    return result


def _indicator_values(indicator: ResultIndicator) -> dict[str, Any]:
    profile = getattr(indicator, "profile", None)
    baseline = baseline_of(indicator)
    return {
        "title": text_of(indicator.title),
        "measure": indicator.measure,
        "unit": indicator_unit(indicator),
        "baseline": format_number(baseline) if baseline is not None else None,
        "sdg_indicator": profile.sdg_indicator_id if profile else None,
    }


@transaction.atomic
def save_indicator(
    result: Result, user: User, data: dict[str, Any], indicator: ResultIndicator | None = None
) -> ResultIndicator:
    """Create or change an indicator: title, measure, direction, unit, baseline, SDG indicator."""
    initiative = result.initiative
    _require_report(user, initiative)
    if indicator is None:
        position = (result.indicators.aggregate(m=Max("position"))["m"] or 0) + 1
        indicator, before = ResultIndicator(result=result, position=position), None
    else:
        indicator = ResultIndicator.objects.select_for_update().get(pk=indicator.pk, result=result)
        before = _indicator_values(indicator)
    indicator.title = with_text(indicator.title, data["title"])
    indicator.description = with_text(indicator.description, data.get("description", ""))
    indicator.measure = data["measure"]
    indicator.ascending = data.get("ascending", True)
    baseline = data.get("baseline_value")
    others = list((indicator.baselines or [])[1:])
    if baseline is None:
        indicator.baselines = others
    else:
        year = data.get("baseline_year")
        first = dict((indicator.baselines or [{}])[0]) if indicator.baselines else {"iso_date": "", "comment": {}}
        first.update(value=format_number(baseline), year=str(year) if year else first.get("year", ""))
        indicator.baselines = [first, *others]
    indicator.save()
    profile, _created = IndicatorProfile.objects.get_or_create(indicator=indicator)
    profile.unit = data.get("unit", "").strip()
    profile.sdg_indicator = data.get("sdg_indicator")
    profile.save()
    indicator.profile = profile
    core.log_child_change(initiative, user, f"indicator {indicator.pk}", before, _indicator_values(indicator))
    return indicator


def _period_values(period: IndicatorPeriod) -> dict[str, Any]:
    target = first_value(period.targets)
    return {
        "start": period.period_start.isoformat(),
        "end": period.period_end.isoformat(),
        "target": format_number(target) if target is not None else None,
    }


@transaction.atomic
def save_period(
    indicator: ResultIndicator, user: User, data: dict[str, Any], period: IndicatorPeriod | None = None
) -> IndicatorPeriod:
    """Create or change a reporting period of an indicator with its target value."""
    initiative = indicator.result.initiative
    _require_report(user, initiative)
    check_period_dates(initiative, data["period_start"], data["period_end"])
    if period is None:
        position = (indicator.periods.aggregate(m=Max("position"))["m"] or 0) + 1
        period, before = IndicatorPeriod(indicator=indicator, position=position), None
    else:
        period = IndicatorPeriod.objects.select_for_update().get(pk=period.pk, indicator=indicator)
        before = _period_values(period)
    period.period_start, period.period_end = data["period_start"], data["period_end"]
    target = data.get("target_value")
    others = list((period.targets or [])[1:])
    if target is None:
        period.targets = others
    else:
        first = dict(period.targets[0]) if period.targets else {"comment": {}}
        first["value"] = format_number(target)
        period.targets = [first, *others]
    period.save()
    core.log_child_change(initiative, user, f"period {period.pk}", before, _period_values(period))
    return period


# --- period updates and their workflow -----------------------------------------------------------


def _update_values(update: PeriodUpdate) -> dict[str, Any]:
    return {
        "period": update.period_id,
        "value": format_number(update.value),
        "unit": update.unit,
        "status": update.status,
        "attachments": [a.original_name for a in update.attachments.all()] if update.pk else [],
    }


def _attach(update: PeriodUpdate, user: User, upload: Any, stored: list[str]) -> EvidenceAttachment:
    """Check and store one evidence file (its name is added to ``stored`` so a failure can remove it)."""
    checked = attachments.check_upload(upload, upload.name, upload.size)
    attachment = EvidenceAttachment(
        update=update,
        original_name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    upload.seek(0)
    attachment.file.save(checked.name, upload, save=False)
    stored.append(attachment.file.name)
    attachment.save()
    return attachment


def _with_cleanup(work: Any) -> Any:
    """Run ``work(stored)`` in a transaction; when it fails, delete the files it had stored."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return work(stored)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _check_value_input(period: IndicatorPeriod, data: dict[str, Any]) -> None:
    check_unit(period.indicator, data.get("unit", ""))
    check_period_started(period)


def create_update(
    period: IndicatorPeriod, user: User, data: dict[str, Any], evidence: IO[bytes] | None = None
) -> PeriodUpdate:
    """Report an actual value for ``period`` as a draft (one open update per period at a time)."""
    initiative = period.indicator.result.initiative
    _require_report(user, initiative)
    _check_value_input(period, data)

    def work(stored: list[str]) -> PeriodUpdate:
        # Lock the period so two reports at once queue up instead of both passing the check.
        IndicatorPeriod.objects.select_for_update().get(pk=period.pk)
        if PeriodUpdate.objects.filter(period=period, status__in=OPEN_STATUSES).exists():
            raise ValidationError(_("This period already has an update in progress: change that one instead."))
        update = PeriodUpdate(
            period=period,
            initiative=initiative,
            value=data["value"],
            unit=data.get("unit", "").strip(),
            narrative=data.get("narrative", ""),
            created_by=user,
        )
        try:
            with transaction.atomic():
                update.save()
        except IntegrityError as error:
            raise ValidationError(
                _("This period already has an update in progress: change that one instead.")
            ) from error
        if evidence is not None:
            _attach(update, user, evidence, stored)
        core.log_child_change(initiative, user, f"period update {update.pk}", None, _update_values(update))
        return update

    return _with_cleanup(work)


def edit_update(
    update: PeriodUpdate, user: User, expected_version: int, data: dict[str, Any], evidence: IO[bytes] | None = None
) -> PeriodUpdate:
    """Change a draft or returned update (optimistic locking on its version)."""

    def work(stored: list[str]) -> PeriodUpdate:
        fresh = PeriodUpdate.objects.select_for_update().select_related("period__indicator").get(pk=update.pk)
        _require_report(user, fresh.initiative)
        if fresh.version != expected_version:
            raise core.StaleRecordError(fresh.version)
        if not fresh.is_editable:
            raise WorkflowError(
                _("A %(status)s update cannot be changed.") % {"status": fresh.get_status_display().lower()}
            )
        _check_value_input(fresh.period, data)
        before = _update_values(fresh)
        fresh.value = data["value"]
        fresh.unit = data.get("unit", "").strip()
        fresh.narrative = data.get("narrative", "")
        fresh.version += 1
        fresh.updated_at = timezone.now()
        fresh.save()
        if evidence is not None:
            _attach(fresh, user, evidence, stored)
        core.log_child_change(fresh.initiative, user, f"period update {fresh.pk}", before, _update_values(fresh))
        return fresh

    return _with_cleanup(work)


def _locked(update: PeriodUpdate) -> PeriodUpdate:
    return PeriodUpdate.objects.select_for_update().select_related("initiative").get(pk=update.pk)


def _wrong_status(update: PeriodUpdate, action: str) -> WorkflowError:
    # Whole sentences per action, so that each language can inflect the verb (docs/i18n.md).
    sentences = {
        "submit": _("This update cannot be submitted: its status is “%(status)s”."),
        "approve": _("This update cannot be approved: its status is “%(status)s”."),
        "return": _("This update cannot be returned: its status is “%(status)s”."),
        "delete": _("This update cannot be deleted: its status is “%(status)s”."),
    }
    return WorkflowError(sentences[action] % {"status": update.get_status_display()})


@transaction.atomic
def submit_update(update: PeriodUpdate, user: User) -> PeriodUpdate:
    """Send a draft or returned update to the moderators; submitting twice is refused."""
    fresh = _locked(update)
    _require_report(user, fresh.initiative)
    if fresh.status == UpdateStatus.SUBMITTED:
        raise WorkflowError(_("This update was already submitted; it is waiting for a moderator."))
    if not fresh.is_editable:
        raise _wrong_status(fresh, "submit")
    before = _update_values(fresh)
    fresh.status = UpdateStatus.SUBMITTED
    fresh.submitted_at = timezone.now()
    fresh.version += 1
    fresh.save()
    core.log_child_change(fresh.initiative, user, f"period update {fresh.pk}", before, _update_values(fresh))
    return fresh


@transaction.atomic
def approve_update(update: PeriodUpdate, user: User) -> PeriodUpdate:
    """Approve a submitted update: its value becomes the period's IATI actual (replacing the previous one)."""
    fresh = _locked(update)
    if not can_review(user) or fresh.initiative.is_deleted:
        raise PermissionDenied(_("Only moderators may approve results."))
    if fresh.status != UpdateStatus.SUBMITTED:
        raise _wrong_status(fresh, "approve")
    period = IndicatorPeriod.objects.select_for_update().filter(pk=fresh.period_id).first()
    if period is None:
        raise WorkflowError(_("A newer IATI import replaced this update's period: report the value again."))
    old_actual = first_value(period.actuals)
    period.actuals = [
        {"value": format_number(fresh.value), "comment": {"": fresh.narrative} if fresh.narrative.strip() else {}}
    ]
    period.save(update_fields=["actuals"])
    before = _update_values(fresh)
    before["actual"] = format_number(old_actual) if old_actual is not None else None
    fresh.status = UpdateStatus.APPROVED
    fresh.moderation_comment = ""
    fresh.reviewed_by, fresh.reviewed_at = user, timezone.now()
    fresh.version += 1
    fresh.save()
    after = {**_update_values(fresh), "actual": format_number(fresh.value)}
    core.log_child_change(fresh.initiative, user, f"period update {fresh.pk}", before, after)
    return fresh


@transaction.atomic
def return_update(update: PeriodUpdate, user: User, comment: str) -> PeriodUpdate:
    """Send a submitted update back to its authors with a required comment."""
    fresh = _locked(update)
    if not can_review(user) or fresh.initiative.is_deleted:
        raise PermissionDenied(_("Only moderators may return results."))
    if fresh.status != UpdateStatus.SUBMITTED:
        raise _wrong_status(fresh, "return")
    if not comment.strip():
        raise WorkflowError(_("Say why the update is returned: a comment is required."))
    before = _update_values(fresh)
    fresh.status = UpdateStatus.RETURNED
    fresh.moderation_comment = comment.strip()
    fresh.reviewed_by, fresh.reviewed_at = user, timezone.now()
    fresh.version += 1
    fresh.save()
    after = {**_update_values(fresh), "comment": fresh.moderation_comment}
    change = core.log_child_change(fresh.initiative, user, f"period update {fresh.pk}", before, after)
    # The history page shows a change's comment beside it, as it does for a returned record.
    change.comment = fresh.moderation_comment
    change.save(update_fields=["comment"])
    return fresh


# --- removing parts ------------------------------------------------------------------------------


def _remove_files(update_ids: list[int]) -> list[str]:
    return list(EvidenceAttachment.objects.filter(update_id__in=update_ids).values_list("file", flat=True))


def _delete_files_after_commit(names: list[str]) -> None:
    """Remove evidence files once the rows that named them are gone for good."""
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@transaction.atomic
def delete_update(update: PeriodUpdate, user: User) -> None:
    """Withdraw a draft or returned update with its evidence (submitted and approved ones stay)."""
    fresh = _locked(update)
    _require_report(user, fresh.initiative)
    if not fresh.is_editable:
        raise _wrong_status(fresh, "delete")
    before = _update_values(fresh)
    files = _remove_files([fresh.pk])
    fresh.delete()
    core.log_child_change(fresh.initiative, user, f"period update {update.pk}", before, None)
    _delete_files_after_commit(files)


@transaction.atomic
def delete_part(initiative: Initiative, user: User, part: Result | ResultIndicator | IndicatorPeriod) -> None:
    """Remove a result, indicator or period with what hangs from it (its updates and their evidence)."""
    _require_report(user, initiative)
    if isinstance(part, Result):
        label, before = f"result {part.pk}", _result_values(part)
        updates = PeriodUpdate.objects.filter(period__indicator__result=part)
    elif isinstance(part, ResultIndicator):
        label, before = f"indicator {part.pk}", _indicator_values(part)
        updates = PeriodUpdate.objects.filter(period__indicator=part)
    else:
        label, before = f"period {part.pk}", _period_values(part)
        updates = PeriodUpdate.objects.filter(period=part)
    files = _remove_files(list(updates.values_list("pk", flat=True)))
    # The links to IATI parts have no database constraint: delete the dependants explicitly.
    updates.delete()
    if isinstance(part, Result):
        IndicatorProfile.objects.filter(indicator__result=part).delete()
    elif isinstance(part, ResultIndicator):
        IndicatorProfile.objects.filter(indicator=part).delete()
    part.delete()
    core.log_child_change(initiative, user, label, before, None)
    _delete_files_after_commit(files)
