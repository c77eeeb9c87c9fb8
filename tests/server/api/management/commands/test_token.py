"""``token``: a customer's token is shown once and only its hash is kept; it can be revoked."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from intake_server.api.models import Token
from tests.server.conftest import run
from tests.server.register import register_customer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def test_a_token_is_shown_once_and_only_its_hash_is_kept() -> None:
    register_customer("10472", "Kanzlei Recht & Partner")
    out, err = run("token", "create", "--customer", "10472")
    secret = out.strip()
    assert secret.startswith("itk_") and "shown only now" in err
    stored = Token.objects.get()
    assert secret not in {stored.digest, stored.hint} and stored.hint == secret[:8]
    listing, _ = run("token", "list", "--json")
    assert secret not in listing
    assert json.loads(listing)[0]["customer"] == "10472"
    with pytest.raises(CommandError) as refused:
        run("token", "revoke", "999")
    assert refused.value.returncode == 2
    run("token", "revoke", str(stored.pk))
    assert "revoked" in run("token", "list")[0]
