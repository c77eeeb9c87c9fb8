"""``customer``: the register from the command line, checked by the console's form, in
English, with exit 2 and what to do for bad input; ``import`` all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from intake_server.api.models import Token
from intake_server.customers.models import Customer
from tests.server.conftest import intake_env, run, run_intake, shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    return str(error.value)


def test_add_edit_and_list() -> None:
    out, _ = run("customer", "add", "K-1", "--company", "Praxis Weiß", "--sector", "health")
    assert out.splitlines() == [
        "Added customer K-1 (Praxis Weiß).",
        "No AV-Vertrag on file: once it is signed, run: intellekta-intake customer edit K-1 "
        "--av-signed-on YYYY-MM-DD",
    ]
    out, _ = run("customer", "edit", "k1", "--av-signed-on", "31.03.2025", "--notes", "DSB: Frau A")
    assert out.splitlines() == [
        "Changed customer K-1 (Praxis Weiß): --av-signed-on, --notes.",
        "AV-Vertrag signed on 2025-03-31.",
    ]
    assert run("customer", "edit", "K 1", "--sector", "health")[0] == "Customer K-1 is unchanged.\n"
    run("customer", "add", "K-2", "--company", "Kanzlei")
    assert run("customer", "list")[0].splitlines() == [
        "K-1          health   AV 2025-03-31  Praxis Weiß",
        "K-2          other    no AV-Vertrag  Kanzlei",
    ]
    [without] = json.loads(run("customer", "list", "--json", "--without-av")[0])
    assert without["number"] == "K-2" and without["av_signed_on"] is None
    run("customer", "edit", "K-1", "--notes", "")  # an empty value clears
    assert Customer.find("K-1").notes == ""


def test_bad_input_is_refused_with_what_to_do() -> None:
    assert "Add one: intellekta-intake customer add" in run("customer", "list")[0]
    message = refused("customer", "add", "K-1", "--company", "", "--av-signed-on", "2025/03/31")
    assert message.splitlines() == [
        "the customer was not added:",
        "  --company: Give the company's name.",
        "  --av-signed-on: Write the date as YYYY-MM-DD or DD.MM.YYYY, e.g. 2025-03-31.",
    ]
    run("customer", "add", "K-1", "--company", "Erste")
    assert "Customer K-1 is already in the register (Erste)." in refused(
        "customer", "add", "k1", "--company", "Zweite"
    )
    assert "--sector: dental is no sector" in refused(
        "customer", "edit", "K-1", "--sector", "dental"
    )
    assert "there is no customer 'K-9' in the register" in refused("customer", "edit", "K-9")
    assert "cannot read /nonexistent.csv" in refused("customer", "import", "/nonexistent.csv")


def test_a_token_names_its_customers_company() -> None:
    run("customer", "add", "10472", "--company", "Kanzlei Recht")
    _, err = run("token", "create", "--customer", "10 472")
    token = Token.objects.get()
    assert err.startswith(
        f"Token {token.pk} for customer 10472 (Kanzlei Recht, as the register has it)."
    )
    assert run("token", "list")[0].rstrip().endswith("Kanzlei Recht")
    assert "Add the customer first: intellekta-intake customer add" in refused(
        "token", "create", "--customer", "99999"
    )


def test_import_through_the_real_command_line(tmp_path: Path) -> None:
    env = intake_env(tmp_path / "data", shared_database_url())
    good = tmp_path / "crm.csv"
    good.write_text(
        "number;company;sector;av_signed_on;av_document;notes\n"
        "10472;Zahnarztpraxis Müller;health;31.03.2025;DMS-4711;\n"
        "10473;Kanzlei;legal;;;\n",
        encoding="utf-8-sig",
    )
    dry = run_intake("customer", "import", str(good), "--dry-run", env=env)
    assert dry.returncode == 0 and "it would add 2, update 0" in dry.stdout
    assert not Customer.objects.exists()
    done = run_intake("customer", "import", str(good), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Imported {good}: 2 added, 0 updated, 0 unchanged.\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text("utf-8-sig").replace("legal", "law"), encoding="utf-8")
    failed = run_intake("customer", "import", str(bad), env=env)
    assert failed.returncode == 2
    assert failed.stderr.splitlines() == [
        f"{bad}: line 3, column sector: law is no sector: give health, legal, tax, finance "
        "or other.",
        f"intellekta-intake customer: {bad} was not imported (1 problem(s), above); nothing "
        "was written. Correct the lines named, then import it again.",
    ]
    assert Customer.find("10473").sector == "legal"
    listed = run_intake("customer", "list", "--without-av", env=env)
    assert listed.stdout == "10473        legal    no AV-Vertrag  Kanzlei\n"
