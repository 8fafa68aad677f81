"""Indicator pages: every page in three languages with real data, CSV = table, an offline map, gaps from lnob."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from django.test import Client

from coopatlas.indicators import lnob
from coopatlas.indicators.import_opensdg import import_opensdg
from coopatlas.indicators.import_series import import_series_files
from coopatlas.indicators.models import SdgIndicator, Series

DATA = Path(__file__).resolve().parent / "data"
U5_BY_SEX = DATA / "series" / "under5_mortality_by_sex_sdgdb.csv"


@pytest.fixture
def indicator_data(db: Any) -> dict[str, int]:
    """Three Canada Open SDG indicators and three small real tidy files (under-5 mortality, completion)."""
    import_opensdg(DATA / "opensdg-canada", "CAN", dataset_code="opensdg-canada")
    import_series_files(
        [
            U5_BY_SEX,
            DATA / "series" / "under5_mortality_igme_southern_asia.csv",
            DATA / "series" / "completion_rate_primary_by_quintile_sdgdb.csv",
        ]
    )
    return {s.dataset.code: s.pk for s in Series.objects.select_related("dataset")}


def page_urls(series: dict[str, int]) -> dict[str, tuple[str, str]]:
    """Each page, with a piece of real data it must show."""
    by_sex = series["tidy-under5_mortality_by_sex_sdgdb"]
    return {
        "index": ("/indicators/", "4.5.1"),
        "indicator": (f"/indicators/3.2.1/?series={by_sex}&area=IND", 'data-value="43.5"'),
        "indicator_opensdg": ("/indicators/4.5.1/", 'data-testid="badge-opensdg"'),
        "country": ("/indicators/countries/IND/", 'data-value="34.3"'),
        "region": ("/indicators/regions/034/", "/indicators/countries/IND/"),
        "commission": ("/indicators/commissions/ESCAP/", "/indicators/countries/BGD/"),
        "map": (f"/indicators/map/?series={by_sex}&year=2019", 'data-value="34.3"'),
    }


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_every_page_renders_with_real_data_in_three_languages(indicator_data: dict[str, int], language: str) -> None:
    client = Client()
    for name, (path, expected) in page_urls(indicator_data).items():
        response = client.get(f"/{language}{path}")
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html, name
        assert expected in html, name


def test_indicator_title_follows_the_language(indicator_data: dict[str, int]) -> None:
    html = Client().get("/fr/indicators/3.2.1/").content.decode()
    title = SdgIndicator.objects.get(code="3.2.1").titles["fr"]
    assert title.startswith("Taux de mortalit") and f"<h1>3.2.1 {title}</h1>" in html


def test_csv_download_is_the_table(indicator_data: dict[str, int]) -> None:
    by_sex = indicator_data["tidy-under5_mortality_by_sex_sdgdb"]
    path = f"/en/indicators/3.2.1/?series={by_sex}&area=IND&dim.SEX=F&dim.SEX=M"
    html = Client().get(path).content.decode()
    table = html[html.index('id="table-data"') : html.index("</table>", html.index('id="table-data"'))]
    html_rows = [re.findall(r'data-value="([^"]*)"', row) for row in table.split("<tr>")[2:]]
    response = Client().get(path + "&format=csv&table=data")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Year", "Total", "Sex: Female", "Sex: Male"]
    assert rows[1:] == html_rows
    assert rows[1] == ["2015", "43.5", "45.0", "42.1"]  # the file: IND 2015 bothsex, female, male
    assert len(rows) == 6


def test_json_view_has_every_table(indicator_data: dict[str, int]) -> None:
    data = Client().get("/en/indicators/countries/IND/?format=json").json()
    assert [t["key"] for t in data["tables"]] == ["goals", "indicators", "gaps"]
    assert data["title"] == "India"


def test_disaggregation_facets_are_plain_data(indicator_data: dict[str, int]) -> None:
    by_sex = indicator_data["tidy-under5_mortality_by_sex_sdgdb"]
    response = Client().get(f"/en/indicators/3.2.1/?series={by_sex}&area=IND&dim.SEX=F")
    facets = response.context["page"].context["facets"]
    base = f"?series={by_sex}&area=IND"
    assert facets == [
        {
            "name": "SEX",
            "label": "Sex",
            "truncated": False,
            "results": [
                {"value": "F", "label": "Female", "count": 5, "selected": True, "toggle_url": base},
                {
                    "value": "M",
                    "label": "Male",
                    "count": 5,
                    "selected": False,
                    "toggle_url": base + "&dim.SEX=F&dim.SEX=M",
                },
            ],
        }
    ]


def test_opensdg_badge_is_the_status_canada_published(indicator_data: dict[str, int]) -> None:
    published = yaml.safe_load((DATA / "opensdg-canada" / "indicator_calculation_components.yml").read_text())
    response = Client().get("/en/indicators/4.5.1/")
    badges = {b["method"]: b for b in response.context["page"].context["badges"]}
    assert published["4-5-1"]["progress_status"] == "moderate_progress"
    assert badges["opensdg"]["status"] == "moderate_progress"
    assert badges["opensdg"]["value"] == pytest.approx(published["4-5-1"]["score"], abs=1e-9)


def test_escap_and_unsd_badges_use_the_sdg_target(indicator_data: dict[str, int]) -> None:
    by_sex = indicator_data["tidy-under5_mortality_by_sex_sdgdb"]
    response = Client().get(f"/en/indicators/3.2.1/?series={by_sex}&area=IND")
    badges = {b["method"]: b for b in response.context["page"].context["badges"]}
    # India 43.5 (2015) -> 34.3 (2019) towards 25 by 2030: current status index (34.3-43.5)/(25-43.5).
    assert badges["escap"]["value"] == pytest.approx((34.3 - 43.5) / (25 - 43.5))
    assert badges["escap"]["status"] in {"maintain", "accelerate"}
    assert badges["unsd"]["status"] and not badges["unsd"]["reason"]


def test_map_page_uses_only_local_files(indicator_data: dict[str, int]) -> None:
    html = Client().get("/en/indicators/map/").content.decode()
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert scripts and not [s for s in scripts if "http" in s or not s.startswith("/static/")]
    assert 'data-topojson="/static/vendor/world-atlas/countries-110m.json"' in html
    assert "plotly" in " ".join(scripts)


def test_pages_without_charts_do_not_load_plotly(indicator_data: dict[str, int]) -> None:
    html = Client().get("/en/indicators/countries/IND/").content.decode()
    assert "plotly" not in html


def test_map_matches_countries_by_m49_code(indicator_data: dict[str, int]) -> None:
    by_sex = indicator_data["tidy-under5_mortality_by_sex_sdgdb"]
    table = Client().get(f"/en/indicators/map/?series={by_sex}&year=2019").context["page"].table("map")
    assert [(row[1], row[2], row[3]) for row in table.rows] == [
        ("BGD", "050", 30.8),
        ("IND", "356", 34.3),
        ("PAK", "586", 67.2),
    ]


def test_country_page_lists_the_largest_gaps_computed_by_lnob(indicator_data: dict[str, int]) -> None:
    rows = pl.read_csv(U5_BY_SEX).filter((pl.col("iso3") == "IND") & (pl.col("sex") != "bothsex"))
    direct = (
        lnob.furthest_groups(
            rows.with_columns(pl.lit("SEX").alias("dimension")), ["dimension", "year"], "sex", higher_is_better=False
        )
        .filter(pl.col("year") == 2019)
        .row(0, named=True)
    )
    table = Client().get("/en/indicators/countries/IND/").context["page"].table("gaps")
    row = next(r for r in table.rows if r[0] == "3.2.1")
    assert row[1:8] == ["Sex", 2019, "Female", direct["behind_value"], "Male", direct["ahead_value"], direct["gap"]]
    assert (direct["furthest_behind"], direct["furthest_ahead"]) == ("female", "male")
    assert row[8] == pytest.approx(round(100 * 1.2 / 33.7, 1))
    assert row[9] == "narrowed since 2015"  # 45.0-42.1 = 2.9 in 2015, 1.2 in 2019


def test_unknown_pages_are_not_found(indicator_data: dict[str, int]) -> None:
    client = Client()
    for path in (
        "/en/indicators/99.9.9/",
        "/en/indicators/countries/XXX/",
        "/en/indicators/regions/999/",
        "/en/indicators/commissions/NOPE/",
        "/en/indicators/3.2.1/?format=csv&table=nope",
    ):
        assert client.get(path).status_code == 404, path
