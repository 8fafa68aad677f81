"""Where the IATI pages are linked from: the search page's IATI download and the contributor's desk."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from lxml import etree

from coopatlas.conftest import make_user
from coopatlas.iati.importer import ImportConfig, import_files

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
TEARFUND = DATA / "datastore-acceptance__tearfund-cd.xml"

pytestmark = pytest.mark.django_db


def _iati_link(html: str) -> str | None:
    """The href of the search page's IATI XML download link, None when there is none."""
    found = re.search(r'<a href="([^"]+)" download data-testid="export-iati"', html)
    return unescape(found.group(1)) if found else None


def test_a_search_filtered_to_initiatives_offers_their_iati_xml(personas) -> None:
    import_files([FCDO, TEARFUND])
    import_files([DATA / "datastore-fixtures__iati_activity_JP.xml"], ImportConfig(owner_id=personas.org_a.pk))
    client = personas.client_for("anonymous")
    page = client.get("/en/search/", {"type": "initiative", "country": "LBR"})
    assert page.status_code == 200
    link = _iati_link(page.content.decode())
    assert link is not None and link.startswith("/en/iati/export/?")
    assert "type=initiative" in link and "country=LBR" in link
    document = etree.fromstring(b"".join(client.get(link).streaming_content))
    assert [activity.findtext("iati-identifier") for activity in document] == ["GB-1-103662-101"]
    everything = etree.fromstring(
        b"".join(
            client.get(_iati_link(client.get("/en/search/", {"type": "initiative"}).content.decode())).streaming_content
        )
    )
    assert len(everything) == 3


def test_a_search_not_limited_to_initiatives_has_no_iati_download(personas) -> None:
    client = personas.client_for("anonymous")
    for query in ({}, {"type": "solution"}, {"type": ["initiative", "solution"]}):
        page = client.get("/en/search/", query)
        assert page.status_code == 200
        assert 'data-testid="export-csv"' in page.content.decode()
        assert _iati_link(page.content.decode()) is None, query


def test_the_contributors_desk_links_the_upload_page(personas, password_hash) -> None:
    for name in ("contributor_a", "moderator"):
        page = personas.client_for(name).get("/en/contribute/")
        assert page.status_code == 200
        assert 'href="/en/iati/upload/" data-testid="iati-upload"' in page.content.decode(), name
    loner = make_user(password_hash, "lone")
    client = personas.client_for("anonymous")
    client.force_login(loner)
    page = client.get("/en/contribute/")
    assert page.status_code == 200 and 'data-testid="iati-upload"' not in page.content.decode()
