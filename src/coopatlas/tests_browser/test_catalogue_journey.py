"""Browser journey in Debian's chromium (Playwright): search with facets, sign in, create a need,
submit it, moderate it, see it published, and switch to Arabic (right-to-left).

Run with ``make test-browser`` (``pytest -m browser``); skipped when /usr/bin/chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from coopatlas.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests are plain setup.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    """Reference data, the personas, and a few published records to search."""
    from coopatlas.catalogue.models import Membership, Organisation
    from coopatlas.catalogue.tests.factories import make_solution
    from coopatlas.core.models import User, WorkflowStatus
    from coopatlas.geo.models import Country
    from coopatlas.iati.models import Sector

    call_command("load_reference", verbosity=0)
    org = Organisation.objects.create(name="Agência Brasileira de Cooperação", acronym="ABC",
                                      country=Country.objects.get(code="BRA"), workflow_status=WorkflowStatus.PUBLISHED)
    alice = User.objects.create_user("alice", "alice@example.org", PASSWORD)
    Membership.objects.create(user=alice, organisation=org)
    User.objects.create_user("mona", "mona@example.org", PASSWORD, role=User.Role.MODERATOR)
    water = make_solution(org, alice, title="Community water kiosks", summary="Rural drinking water managed by villages.",
                          status=WorkflowStatus.PUBLISHED)
    water.countries_applied.set(["SEN"])
    water.sectors.set([Sector.objects.get(code="14030")])
    water.save()
    make_solution(org, alice, title="School feeding with family farmers", summary="Local purchase for school meals.",
                  status=WorkflowStatus.PUBLISHED)
    call_command("reindex", verbosity=0)
    return org


def _sign_in(page, base, username):
    page.goto(f"{base}/en/accounts/sign-in/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-in-submit]")


def test_search_contribute_moderate_publish_and_read_in_arabic(live_server, seeded, browser_page):
    page, base = browser_page, live_server.url

    # Search with a facet.
    page.goto(f"{base}/en/search/?q=water")
    assert "Community water kiosks" in page.inner_text(".results")
    page.locator("[data-testid=facet-type] a", has_text="Solution").first.click()
    page.wait_for_url("**type=solution**")
    page.locator("[data-testid=facet-country] a", has_text="Senegal").first.click()
    page.wait_for_url("**country=SEN**")
    assert page.locator(".results mark").first.inner_text().lower() == "water"
    assert "School feeding" not in page.locator(".results").inner_text()

    # A contributor signs in, creates a need and submits it.
    _sign_in(page, base, "alice")
    page.goto(f"{base}/en/needs/new/")
    page.fill("#id_title", "Solar pumps for village water points")
    page.fill("#id_description", "Our rural municipalities need solar-powered pumping for boreholes.")
    page.select_option("#id_country", "BRA")
    page.click("[data-testid=save-record]")
    assert page.locator("[data-testid=workflow-status]").inner_text().strip() == "Draft"
    page.click("[data-testid=workflow-submit]")
    assert page.locator("[data-testid=workflow-status]").inner_text().strip() == "Submitted"
    need_url = page.url
    page.click("form[action$='sign-out/'] button")

    # The moderator finds it in the queue and publishes it.
    _sign_in(page, base, "mona")
    page.goto(f"{base}/en/moderation/")
    page.click("text=Solar pumps for village water points")
    page.click("[data-testid=workflow-publish]")
    assert page.locator("[data-testid=workflow-status]").inner_text().strip() == "Published"
    page.click("form[action$='sign-out/'] button")

    # A visitor sees it published, and in search.
    page.goto(need_url)
    page.wait_for_load_state("networkidle")  # the need page loads its match panel with htmx
    assert "Solar pumps for village water points" in page.content()
    page.goto(f"{base}/en/search/?q=solar")
    assert "Solar pumps for village water points" in page.locator(".results").inner_text()

    # Switch to Arabic with the language switcher: right-to-left layout.
    page.select_option("[data-testid=language-select]", "ar")
    page.click(".language-switcher button")
    page.wait_for_url("**/ar/**")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    nav_box = page.locator(".site-nav .brand").bounding_box()
    viewport = page.viewport_size
    assert nav_box["x"] > viewport["width"] / 2  # the brand sits on the right in RTL
    page.wait_for_load_state("networkidle")  # no request still in flight when the database is flushed
