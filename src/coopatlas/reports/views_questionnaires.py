"""Entity-reporting pages: an organisation answers its yearly questionnaire; a moderator reviews it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from coopatlas.catalogue.models import Organisation
from coopatlas.reports import questionnaires
from coopatlas.reports.forms import AnswersForm
from coopatlas.reports.models import Questionnaire, QuestionnaireResponse


@login_required
def answer(request: HttpRequest, year: int, organisation: int) -> HttpResponse:
    """Answer (save as draft, or submit) the organisation's questionnaire of ``year``."""
    questionnaire = get_object_or_404(Questionnaire, year=year)
    owner = get_object_or_404(Organisation.objects.alive(), pk=organisation)
    response = questionnaires.response_for(questionnaire, owner, request.user)
    questions = list(questionnaire.questions.all())
    initial = {f"q_{a.question.code}": _initial(a) for a in response.answers.select_related("question")}
    form = AnswersForm(questions, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if "submit" in request.POST:
                questionnaires.submit(response, request.user, form.answers())
                messages.success(request, _("Thank you: your answers were submitted for review."))
            else:
                questionnaires.save_answers(response, request.user, form.answers())
                messages.success(request, _("Your answers were saved as a draft."))
            return redirect("reports:questionnaire-answer", year=year, organisation=organisation)
        except (questionnaires.QuestionnaireError, ValidationError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
            status = 400
    elif request.method == "POST":
        status = 400
    response.refresh_from_db()
    context = {"questionnaire": questionnaire, "organisation": owner, "response": response, "form": form}
    return render(request, "reports/questionnaire.html", context, status=status)


def _initial(answer: object) -> object:
    value_yes = getattr(answer, "yes", None)
    if value_yes is not None:
        return "yes" if value_yes else "no"
    for name in ("number", "choice", "text"):
        value = getattr(answer, name)
        if value not in (None, ""):
            return value
    return None


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a submitted response or return it with a comment (moderators)."""
    if not request.user.is_moderator:
        raise PermissionDenied
    response = get_object_or_404(QuestionnaireResponse.objects.select_related("questionnaire", "organisation"), pk=pk)
    status = 200
    if request.method == "POST":
        try:
            questionnaires.review(response, request.user, request.POST.get("decision") == "accept",
                                  request.POST.get("comment", ""))
            messages.success(request, _("The review was recorded."))
            return redirect("reports:questionnaire-review", pk=pk)
        except questionnaires.QuestionnaireError as error:
            messages.error(request, str(error))
            status = 400
    answers = response.answers.select_related("question")
    return render(request, "reports/questionnaire_review.html", {"response": response, "answers": answers},
                  status=status)
