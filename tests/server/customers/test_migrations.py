"""A database from before the register: ``migrate`` gives each token its customer (one
per number, however written), with the company the token named and no AV-Vertrag on
file, which the console then shows until an administrator completes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intake_server.api.models import Token
from intake_server.customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("api", "0003_ledger_format_2"), ("customers", None)]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def latest() -> None:
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_register() -> Iterator[Apps]:
    """The database migrated back to before the register, with its models of then."""
    yield migrate(BEFORE).loader.project_state([BEFORE[0]]).apps
    latest()


def test_each_token_of_before_gets_its_customer(before_the_register: Apps) -> None:
    token = before_the_register.get_model("api", "Token")
    made = [("K-1", "Praxis Müller"), ("k1", "Praxis Müller"), ("20000", ""), ("", "Ohne")]
    for n, (number, company) in enumerate(made):
        token.objects.create(customer_number=number, company=company, digest=str(n), hint="itk_")
    latest()
    customers = {t.pk: t.customer for t in Token.objects.select_related("customer")}
    first, second, third, fourth = (customers[pk] for pk in sorted(customers))
    assert first == second and first.number == "K-1" and first.company == "Praxis Müller"
    assert (third.number, third.company, third.sector) == ("20000", "", Customer.OTHER)
    assert fourth.key.startswith("TOKEN") and fourth.company == "Ohne"
    assert not any(c.has_av for c in customers.values())
    assert Customer.objects.count() == 3
    assert list(Customer.matching("mueller")) == [first]  # search_name filled too
