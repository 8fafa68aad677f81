"""Sign-up with Argon2 hashes, sign-in throttling, sign-out."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from coopatlas.conftest import PASSWORD
from coopatlas.core.models import User


def test_sign_up_stores_an_argon2_hash(db):
    response = Client().post(reverse("core:signup"), {
        "username": "fatou", "email": "fatou@example.org", "first_name": "Fatou", "last_name": "Diop",
        "preferred_language": "fr", "password1": "a long and unusual phrase 91", "password2": "a long and unusual phrase 91",
    })
    assert response.status_code == 302
    assert User.objects.get(username="fatou").password.startswith("argon2")


def test_sign_up_refuses_weak_and_mismatched_passwords(db):
    response = Client().post(reverse("core:signup"), {
        "username": "weak", "email": "w@example.org", "preferred_language": "en", "password1": "123", "password2": "123",
    })
    assert response.status_code == 400
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="weak").exists()


def test_sign_in_works_with_the_right_password(personas):
    response = Client().post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(personas, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    client = Client()
    for _ in range(3):
        assert client.post(reverse("core:login"), {"username": "alice", "password": "wrong"}).status_code == 200
    response = client.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(personas):
    client = personas.client_for("contributor_a")
    assert client.get(reverse("core:logout")).status_code == 405
    assert client.post(reverse("core:logout")).status_code == 302


def test_forms_require_csrf_tokens(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.contributor_a)
    response = client.post(reverse("catalogue:need-create"), {"title": "x"})
    assert response.status_code == 403
