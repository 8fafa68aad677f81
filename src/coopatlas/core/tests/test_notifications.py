"""Moderation e-mails go out as background jobs after the change is committed."""

from __future__ import annotations

import pytest
from django.core import mail

from coopatlas.catalogue.tests.factories import make_need
from coopatlas.core import services
from coopatlas.core.tasks import send_workflow_email


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_returning_a_record_emails_its_organisation(personas, immediate_tasks, django_capture_on_commit_callbacks):
    need = make_need(personas.org_a, personas.contributor_a)
    services.transition(need, personas.contributor_a, "submit")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(need, personas.moderator, "return", "Add the region, please.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personas.contributor_a.email]
    assert "Add the region, please." in mail.outbox[0].body


def test_the_job_is_enqueued_in_the_database_for_the_worker(personas, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    need = make_need(personas.org_a, personas.contributor_a)
    services.transition(need, personas.contributor_a, "submit")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(need, personas.moderator, "publish")
    job = DBTaskResult.objects.get(task_path__endswith="send_workflow_email")
    assert mail.outbox == []
    assert send_workflow_email.call(job.args_kwargs["args"][0]) == 1
    assert len(mail.outbox) == 1
