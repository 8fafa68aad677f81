"""The upload page: signed-in contributors upload a file, a background job imports it, the page shows its progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coopatlas.iati.tasks import run_iati_import
from coopatlas.initiatives.models import IatiImport, Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
ALBANIA = DATA / "iaticloud-oipa-media__dfid-albania-2.01.xml"
URL = "/en/iati/upload/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def _file(path: Path = FCDO) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/xml")


def _upload(client: Client, owner: object, path: Path = FCDO, capture: object = None) -> object:
    data = {"file": _file(path), "owner": getattr(owner, "pk", "")}
    if capture is None:
        return client.post(URL, data)
    with capture(execute=True):
        return client.post(URL, data)


def test_anonymous_visitors_are_sent_to_sign_in(personas) -> None:
    response = personas.client_for("anonymous").get(URL)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert personas.client_for("anonymous").post(URL, {"file": _file()}).status_code == 302
    assert not IatiImport.objects.exists()


def test_a_user_without_an_organisation_may_not_upload(personas) -> None:
    personas.contributor_a.memberships.all().delete()
    assert personas.client_for("contributor_a").get(URL).status_code == 403


def test_the_form_offers_only_the_contributors_own_organisations(personas) -> None:
    response = personas.client_for("contributor_a").get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["owner"].queryset) == [personas.org_a]
    assert "published at once" in response.content.decode()
    refused = _upload(personas.client_for("contributor_a"), personas.org_b)
    assert refused.status_code == 400 and "owner" in refused.context["form"].errors


def test_an_upload_without_the_csrf_token_is_refused(personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.contributor_a)
    response = client.post(URL, {"file": _file(), "owner": personas.org_a.pk})
    assert response.status_code == 403
    assert not IatiImport.objects.exists()


def test_an_upload_is_imported_by_a_background_job_for_the_chosen_organisation(
    personas, immediate_tasks, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    response = _upload(personas.client_for("contributor_a"), personas.org_a, capture=django_capture_on_commit_callbacks)
    job = IatiImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/iati/imports/{job.pk}/"
    assert (job.status, job.user, job.owner, job.file_names) == (
        "done",
        personas.contributor_a,
        personas.org_a,
        [FCDO.name],
    )
    assert job.report["totals"]["created"] == 1 and job.progress_percent == 100
    initiative = Initiative.objects.get()
    assert (initiative.owner, initiative.created_by, initiative.workflow_status) == (
        personas.org_a,
        personas.contributor_a,
        "published",
    )
    assert initiative.iati_source_file == FCDO.name
    assert list((tmp_path / "iati-uploads").iterdir()) == []  # the upload is deleted once imported
    page = personas.client_for("contributor_a").get(response["Location"])
    assert "1 activities read: 1 created, 0 updated, 0 unchanged, 0 rejected." in page.content.decode()


def test_the_job_is_queued_in_the_database_for_the_worker(
    personas, django_capture_on_commit_callbacks, settings, tmp_path: Path
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    _upload(personas.client_for("contributor_a"), personas.org_a, capture=django_capture_on_commit_callbacks)
    job = IatiImport.objects.get()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("run_iati_import") and queued.args_kwargs["args"] == [job.pk]
    assert job.status == "queued" and not Initiative.objects.exists()
    assert run_iati_import.call(job.pk)["created"] == 1


def test_the_progress_is_polled_by_htmx_and_refreshed_without_javascript(personas) -> None:
    job = IatiImport.objects.create(
        user=personas.contributor_a,
        status="running",
        file_names=["big.xml"],
        bytes_total=1000,
        bytes_done=250,
        activities_read=42,
    )
    client = personas.client_for("contributor_a")
    page = client.get(f"/en/iati/imports/{job.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'hx-trigger="every 2s"' in page and '<progress max="100" value="25">' in page
    partial = client.get(f"/en/iati/imports/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<section id="import-progress"')
    assert "42 activities read so far." in partial.content.decode()
    job.status = "done"
    job.save()
    finished = client.get(f"/en/iati/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished


def test_the_report_lists_each_rejected_activity_with_line_rule_and_message(
    personas, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    response = _upload(
        personas.client_for("contributor_a"), personas.org_a, ALBANIA, django_capture_on_commit_callbacks
    )
    page = personas.client_for("contributor_a").get(response["Location"]).content.decode()
    assert "8 activities read: 3 created, 0 updated, 0 unchanged, 5 rejected." in page
    assert (
        "<td>GB-1-109616-101</td><td>99</td><td><code>0.3.1</code></td><td>Element &#x27;capital-spend&#x27;: "
        "The attribute &#x27;percentage&#x27; is required but missing.</td>"
    ) in page


def test_only_the_uploader_and_moderators_see_an_import(personas) -> None:
    job = IatiImport.objects.create(user=personas.contributor_a, status="done", file_names=["a.xml"])
    assert personas.client_for("contributor_b").get(f"/en/iati/imports/{job.pk}/").status_code == 404
    assert personas.client_for("moderator").get(f"/en/iati/imports/{job.pk}/").status_code == 200
    assert personas.client_for("anonymous").get(f"/en/iati/imports/{job.pk}/").status_code == 302


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(personas, settings, tmp_path: Path) -> None:
    settings.IATI_MAX_UPLOAD_BYTES = 2048
    settings.MEDIA_ROOT = tmp_path
    response = _upload(personas.client_for("contributor_a"), personas.org_a)
    assert response.status_code == 413
    assert "larger than" in str(response.context["form"].errors["file"])
    assert not IatiImport.objects.exists() and not (tmp_path / "iati-uploads").exists()


def test_a_file_that_is_not_xml_is_refused_by_the_form(personas, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("report.xml", b"%PDF-1.7 not xml", content_type="application/xml")
    response = personas.client_for("contributor_a").post(URL, {"file": upload, "owner": personas.org_a.pk})
    assert response.status_code == 400 and response.context["form"].errors["file"] == ["This is not an XML file."]


def test_a_moderator_may_leave_ownership_to_each_reporting_organisation(
    personas, immediate_tasks, django_capture_on_commit_callbacks
) -> None:
    _upload(personas.client_for("moderator"), None, capture=django_capture_on_commit_callbacks)
    initiative = Initiative.objects.get()
    assert initiative.owner.iati_identifier == "GB-GOV-1"
