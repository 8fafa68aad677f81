"""Records know their language, carry translations, and say when the original is shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from coopatlas.catalogue.tests.factories import make_solution


def _detail(personas, solution, lang):
    with translation.override(lang):
        url = reverse("catalogue:solution-detail", args=[solution.pk])
    return personas.client_for("anonymous").get(url).content.decode()


def test_page_shows_the_translation_in_the_chosen_language(personas):
    solution = make_solution(personas.org_a, personas.contributor_a, status="published", title="School feeding",
                             translations={"fr": {"title": "Alimentation scolaire"}})
    assert "Alimentation scolaire" in _detail(personas, solution, "fr")
    assert "School feeding" in _detail(personas, solution, "en")


def test_page_says_when_it_shows_the_original_language(personas):
    solution = make_solution(personas.org_a, personas.contributor_a, status="published", title="School feeding")
    page = _detail(personas, solution, "es")
    assert "School feeding" in page
    assert 'class="original-language-note"' in page
    assert 'class="original-language-note"' not in _detail(personas, solution, "en")


def test_owner_adds_a_translation_through_the_form(personas):
    solution = make_solution(personas.org_a, personas.contributor_a, title="School feeding")
    client = personas.client_for("contributor_a")
    url = reverse("catalogue:solution-translate", args=[solution.pk, "ar"])
    response = client.post(url, {"title": "التغذية المدرسية", "summary": "", "version": solution.version})
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.translations == {"ar": {"title": "التغذية المدرسية"}}
    assert solution.version == 2


def test_other_organisation_cannot_translate(personas):
    solution = make_solution(personas.org_a, personas.contributor_a, status="published")
    url = reverse("catalogue:solution-translate", args=[solution.pk, "fr"])
    response = personas.client_for("contributor_b").post(url, {"title": "x", "version": 1})
    assert response.status_code == 403
