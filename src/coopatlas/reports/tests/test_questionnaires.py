"""Entity reporting: answering, submitting once before the deadline, review, and aggregated statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from coopatlas.catalogue.models import Membership, Organisation
from coopatlas.core.models import WorkflowStatus
from coopatlas.reports import questionnaires
from coopatlas.reports.models import Answer, Question, Questionnaire, QuestionnaireResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db: Any) -> Questionnaire:
    q = Questionnaire.objects.create(year=2019, titles={"en": "Entity reporting 2019"},
                                     deadline=timezone.now() + timedelta(days=30))
    Question.objects.create(questionnaire=q, code="strategy", position=1, kind=Question.Kind.YES_NO,
                            texts={"en": "Is South-South cooperation in your strategic plan?"},
                            statements={"en": "{count} entities have incorporated South-South cooperation into "
                                              "their strategies"})
    Question.objects.create(questionnaire=q, code="dialogues", position=2, kind=Question.Kind.NUMBER,
                            texts={"en": "How many policy dialogues?"},
                            statements={"en": "{sum} policy dialogues were held"})
    Question.objects.create(questionnaire=q, code="main_modality", position=3, kind=Question.Kind.CHOICE,
                            texts={"en": "Main modality of your initiatives"}, choices=[
                                {"value": "capacity", "labels": {"en": "Capacity"},
                                 "phrases": {"en": "built capacity"}},
                                {"value": "knowledge", "labels": {"en": "Knowledge"},
                                 "phrases": {"en": "brokered knowledge"}}])
    Question.objects.create(questionnaire=q, code="notes", position=4, kind=Question.Kind.TEXT, required=False,
                            texts={"en": "Anything else?"})
    return q


ANSWERS = {"q_strategy": "yes", "q_dialogues": "4", "q_main_modality": "capacity", "q_notes": ""}


@pytest.mark.parametrize("persona,expected", [
    ("anonymous", 302), ("contributor_a", 302), ("contributor_b", 403), ("moderator", 302), ("administrator", 302),
])
def test_only_members_and_moderators_submit_an_organisations_answers(
    questionnaire: Questionnaire, personas: Any, persona: str, expected: int
) -> None:
    client = personas.client_for(persona)
    response = client.post(f"/en/reports/questionnaires/2019/{personas.org_a.pk}/", {**ANSWERS, "submit": "1"})
    assert response.status_code == expected
    submitted = QuestionnaireResponse.objects.filter(status="submitted").count()
    assert submitted == (1 if persona in ("contributor_a", "moderator", "administrator") else 0)


def test_second_submission_is_refused_with_a_clear_message(questionnaire: Questionnaire, personas: Any) -> None:
    client = personas.client_for("contributor_a")
    url = f"/en/reports/questionnaires/2019/{personas.org_a.pk}/"
    client.post(url, {**ANSWERS, "submit": "1"})
    response = questionnaires.response_for(questionnaire, personas.org_a, personas.contributor_a)
    with pytest.raises(questionnaires.QuestionnaireError, match="cannot be submitted twice"):
        questionnaires.submit(response, personas.contributor_a, {"dialogues": "9"})
    assert Answer.objects.get(question__code="dialogues").number == 4


def test_late_submission_is_refused_and_nothing_is_saved(questionnaire: Questionnaire, personas: Any) -> None:
    questionnaire.deadline = timezone.now() - timedelta(days=1)
    questionnaire.save()
    client = personas.client_for("contributor_a")
    page = client.post(f"/en/reports/questionnaires/2019/{personas.org_a.pk}/", {**ANSWERS, "submit": "1"})
    assert page.status_code == 400
    assert "The deadline" in page.content.decode() and "has passed" in page.content.decode()
    assert not Answer.objects.exists()


def test_missing_required_answer_refuses_submission_without_saving_anything(
    questionnaire: Questionnaire, personas: Any
) -> None:
    client = personas.client_for("contributor_a")
    page = client.post(f"/en/reports/questionnaires/2019/{personas.org_a.pk}/",
                       {**ANSWERS, "q_dialogues": "", "submit": "1"})
    assert page.status_code == 400
    assert "How many policy dialogues?" in page.content.decode()
    assert not Answer.objects.exists()
    assert QuestionnaireResponse.objects.get().status == "draft"


def test_not_a_number_is_refused(questionnaire: Questionnaire, personas: Any) -> None:
    client = personas.client_for("contributor_a")
    page = client.post(f"/en/reports/questionnaires/2019/{personas.org_a.pk}/", {**ANSWERS, "q_dialogues": "many"})
    assert page.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize("persona,allowed", [
    ("contributor_a", False), ("contributor_b", False), ("moderator", True), ("administrator", True),
])
def test_only_moderators_accept_or_return(questionnaire: Questionnaire, personas: Any, persona: str,
                                          allowed: bool) -> None:
    response = questionnaires.response_for(questionnaire, personas.org_a, personas.contributor_a)
    questionnaires.submit(response, personas.contributor_a, {"strategy": True, "dialogues": "2",
                                                             "main_modality": "knowledge"})
    page = personas.client_for(persona).post(f"/en/reports/questionnaires/responses/{response.pk}/review/",
                                             {"decision": "return", "comment": "Please add the 2019 plan."})
    response.refresh_from_db()
    assert page.status_code == (302 if allowed else 403)
    assert response.status == ("returned" if allowed else "submitted")


def test_returning_needs_a_comment_and_a_returned_response_can_be_resubmitted(
    questionnaire: Questionnaire, personas: Any
) -> None:
    response = questionnaires.response_for(questionnaire, personas.org_a, personas.contributor_a)
    questionnaires.submit(response, personas.contributor_a, {"strategy": True, "dialogues": "2",
                                                             "main_modality": "knowledge"})
    with pytest.raises(questionnaires.QuestionnaireError, match="Say what needs changing"):
        questionnaires.review(response, personas.moderator, accept=False)
    questionnaires.review(response, personas.moderator, accept=False, comment="Count again")
    resubmitted = questionnaires.submit(response, personas.contributor_a, {"dialogues": "3"})
    assert resubmitted.status == "submitted"


def test_accepted_responses_become_statements(questionnaire: Questionnaire, personas: Any) -> None:
    answers = [(True, "4", "capacity"), (True, "1", "capacity"), (False, "0", "knowledge"), (True, "2", "capacity")]
    for i, (strategy, dialogues, modality) in enumerate(answers):
        org = Organisation.objects.create(name=f"Entity {i}", workflow_status=WorkflowStatus.PUBLISHED)
        Membership.objects.create(user=personas.contributor_a, organisation=org)
        personas.contributor_a.forget_organisations()
        response = questionnaires.response_for(questionnaire, org, personas.contributor_a)
        questionnaires.submit(response, personas.contributor_a,
                              {"strategy": strategy, "dialogues": dialogues, "main_modality": modality})
        if i < 3:  # the fourth stays submitted, not accepted: it must not count
            questionnaires.review(response, personas.moderator, accept=True)
    texts = [s["text"] for s in questionnaires.question_statements(questionnaire)]
    assert texts == [
        "2 entities have incorporated South-South cooperation into their strategies",
        "5 policy dialogues were held",
        "67 % built capacity, 33 % brokered knowledge",
    ]
