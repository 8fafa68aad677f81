"""Match pages: a need's ranked solutions, providers and experts with reasons; a solution's needs; a free text."""

from __future__ import annotations

import pytest
from django.test import Client

from coopatlas.brokering.presenters import highlight, shared_words
from coopatlas.brokering.tests.helpers import published_need
from coopatlas.catalogue.tests.factories import make_need

pytestmark = pytest.mark.django_db


def test_anyone_sees_the_ranked_matches_of_a_published_need_with_reasons(personas, pair):
    need, solution = pair
    page = personas.client_for("anonymous").get(f"/en/brokering/needs/{need.pk}/matches/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/en/solutions/{solution.pk}/"' in html
    assert "14030 Basic drinking water supply and basic sanitation" in html
    assert "Matched passages" in html and "Score by signal" in html
    assert "<mark>pumps</mark>" in html
    assert "Propose this match" not in html


def test_the_requesters_own_organisation_is_never_proposed(personas, pair):
    need, _solution = pair
    html = personas.client_for("anonymous").get(f"/en/brokering/needs/{need.pk}/matches/").content.decode()
    providers = html.split('id="providers-heading"')[1].split('id="experts-heading"')[0]
    assert "Agência Brasileira de Cooperação" in providers
    assert "Ministère de l&#x27;Agriculture du Sénégal" not in providers


@pytest.mark.parametrize(("persona", "expected"), [
    ("anonymous", 404), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200),
])
def test_a_draft_needs_matches_follow_the_records_visibility(personas, persona, expected):
    draft = make_need(personas.org_b, personas.contributor_b, description="Solar pumps for rural water wells.")
    assert personas.client_for(persona).get(f"/en/brokering/needs/{draft.pk}/matches/").status_code == expected


@pytest.mark.parametrize(("persona", "can_propose"), [
    ("anonymous", False), ("contributor_a", False), ("contributor_b", True), ("moderator", True),
    ("administrator", True),
])
def test_brokers_and_the_needs_organisation_get_a_propose_form(personas, pair, persona, can_propose):
    need, solution = pair
    html = personas.client_for(persona).get(f"/en/brokering/needs/{need.pk}/matches/").content.decode()
    assert (f'data-testid="propose-{solution.pk}"' in html) is can_propose


def test_a_need_without_candidates_is_flagged_for_a_human_broker(personas):
    need = published_need(personas.org_b, personas.contributor_b, "Rural water", "Safe water for rural villages.")
    html = personas.client_for("anonymous").get(f"/en/brokering/needs/{need.pk}/matches/").content.decode()
    assert 'data-testid="weak-flag"' in html
    assert "Weak matches:" in html
    assert "No published solution can be proposed yet: a broker will look for partners." in html


def test_htmx_gets_the_match_list_alone(personas, pair):
    need, _solution = pair
    page = personas.client_for("anonymous").get(f"/en/brokering/needs/{need.pk}/matches/",
                                                headers={"HX-Request": "true"})
    html = page.content.decode()
    assert 'data-testid="need-matches"' in html
    assert "<html" not in html


def test_a_solution_lists_the_needs_it_could_serve(personas, pair):
    need, solution = pair
    html = personas.client_for("anonymous").get(f"/en/brokering/solutions/{solution.pk}/matches/").content.decode()
    assert f'href="/en/needs/{need.pk}/"' in html
    assert "Requested by" in html


def test_need_and_solution_pages_offer_their_matches_and_organisations_do_not(personas, pair):
    need, solution = pair
    client = personas.client_for("anonymous")
    need_page = client.get(f"/en/needs/{need.pk}/").content.decode()
    assert f'hx-get="/en/brokering/needs/{need.pk}/matches/?view=compact"' in need_page
    assert f'href="/en/brokering/needs/{need.pk}/matches/"' in need_page
    assert f'hx-get="/en/brokering/solutions/{solution.pk}/matches/?view=compact"' in client.get(
        f"/en/solutions/{solution.pk}/").content.decode()
    assert 'data-testid="record-matches"' not in client.get(f"/en/organisations/{personas.org_a.pk}/").content.decode()


def test_highlighting_escapes_the_text_and_marks_shared_words():
    words = shared_words("Solar pumps for wells", "<script>pumps</script> & wells")
    assert words == ["pumps", "wells"]
    assert highlight("<script>pumps</script> & wells", words) == (
        "&lt;script&gt;<mark>pumps</mark>&lt;/script&gt; &amp; <mark>wells</mark>")
    assert highlight("农村饮用水井", shared_words("饮用水", "农村饮用水井")) == "农村<mark>饮用水</mark>井"


class TestDescribeYourNeed:
    """The free-text page: bad input gets a clear message, good input gets matches."""

    url = "/en/brokering/match/"

    def test_the_form_is_open_to_everyone(self, personas):
        page = Client().get(self.url)
        assert page.status_code == 200
        assert 'data-testid="need-text"' in page.content.decode()

    @pytest.mark.parametrize(("text", "message"), [
        ("", "The text is empty: describe what is needed in a few sentences."),
        ("water", "The text is too short to match (1 word): describe what is needed in a sentence or more."),
        ("<p><br></p>", "The text is empty: describe what is needed in a few sentences."),
    ])
    def test_bad_input_is_refused_with_a_message(self, personas, text, message):
        page = Client().post(self.url, {"text": text})
        assert page.status_code == 400
        assert message in page.content.decode()

    def test_markup_is_removed_and_the_user_told(self, personas, pair):
        html = Client().post(self.url, {"text": "<b>Solar pumps</b> for [rural wells](http://x.org) please"}
                             ).content.decode()
        assert "Markup (HTML, Markdown, links) was removed before matching." in html
        assert 'data-testid="describe-matches"' in html

    def test_a_megabyte_of_text_is_cut_and_the_user_told(self, personas, pair):
        html = Client().post(self.url, {"text": "solar pumps for wells " * 50_000}).content.decode()
        assert "Only the first 20,000 characters of the text were used for matching." in html

    def test_arabic_text_gets_matches(self, personas, pair):
        page = Client().post(self.url, {"text": "نحتاج إلى مضخات شمسية لآبار مياه الشرب في القرى"})
        assert page.status_code == 200
        assert 'data-testid="describe-matches"' in page.content.decode()

    def test_the_users_own_organisation_is_left_out(self, personas, pair):
        _need, solution = pair
        text = {"text": "Solar pumps for rural drinking water wells."}
        own_excluded = personas.client_for("contributor_b").post(self.url, text).content.decode()
        assert f"/en/solutions/{solution.pk}/" in own_excluded
        assert f"/en/solutions/{solution.pk}/" not in personas.client_for("contributor_a").post(
            self.url, text).content.decode()

    def test_htmx_gets_the_results_alone(self, personas, pair):
        page = Client().post(self.url, {"text": "Solar pumps for rural wells."}, headers={"HX-Request": "true"})
        assert "<html" not in page.content.decode()
        assert 'data-testid="describe-matches"' in page.content.decode()


def test_record_pages_load_a_short_list_with_a_link_to_all_matches(personas, pair):
    need, solution = pair
    client = personas.client_for("anonymous")
    short = client.get(f"/en/brokering/needs/{need.pk}/matches/?view=compact", headers={"HX-Request": "true"})
    html = short.content.decode()
    assert f'href="/en/solutions/{solution.pk}/"' in html
    assert 'id="providers-heading"' not in html
    assert f'href="/en/brokering/needs/{need.pk}/matches/" data-testid="all-matches"' in html
