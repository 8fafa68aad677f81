"""User text is rendered as sanitised Markdown: no script reaches any page."""

from __future__ import annotations

from django.urls import reverse

from coopatlas.catalogue.tests.factories import make_need, make_solution

HOSTILE = ('**Bold** <script>alert("x")</script> <img src=x onerror="alert(1)"> '
           '[link](javascript:alert(2)) <a href="https://ok.example" onclick="evil()">ok</a>')


def test_markdown_is_rendered_and_scripts_removed(personas):
    need = make_need(personas.org_a, personas.contributor_a, status="published", description=HOSTILE,
                     title='<script>alert("title")</script>')
    page = personas.client_for("anonymous").get(reverse("catalogue:need-detail", args=[need.pk])).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    assert "onerror" not in page and "onclick" not in page and "javascript:alert" not in page
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in page


def test_translations_are_sanitised_too(personas):
    solution = make_solution(personas.org_a, personas.contributor_a, status="published",
                             translations={"fr": {"summary": '<script>alert("fr")</script> *Résumé*'}})
    page = personas.client_for("anonymous").get("/fr" + reverse("catalogue:solution-detail", args=[solution.pk])[3:])
    html = page.content.decode()
    assert "<em>Résumé</em>" in html
    assert 'alert("fr")' not in html
