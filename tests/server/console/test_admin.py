"""The administration's user pages store names as sign-in reads them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def admin_client(db: None) -> Client:
    User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


def _add(client: Client, name: str) -> int:
    answer = client.post(
        "/admin/auth/user/add/",
        {"username": name, "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )
    return answer.status_code


def test_a_user_added_by_an_administrator_is_stored_normalised(admin_client: Client) -> None:
    assert _add(admin_client, "Carl") == 302
    assert User.objects.filter(username="carl").exists()
    signed_in = Client().post("/sign-in", {"username": "ＣＡＲＬ", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content


def test_a_name_that_normalises_to_an_existing_one_is_refused(admin_client: Client) -> None:
    assert _add(admin_client, "carl") == 302
    assert _add(admin_client, "ＣＡＲＬ") == 200  # the form again, with the error
    assert User.objects.filter(username__iexact="carl").count() == 1
