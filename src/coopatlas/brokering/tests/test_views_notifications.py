"""In-app notifications (with the unread count in the navigation) and the brokers' queue."""

from __future__ import annotations

import pytest

from coopatlas.brokering.models import Notification
from coopatlas.brokering.tests.helpers import published_need

pytestmark = pytest.mark.django_db


def test_the_navigation_shows_the_unread_count(personas, proposal):
    html = personas.client_for("contributor_a").get("/en/").content.decode()
    assert 'data-testid="notifications"' in html
    assert '<span class="count-badge" aria-label="1 unread">1</span>' in html
    assert 'data-testid="broker-queue"' not in html
    assert 'data-testid="broker-queue"' in personas.client_for("moderator").get("/en/").content.decode()
    assert 'data-testid="notifications"' not in personas.client_for("anonymous").get("/en/").content.decode()


def test_the_notifications_page_lists_mine_and_marks_them_read(personas, proposal, django_assert_max_num_queries):
    client = personas.client_for("contributor_b")
    with django_assert_max_num_queries(12):
        html = client.get("/en/brokering/notifications/").content.decode()
    notice = Notification.objects.get(user=personas.contributor_b)
    assert f'data-testid="mark-read-{notice.pk}"' in html
    assert client.post("/en/brokering/notifications/", {"notification": notice.pk}).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_marking_read_never_touches_someone_elses_notifications(personas, proposal):
    theirs = Notification.objects.get(user=personas.contributor_a)
    personas.client_for("contributor_b").post("/en/brokering/notifications/", {"notification": theirs.pk})
    personas.client_for("moderator").post("/en/brokering/notifications/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(personas, proposal):
    personas.client_for("contributor_a").post("/en/brokering/notifications/")
    assert not Notification.objects.filter(user=personas.contributor_a, read_at__isnull=True).exists()


def test_opening_the_proposal_marks_its_notifications_read(personas, proposal):
    personas.client_for("contributor_a").get(f"/en/brokering/proposals/{proposal.pk}/")
    assert Notification.objects.get(user=personas.contributor_a).read_at is not None
    assert Notification.objects.get(user=personas.contributor_b).read_at is None


def test_notifications_need_a_sign_in(personas):
    assert personas.client_for("anonymous").get("/en/brokering/notifications/").status_code == 302
    assert personas.client_for("anonymous").post("/en/brokering/notifications/").status_code == 302


@pytest.mark.parametrize(("persona", "expected"), [
    ("anonymous", 302), ("contributor_a", 403), ("contributor_b", 403), ("moderator", 200), ("administrator", 200),
])
def test_only_brokers_see_the_queue(personas, pair, persona, expected):
    assert personas.client_for(persona).get("/en/brokering/queue/").status_code == expected


def test_the_queue_puts_weakly_matched_needs_first_with_the_best_candidate(personas, pair):
    need, solution = pair
    lonely = published_need(personas.org_b, personas.contributor_b, "Tax reform",
                            "Corporate income tax administration reform for the revenue office.")
    short = published_need(personas.org_b, personas.contributor_b, "Help", "")
    html = personas.client_for("moderator").get("/en/brokering/queue/").content.decode()
    rows = html.split("<table class=\"data queue\"")[1]
    assert rows.index(f"/en/brokering/needs/{lonely.pk}/matches/") < rows.index(
        f"/en/brokering/needs/{need.pk}/matches/")
    assert f'data-testid="flagged-{lonely.pk}"' in rows and f'data-testid="flagged-{short.pk}"' in rows
    assert f'data-testid="flagged-{need.pk}"' not in rows
    assert f'href="/en/solutions/{solution.pk}/"' in rows
    assert "The text is too short to match" in rows
