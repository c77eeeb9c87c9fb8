"""The register in the console: every signed-in user sees it with the AV-Vertrag status,
searches and pages it; administrators add, change and import customers (through the one
form), in Django's admin too; others get 403."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from intake_server.customers.models import Customer
from tests.server.register import register_customer

pytestmark = pytest.mark.django_db
HEADER = "number;company;sector;av_signed_on;av_document;notes\n"


def signed_in(client: Client, admin: bool) -> Client:
    user = get_user_model().objects.create_user("ben", password="x" * 20, is_staff=admin)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(client: Client) -> Client:
    return signed_in(client, admin=False)


@pytest.fixture
def admin(client: Client) -> Client:
    return signed_in(client, admin=True)


def test_support_sees_the_av_status_and_finds_customers(staff: Client) -> None:
    register_customer("K-1", "Zahnarztpraxis Müller", "health", date(2025, 3, 31), "DMS-1")
    register_customer("K-2", "Kanzlei Weiß", "legal")
    page = staff.get("/customers/").content.decode()
    assert "2 customers of 2 in the register" in page and "DMS-1" in page
    assert "AV-Vertrag signed on 2025-03-31" in page
    assert page.count("No AV-Vertrag on file") == 1 and "Add customer" not in page
    assert 'href="/search?q=K-1"' in page
    found = staff.get("/customers/", {"q": "mueller"}).content.decode()
    assert "Zahnarztpraxis" in found and "Kanzlei" not in found
    assert "Kanzlei" in staff.get("/customers/", {"q": "k2"}).content.decode()
    without = staff.get("/customers/", {"without_av": "1"}).content.decode()
    assert "Kanzlei" in without and "Zahnarztpraxis" not in without
    assert staff.get("/customers/add").status_code == 403
    assert staff.post("/customers/import").status_code == 403


def test_the_list_is_paged_and_counted(staff: Client) -> None:
    for n in range(60):
        register_customer(f"N-{n:03d}", f"Firma {n}")
    first = staff.get("/customers/").content.decode()
    assert "60 customers of 60" in first and "Page 1 of 2" in first and "N-049" in first
    second = staff.get("/customers/", {"page": "2"}).content.decode()
    assert "N-050" in second and "N-049" not in second


def test_the_page_is_german_by_default(client: Client) -> None:
    user = get_user_model().objects.create_user("anna", password="x" * 20)
    client.force_login(user)
    register_customer("K-2", "Kanzlei", "legal")
    page = client.get("/customers/").content.decode()
    assert "Kein AV-Vertrag hinterlegt" in page and "Recht" in page
    assert "Kanzlei" in page and "AV-Vertrag vom" not in page


def test_an_administrator_adds_and_edits_a_customer(admin: Client) -> None:
    refused = admin.post("/customers/add", {"number": "k 1", "company": "", "sector": "health"})
    assert (
        refused.status_code == 400 and "Give the company&#x27;s name." in refused.content.decode()
    )
    added = admin.post(
        "/customers/add",
        {"number": "K-1", "company": "Praxis", "sector": "health", "av_signed_on": "31.03.2025"},
    )
    assert added.status_code == 302 and added["Location"] == "/customers/?q=K-1"
    customer = Customer.find("k1")
    assert customer.av_signed_on == date(2025, 3, 31)
    twice = admin.post("/customers/add", {"number": "k1", "company": "Andere", "sector": "other"})
    assert "Customer K-1 is already in the register (Praxis)." in twice.content.decode()
    edited = admin.post(
        f"/customers/{customer.pk}/edit",
        {"number": "K-1", "company": "Praxis Dr. A", "sector": "health", "av_signed_on": ""},
    )
    assert edited.status_code == 302
    assert Customer.find("K-1").company == "Praxis Dr. A" and not Customer.find("K-1").has_av


def test_an_administrator_imports_a_csv_all_or_nothing(admin: Client) -> None:
    def upload(text: str) -> str:
        file = SimpleUploadedFile("crm.csv", text.encode(), content_type="text/csv")
        return admin.post("/customers/import", {"file": file}).content.decode()

    refused = upload(HEADER + "1;A;other;;;\n2;B;law;;;\n")
    assert (
        "Nothing was imported." in refused and "line 3, column sector: law is no sector" in refused
    )
    assert not Customer.objects.exists()
    done = upload(HEADER + "1;A;other;;;\n2;B;legal;;;\n")
    assert "crm.csv was imported: 2 added, 0 updated, 0 unchanged." in done
    assert "Choose a CSV file" in admin.post("/customers/import").content.decode()


def test_djangos_admin_uses_the_same_form_and_search(admin: Client) -> None:
    admin_user = get_user_model().objects.get(username="ben")
    admin_user.is_superuser = True
    admin_user.save()
    register_customer("K-1", "Praxis Müller", "health")
    listed = admin.get("/admin/customers/customer/", {"q": "k1"}).content.decode()
    assert "Praxis Müller" in listed
    assert (
        "Praxis Müller"
        in admin.get("/admin/customers/customer/", {"q": "mueller"}).content.decode()
    )
    without = admin.get("/admin/customers/customer/", {"av": "no"}).content.decode()
    assert "Praxis Müller" in without
    answer = admin.post(
        "/admin/customers/customer/add/",
        {"number": "k-1", "company": "Zweite", "sector": "other", "av_signed_on": ""},
    )
    assert "Customer K-1 is already in the register (Praxis Müller)." in answer.content.decode()
