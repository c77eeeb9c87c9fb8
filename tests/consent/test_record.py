"""The consent record: built only from complete answers, always valid against schema.json."""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helper import __version__, config
from helper.apps.model import DetectedApp
from helper.consent.choices import Authority, ConfidentialApps
from helper.consent.device import ClientInfo
from helper.consent.notice import Notice, load_notice
from helper.consent.record import IncompleteRecord, build_record, clean_text, schema
from helper.consent.session_id import SessionIdError, parse_session_id

VALIDATOR = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
FIXED_UUID = uuid.UUID("6f1c1f8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f")
FIXED_TIME = datetime(2026, 11, 25, 10, 30, 15, 999, tzinfo=timezone(timedelta(hours=1)))
CLIENT = ClientInfo("intellekta-helper", __version__, "windows", "Windows 11 (10.0.22631)")


def app(
    id: str = "outlook", name: str = "Microsoft Outlook", category: str = "mail"
) -> DetectedApp:
    return DetectedApp(id=id, name=name, category=category, processes=(), main_pid=0)


def answers(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "session_id": "123 456 789",
        "notice": Notice("n", "1", "de", "Text"),
        "notice_accepted": True,
        "authority": Authority.OWNER,
        "confidential_apps": ConfidentialApps.KEPT_OPEN,
        "open_apps": [app()],
        "contact_name": "Erika Mustermann",
        "config": config.load(),
        "clock": lambda: FIXED_TIME,
        "new_uuid": lambda: FIXED_UUID,
        "client": CLIENT,
    }
    return {**base, **changes}


def test_the_wire_format_field_by_field() -> None:
    cfg = config.load(cli=[("customer.number", "K-4711"), ("customer.company", "Praxis Dr. Weiß")])
    record = build_record(**answers(config=cfg))
    assert record.submission_id == str(FIXED_UUID)
    assert record.to_dict() == {
        "schema_version": 1,
        "submission_id": "6f1c1f8e-2b1a-4c3d-9e8f-0a1b2c3d4e5f",
        "session_id": "123456789",
        "confirmed_at": "2026-11-25T09:30:15+00:00",
        "language": "de",
        "notice": {"id": "n", "version": "1", "sha256": Notice("n", "1", "de", "Text").sha256},
        "confirmations": {
            "notice_accepted": True,
            "authority": "owner",
            "confidential_apps": "kept_open",
        },
        "open_applications": [{"id": "outlook", "name": "Microsoft Outlook", "category": "mail"}],
        "customer": {
            "number": "K-4711",
            "company": "Praxis Dr. Weiß",
            "contact_name": "Erika Mustermann",
        },
        "client": {
            "name": "intellekta-helper",
            "version": __version__,
            "platform": "windows",
            "os_version": "Windows 11 (10.0.22631)",
        },
    }
    VALIDATOR.validate(record.to_dict())


def test_json_bytes_are_compact_utf8_in_a_stable_order() -> None:
    record = build_record(**answers())
    data = record.to_json_bytes()
    assert data == build_record(**answers()).to_json_bytes()
    assert json.loads(data.decode("utf-8")) == record.to_dict()
    assert data.startswith(b'{"schema_version":1,"submission_id":') and b": " not in data
    assert list(json.loads(data)) == [
        "schema_version",
        "submission_id",
        "session_id",
        "confirmed_at",
        "language",
        "notice",
        "confirmations",
        "open_applications",
        "customer",
        "client",
    ]


def test_the_record_is_immutable() -> None:
    record = build_record(**answers())
    with pytest.raises(AttributeError):
        record.session_id = "987654321"  # type: ignore[misc]
    record.to_dict()["session_id"] = "x"
    assert record.to_dict()["session_id"] == "123456789"


def test_open_applications_left_out_when_the_administrator_says_so() -> None:
    cfg = config.load(cli=[("privacy.send_open_apps", "false")])
    data = build_record(**answers(config=cfg)).to_dict()
    assert "open_applications" not in data
    assert data["confirmations"]["confidential_apps"] == "kept_open"
    VALIDATOR.validate(data)


def test_all_closed_gives_an_empty_list_and_empty_customer_keys_are_left_out() -> None:
    record = build_record(**answers(open_apps=[], confidential_apps="closed", contact_name=" "))
    data = record.to_dict()
    assert data["open_applications"] == [] and data["customer"] == {}
    VALIDATOR.validate(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"session_id": None}, "session_id"),
        ({"session_id": ""}, "session_id"),
        ({"session_id": "12345"}, "session_id"),
        ({"notice": None}, "notice"),
        ({"notice_accepted": False}, "notice_accepted"),
        ({"notice_accepted": "yes"}, "notice_accepted"),
        ({"authority": None}, "authority"),
        ({"authority": "neighbour"}, "authority"),
        ({"confidential_apps": None}, "confidential_apps"),
        ({"confidential_apps": "some"}, "confidential_apps"),
        ({"confidential_apps": "closed"}, "confidential_apps"),  # but one is still open
        ({"open_apps": [app(id=" \u200b")]}, "open_apps"),
        ({"contact_name": "x" * 201}, "contact_name"),
    ],
)
def test_a_missing_or_unacceptable_answer_cannot_be_built(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(IncompleteRecord) as caught:
        build_record(**answers(**change))
    assert caught.value.fields == (field,) and field in str(caught.value)


def test_every_missing_answer_is_named_at_once() -> None:
    with pytest.raises(IncompleteRecord) as caught:
        build_record(
            **answers(
                session_id=None,
                notice=None,
                notice_accepted=False,
                authority=None,
                confidential_apps=None,
            )
        )
    assert caught.value.fields == (
        "session_id",
        "notice",
        "notice_accepted",
        "authority",
        "confidential_apps",
    )


def test_contact_name_required_when_the_administrator_says_so() -> None:
    cfg = config.load(cli=[("ui.require_contact_name", "true")])
    with pytest.raises(IncompleteRecord) as caught:
        build_record(**answers(config=cfg, contact_name=" \t"))
    assert caught.value.fields == ("contact_name",)
    assert build_record(**answers(config=cfg)).customer.contact_name == "Erika Mustermann"


def test_session_id_checked_with_the_configured_pattern() -> None:
    cfg = config.load(cli=[("session_id.pattern", r"[a-z]{2}\d{6}")])
    assert build_record(**answers(config=cfg, session_id="AB 123 456")).session_id == "ab123456"
    with pytest.raises(IncompleteRecord):
        build_record(**answers(config=cfg))


def test_clock_and_uuid_must_be_what_the_format_promises() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_record(**answers(clock=lambda: datetime(2026, 1, 1)))
    with pytest.raises(ValueError, match="version-4"):
        build_record(**answers(new_uuid=lambda: uuid.UUID(int=1)))


def test_defaults_use_this_computer_and_send_nothing_identifying() -> None:
    kwargs = answers()
    for key in ("clock", "new_uuid", "client"):
        del kwargs[key]
    record = build_record(**kwargs)
    assert uuid.UUID(record.submission_id).version == 4
    assert abs(record.confirmed_at - datetime.now(UTC)) < timedelta(days=1)
    data = record.to_json_bytes().decode("utf-8")
    VALIDATOR.validate(json.loads(data))
    for secret in {socket.gethostname(), getpass.getuser(), os.path.expanduser("~")} - {""}:
        assert secret not in data
    assert f":{os.getpid()}," not in data


def test_free_text_is_cleaned_so_it_can_always_be_encoded() -> None:
    assert clean_text(" Erika\u00a0\u00a0Muster\u200bmann\ud800\x00\n") == "Erika Mustermann"
    assert clean_text("Jose\u0301") == "José"
    record = build_record(
        **answers(
            contact_name="\ud83d\ude00 Anna",
            open_apps=[app(name="Mail\ud800")],
            confidential_apps="kept_open",
        )
    )
    assert json.loads(record.to_json_bytes())["customer"]["contact_name"] == "Anna"


# -- the schema itself ----------------------------------------------------------------------


def objects(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield path, node
        for key, child in node.items():
            yield from objects(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from objects(child, f"{path}[{index}]")


def test_the_schema_is_valid_and_closed_everywhere() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    found = list(objects(schema()))
    assert len(found) == 6  # root, notice, confirmations, an application, customer, client
    for path, node in found:
        assert node.get("additionalProperties") is False, path


@pytest.mark.parametrize(
    "where",
    ["", "notice", "confirmations", "open_applications.0", "customer", "client"],
)
def test_the_schema_rejects_unknown_fields(where: str) -> None:
    data = build_record(**answers()).to_dict()
    target: Any = data
    for part in filter(None, where.split(".")):
        target = target[int(part)] if part.isdigit() else target[part]
    target["hostname"] = "PC-0815"
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        VALIDATOR.validate(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("submission_id",), "not-a-uuid"),
        (("session_id",), "123 456 789"),
        (("confirmed_at",), "2026-11-25 10:00"),
        (("language",), "fr"),
        (("notice", "sha256"), "ABC"),
        (("confirmations", "notice_accepted"), False),
        (("confirmations", "authority"), "tenant"),
        (("customer", "number"), ""),
        (("client", "platform"), "android"),
    ],
)
def test_the_schema_rejects_wrong_values(path: tuple[str, ...], value: Any) -> None:
    data = build_record(**answers()).to_dict()
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(data)


def test_a_missing_required_field_is_rejected() -> None:
    for field in ["submission_id", "session_id", "notice", "confirmations", "client"]:
        data = build_record(**answers()).to_dict()
        del data[field]
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(data)


# -- every record the code can build validates ------------------------------------------------

#: Any character at all, lone surrogates and controls included: the schema's text rule
#: holds for whatever the customer, the administrator or the operating system gives.
ANY = st.characters(min_codepoint=0, max_codepoint=sys.maxunicode)

labels = (
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=100)
    .map(str.strip)
    .filter(lambda s: len(s) > 0 and s.isprintable())
)
notices = st.one_of(
    st.sampled_from(["de", "en"]).map(lambda lang: load_notice(config.load(), lang)),
    st.builds(
        Notice,
        labels,
        labels,
        st.sampled_from(["de", "en"]),
        st.text(min_size=1).filter(lambda s: s.strip()),
    ),
)
session_ids = st.one_of(
    st.from_regex(r"[0-9]{3}[ \-.\u00a0]?[0-9]{3}[ \-.\u2009]?[0-9]{3,4}", fullmatch=True),
    st.from_regex(r"[sS][0-9]{2}-?[0-9]{3}-?[0-9]{3}", fullmatch=True),
    st.text(ANY, max_size=70),
)
apps = st.lists(
    st.builds(app, st.text(ANY, min_size=1), st.text(ANY, min_size=1), st.text(ANY)), max_size=4
)


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    session_id=session_ids,
    any_session_id=st.booleans(),
    notice=notices,
    authority=st.sampled_from([*Authority, "owner", "it_admin_permission"]),
    open_apps=apps,
    all_closed=st.booleans(),
    contact_name=st.text(ANY, max_size=220),
    send_open_apps=st.booleans(),
    require_contact_name=st.booleans(),
    number=st.text(ANY, max_size=20),
    company=st.text(ANY, max_size=60),
    confirmed_at=st.datetimes(
        timezones=st.timezones(), min_value=datetime(2000, 1, 2), max_value=datetime(2200, 1, 1)
    ),
    submission=st.uuids(version=4),
    client=st.builds(
        ClientInfo,
        st.just("intellekta-helper"),
        st.sampled_from([__version__, "1.2.3rc1"]),
        st.sampled_from(["windows", "macos", "linux"]),
        st.text(ANY, min_size=1, max_size=200),
    ),
)
def test_every_buildable_record_validates(
    session_id: str,
    any_session_id: bool,
    notice: Notice,
    authority: str,
    open_apps: list[DetectedApp],
    all_closed: bool,
    contact_name: str,
    send_open_apps: bool,
    require_contact_name: bool,
    number: str,
    company: str,
    confirmed_at: datetime,
    submission: uuid.UUID,
    client: ClientInfo,
) -> None:
    cfg = config.load(
        env={
            "INTELLEKTA_HELPER_CUSTOMER_NUMBER": number.replace("\x00", ""),
            "INTELLEKTA_HELPER_CUSTOMER_COMPANY": company.replace("\x00", ""),
            "INTELLEKTA_HELPER_PRIVACY_SEND_OPEN_APPS": str(send_open_apps),
            "INTELLEKTA_HELPER_UI_REQUIRE_CONTACT_NAME": str(require_contact_name),
            # An administrator's pattern that takes anything: the normal form alone keeps
            # controls and surrogates out of the Session ID.
            **({"INTELLEKTA_HELPER_SESSION_ID_PATTERN": "(?s).+"} if any_session_id else {}),
        }
    )
    assert cfg.valid, cfg.report("en")
    open_apps = [] if all_closed else open_apps
    name = clean_text(contact_name)
    expected = set()
    try:
        parse_session_id(session_id, cfg["session_id.pattern"])
    except SessionIdError:
        expected.add("session_id")
    if any(not (clean_text(a.id) and clean_text(a.name)) for a in open_apps):
        expected.add("open_apps")
    if len(name) > 200 or (require_contact_name and not name):
        expected.add("contact_name")
    try:
        record = build_record(
            session_id=session_id,
            notice=notice,
            notice_accepted=True,
            authority=authority,
            confidential_apps="kept_open" if open_apps else "closed",
            open_apps=open_apps,
            contact_name=contact_name,
            config=cfg,
            clock=lambda: confirmed_at,
            new_uuid=lambda: submission,
            client=client,
        )
    except IncompleteRecord as exc:
        assert set(exc.fields) == expected and expected
        return
    assert not expected
    data = json.loads(record.to_json_bytes().decode("utf-8"))
    VALIDATOR.validate(data)
    assert data == record.to_dict()
    assert ("open_applications" in data) is send_open_apps
