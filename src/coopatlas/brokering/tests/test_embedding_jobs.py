"""Embeddings are stored with the records and follow every change through a background job."""

from __future__ import annotations

from django.core.management import call_command

from coopatlas.brokering.models import RecordEmbedding
from coopatlas.brokering.tests.helpers import published_need, published_solution
from coopatlas.core import services


def test_saving_a_record_embeds_it_after_commit(personas, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        solution = published_solution(personas.org_a, personas.contributor_a, "Rural wells",
                                      "Drinking water wells. Solar pumps.")
    rows = RecordEmbedding.objects.filter(record_type="solution", object_id=solution.pk)
    assert sorted(rows.values_list("model_name", "kind", "dim")) == [("hashing", "record", 256),
                                                                     ("hashing", "sentences", 256)]
    sentences = rows.get(kind="sentences")
    assert sentences.sentences == ["Rural wells", "Drinking water wells.", "Solar pumps."]
    assert sentences.matrix().shape == (3, 256)


def test_a_need_also_stores_its_query_vector(personas, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = published_need(personas.org_b, personas.contributor_b, "Water", "Safe water for rural villages.")
    kinds = RecordEmbedding.objects.filter(record_type="need", object_id=need.pk).values_list("kind", flat=True)
    assert sorted(kinds) == ["query", "record", "sentences"]


def test_an_unchanged_text_is_not_embedded_again(personas, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        solution = published_solution(personas.org_a, personas.contributor_a, "Rural wells", "Water wells.")
    first = RecordEmbedding.objects.get(record_type="solution", object_id=solution.pk, kind="record").updated_at
    with django_capture_on_commit_callbacks(execute=True):
        services.update_record(solution, personas.contributor_a, solution.version, lambda r: None)
    assert RecordEmbedding.objects.get(record_type="solution", object_id=solution.pk, kind="record").updated_at == first
    with django_capture_on_commit_callbacks(execute=True):
        services.update_record(solution, personas.contributor_a, solution.version + 1,
                               lambda r: setattr(r, "summary", "Tax reform."))
    row = RecordEmbedding.objects.get(record_type="solution", object_id=solution.pk, kind="record")
    assert row.updated_at > first


def test_the_job_is_queued_for_the_worker_not_run_in_the_request(personas, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        published_solution(personas.org_a, personas.contributor_a, "Rural wells", "Water wells.")
    assert [j.task_path.rsplit(".", 1)[1] for j in DBTaskResult.objects.all()] == ["embed_record"]
    assert not RecordEmbedding.objects.exists()


def test_reindex_vectors_embeds_every_record_and_the_labels(personas, capsys):
    published_solution(personas.org_a, personas.contributor_a, "Rural wells", "Water wells.")
    call_command("reindex_vectors")
    out = capsys.readouterr().out
    assert out.startswith("Vectors up to date with hashing: 1 solution, 0 need, 0 expert, 2 organisation, ")
    assert RecordEmbedding.objects.filter(kind="record", record_type="organisation").count() == 2
