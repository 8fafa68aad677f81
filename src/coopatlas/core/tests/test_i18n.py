"""Six UN languages by URL prefix, right-to-left Arabic, and reference names from real translations."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar", "zh-hans", "ru"])
def test_every_language_prefix_serves_the_home_page(db, lang):
    response = Client().get(f"/{lang}/")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()


def test_arabic_pages_are_right_to_left(db):
    html = Client().get("/ar/").content.decode()
    assert 'dir="rtl"' in html
    assert 'dir="ltr"' in Client().get("/fr/").content.decode()


def test_root_redirects_to_a_language(db):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/")
