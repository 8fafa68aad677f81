"""Entity reporting: save, submit and review questionnaire responses; aggregate them into statements.

The statements take the forms of the Secretary-General's report A/74/336 (2019): "Of the entities
contributing to the present report, 23 have incorporated South-South cooperation elements into their
strategies" (para. 24) and "Building capacity ... accounted for 53 per cent of all initiatives, ...
knowledge brokering for 36 per cent of initiatives and facilitated partnerships in another 12 per
cent" (para. 45). Every number is computed from accepted responses or from the catalogue, never typed.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coopatlas.core.i18n import pick
from coopatlas.reports.models import Answer, Question, Questionnaire, QuestionnaireResponse

Status = QuestionnaireResponse.Status
#: Modalities whose shares the report states, with the verb the SG report uses (para. 45).
MODALITY_PHRASES = (
    ("training", gettext_noop("built capacity")),
    ("knowledge-brokering", gettext_noop("brokered knowledge")),
    ("partnership-facilitation", gettext_noop("facilitated partnerships")),
)


class QuestionnaireError(Exception):
    """A submission or review that is not allowed now (closed, already submitted, missing answers)."""


def _may_answer(user: Any, response: QuestionnaireResponse) -> bool:
    return bool(user.is_authenticated and (user.is_moderator or response.organisation_id in user.organisation_ids()))


def response_for(questionnaire: Questionnaire, organisation: Any, user: Any) -> QuestionnaireResponse:
    """The organisation's response (a new draft the first time); only its members may open it."""
    response, _created = QuestionnaireResponse.objects.get_or_create(questionnaire=questionnaire,
                                                                     organisation=organisation)
    if not _may_answer(user, response):
        raise PermissionDenied(_("Only members of the organisation may answer its questionnaire."))
    return response


def _check_value(question: Question, value: Any) -> None:
    if question.kind == Question.Kind.CHOICE and value not in ("", None) and value not in question.choice_values():
        raise ValidationError(_("“%(value)s” is not a choice of “%(question)s”."),
                              params={"value": value, "question": question.text})
    if question.kind == Question.Kind.NUMBER and value not in ("", None):
        try:
            Decimal(str(value))
        except ArithmeticError as error:
            raise ValidationError(_("“%(question)s” needs a number."), params={"question": question.text}) from error


@transaction.atomic
def save_answers(response: QuestionnaireResponse, user: Any, values: dict[str, Any]) -> QuestionnaireResponse:
    """Store the answers of a draft or returned response, all or none."""
    response = QuestionnaireResponse.objects.select_for_update().select_related("questionnaire").get(pk=response.pk)
    if not _may_answer(user, response):
        raise PermissionDenied(_("Only members of the organisation may answer its questionnaire."))
    if response.status not in (Status.DRAFT, Status.RETURNED):
        raise QuestionnaireError(_("This questionnaire was already submitted; it can no longer be changed."))
    if not response.questionnaire.is_open():
        raise QuestionnaireError(_("The deadline (%(deadline)s) has passed; answers are no longer accepted.")
                                 % {"deadline": response.questionnaire.deadline.date().isoformat()})
    questions = {q.code: q for q in response.questionnaire.questions.all()}
    for code, value in values.items():
        question = questions.get(code)
        if question is None:
            raise ValidationError(_("Unknown question: %(code)s"), params={"code": code})
        _check_value(question, value)
        fields = {"yes": None, "number": None, "choice": "", "text": ""}
        if value not in ("", None):
            column = {"yes_no": "yes", "number": "number", "choice": "choice", "text": "text"}[question.kind]
            fields[column] = Decimal(str(value)) if column == "number" else value
        Answer.objects.update_or_create(response=response, question=question, defaults=fields)
    return response


def _is_answered(answer: Answer) -> bool:
    return answer.yes is not None or answer.number is not None or bool(answer.choice) or bool(answer.text.strip())


@transaction.atomic
def submit(response: QuestionnaireResponse, user: Any, values: dict[str, Any] | None = None) -> QuestionnaireResponse:
    """Save ``values`` and submit for review; refuses a second submission, a late one, or missing answers."""
    locked = QuestionnaireResponse.objects.select_for_update().select_related("questionnaire").get(pk=response.pk)
    if locked.status in (Status.SUBMITTED, Status.ACCEPTED):
        raise QuestionnaireError(_("This questionnaire was already submitted on %(date)s; it cannot be submitted "
                                   "twice.") % {"date": locked.submitted_at.date().isoformat() if locked.submitted_at
                                                else "?"})
    if values:
        save_answers(locked, user, values)
    elif not _may_answer(user, locked):
        raise PermissionDenied(_("Only members of the organisation may answer its questionnaire."))
    if not locked.questionnaire.is_open():
        raise QuestionnaireError(_("The deadline (%(deadline)s) has passed; answers are no longer accepted.")
                                 % {"deadline": locked.questionnaire.deadline.date().isoformat()})
    answered = {a.question_id for a in locked.answers.all() if _is_answered(a)}
    missing = [q.text for q in locked.questionnaire.questions.filter(required=True) if q.pk not in answered]
    if missing:
        raise QuestionnaireError(_("Please answer every required question before submitting: %(questions)s")
                                 % {"questions": "; ".join(missing)})
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.save()
    return locked


@transaction.atomic
def review(response: QuestionnaireResponse, user: Any, accept: bool, comment: str = "") -> QuestionnaireResponse:
    """Accept a submitted response, or return it with a comment (moderators only)."""
    if not getattr(user, "is_moderator", False):
        raise PermissionDenied(_("Only moderators review questionnaires."))
    locked = QuestionnaireResponse.objects.select_for_update().get(pk=response.pk)
    if locked.status != Status.SUBMITTED:
        raise QuestionnaireError(_("Only a submitted questionnaire can be reviewed."))
    if not accept and not comment.strip():
        raise QuestionnaireError(_("Say what needs changing when returning a questionnaire."))
    locked.status = Status.ACCEPTED if accept else Status.RETURNED
    locked.review_comment = comment
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    locked.save()
    return locked


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def question_statements(questionnaire: Questionnaire) -> list[dict[str, str]]:
    """One statement per question with a statement text, from accepted responses only."""
    accepted = QuestionnaireResponse.objects.filter(questionnaire=questionnaire, status=Status.ACCEPTED)
    total = accepted.count()
    statements = []
    for question in questionnaire.questions.all():
        answers = Answer.objects.filter(response__in=accepted, question=question)
        template = pick(question.statements)
        if question.kind == Question.Kind.YES_NO and template:
            count = answers.filter(yes=True).count()
            text = template.format(count=count, total=total, percent=_percent(count, total))
        elif question.kind == Question.Kind.NUMBER and template:
            numbers = [a.number for a in answers if a.number is not None]
            text = template.format(count=len(numbers), total=total, sum=_number(sum(numbers, Decimal(0))))
        elif question.kind == Question.Kind.CHOICE:
            counts = Counter(a.choice for a in answers if a.choice)
            chosen = sum(counts.values())
            parts = [
                _("%(percent)s %% %(phrase)s") % {
                    "percent": _percent(counts[value], chosen),
                    "phrase": pick(choice.get("phrases"), fallback=question.choice_label(value))}
                for choice in question.choices if (value := str(choice["value"])) in counts
            ]
            if not parts:
                continue
            text = (template + " " if template else "") + ", ".join(parts)
        else:
            continue
        statements.append({"code": question.code, "text": text, "source": _("Questionnaire %(year)s") % {
            "year": questionnaire.year}})
    return statements


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def modality_statement(dashboard: Any) -> dict[str, str] | None:
    """"53 % of initiatives built capacity, 36 % brokered knowledge, 12 % facilitated partnerships"."""
    if not dashboard.initiatives:
        return None
    rows = {row.value: row for row in dashboard.figures["modality"].rows}
    parts = [(rows[code].initiatives if code in rows else 0, phrase) for code, phrase in MODALITY_PHRASES]
    text = _("%(first)s %% of initiatives %(first_phrase)s, %(second)s %% %(second_phrase)s, "
             "%(third)s %% %(third_phrase)s") % {
        "first": _percent(parts[0][0], dashboard.initiatives), "first_phrase": _(parts[0][1]),
        "second": _percent(parts[1][0], dashboard.initiatives), "second_phrase": _(parts[1][1]),
        "third": _percent(parts[2][0], dashboard.initiatives), "third_phrase": _(parts[2][1]),
    }
    return {"code": "modalities", "text": text, "source": dashboard.params.url()}


def statements_for_year(year: int, dashboard: Any) -> list[dict[str, str]]:
    """The report's statements: the questionnaire's (if there is one for ``year``) and the modality shares."""
    statements = []
    questionnaire = Questionnaire.objects.filter(year=year).first()
    if questionnaire:
        statements += question_statements(questionnaire)
    modality = modality_statement(dashboard)
    if modality:
        statements.append(modality)
    return statements
