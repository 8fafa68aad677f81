"""Matching a need: ranked solutions, providers and experts with reasons; never the requester's own."""

from __future__ import annotations

from coopatlas.brokering.services import match_need, match_solution
from coopatlas.brokering.tests.helpers import published_need, published_solution
from coopatlas.catalogue.models import Organisation
from coopatlas.core.models import WorkflowStatus
from coopatlas.geo.models import Country


def _world(personas):
    org_c = Organisation.objects.create(name="Instituto de Agua", country=Country.objects.get(code="MEX"),
                                        workflow_status=WorkflowStatus.PUBLISHED, language="es")
    wells = published_solution(personas.org_a, personas.contributor_a, "Rural drinking water wells",
                               "Solar pumps for rural drinking water wells. Village committees maintain them.",
                               sectors=("14030",))
    tax = published_solution(org_c, None, "Tax administration", "Corporate income tax reform.", sectors=("15114",))
    own = published_solution(personas.org_b, personas.contributor_b, "Our own rural water wells",
                             "Rural drinking water wells with solar pumps.", sectors=("14030",))
    need = published_need(personas.org_b, personas.contributor_b, "Rural drinking water",
                          "We need solar pumps for rural drinking water wells in our villages.")
    return need, wells, tax, own


def test_a_need_gets_solutions_ranked_without_its_own_organisations(personas):
    need, wells, tax, own = _world(personas)
    report = match_need(need)
    assert [r.record.pk for r in report.solutions] == [wells.pk, tax.pk]
    assert report.inferred_sectors == {"14030": 1.0}
    assert report.weak is False and report.messages == []


def test_every_match_says_why(personas):
    need, wells, _tax, _own = _world(personas)
    explanation = match_need(need).solutions[0].explanation
    assert explanation.shared_sectors == [
        {"code": "14030", "label": "Basic drinking water supply and basic sanitation", "exact": True,
         "inferred": True}
    ]
    assert [p.candidate_sentence for p in explanation.passages] == [
        "Rural drinking water wells", "Solar pumps for rural drinking water wells.",
    ]
    names = [s["name"] for s in explanation.signals]
    assert names == ["semantic", "lexical", "sectors", "sdg", "modality", "geography", "language", "track_record",
                     "freshness"]
    total = sum(s["contribution"] for s in explanation.signals)
    assert abs(total - match_need(need).solutions[0].score) < 0.01


def test_providers_never_include_the_requesters_organisation(personas):
    need, _wells, _tax, _own = _world(personas)
    providers = [r.record.name for r in match_need(need).providers]
    assert "Ministère de l'Agriculture du Sénégal" not in providers
    assert providers[0] == "Agência Brasileira de Cooperação"


def test_a_one_word_need_gets_a_message_not_an_empty_list(personas):
    need = published_need(personas.org_b, personas.contributor_b, "Water", "")
    report = match_need(need)
    assert report.solutions == []
    assert report.messages == [
        "The text is too short to match (1 word): describe what is needed in a sentence or more."
    ]


def test_a_need_with_no_candidates_is_flagged_for_a_broker(personas):
    need = published_need(personas.org_b, personas.contributor_b, "Rural water", "Safe water for rural villages.")
    report = match_need(need)
    assert report.weak is True
    assert report.messages == ["No published solution can be proposed yet: a broker will look for partners."]


def test_a_weak_best_match_is_flagged_for_a_broker(personas):
    published_solution(personas.org_a, personas.contributor_a, "Tax administration", "Corporate income tax reform.")
    need = published_need(personas.org_b, personas.contributor_b, "Rural water", "Safe water for rural villages.")
    report = match_need(need)
    assert report.weak is True
    assert report.messages == ["The best matches are weak: this need is flagged for a human broker."]


def test_a_solution_finds_the_open_needs_of_other_organisations(personas):
    need, wells, _tax, _own = _world(personas)
    assert [r.record.pk for r in match_solution(wells)] == [need.pk]


def test_matched_passages_use_each_need_sentence_once_while_others_remain(personas):
    published_solution(personas.org_a, personas.contributor_a, "Rural water",
                       "Rural water wells. Rural water pumps. Rural water committees.", sectors=("14030",))
    need = published_need(personas.org_b, personas.contributor_b, "Rural water",
                          "Village committees maintain the solar pumps of the wells.")
    passages = match_need(need).solutions[0].explanation.passages
    assert [p.need_sentence for p in passages] == ["Rural water",
                                                   "Village committees maintain the solar pumps of the wells."]
    assert len({p.candidate_sentence for p in passages}) == 2


def test_the_weak_match_threshold_is_a_setting(personas, settings):
    published_solution(personas.org_a, personas.contributor_a, "Tax administration", "Corporate income tax reform.")
    need = published_need(personas.org_b, personas.contributor_b, "Rural water", "Safe water for rural villages.")
    settings.COOPATLAS_WEAK_COSINE = 0.0
    assert match_need(need).weak is False
    settings.COOPATLAS_WEAK_COSINE = None  # back to the embedder's calibrated default
    assert match_need(need).weak is True


def test_a_strong_match_is_flagged_only_when_the_threshold_is_above_its_cosine(personas, settings):
    need, _wells, _tax, _own = _world(personas)
    assert match_need(need).weak is False
    settings.COOPATLAS_WEAK_COSINE = 0.999
    report = match_need(need)
    assert report.weak is True and [r.record.pk for r in report.solutions][:1] == [_wells.pk]
