"""One POST of the helper, from raw request to stored confirmation.

:func:`receive` runs the checks in the order the answer depends on them (who is asking,
what they sent, whether it was stored before) and raises :class:`Refused` for anything
that is not a confirmation we can keep. Client input never causes anything but a 4xx.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

import jsonschema
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from helper.consent.record import schema
from helper.consent.session_id import normalise_session_id
from helper.consent.text import UNSTORABLE, printable
from intake_server.addresses import client_address
from intake_server.api import ledger, notices
from intake_server.api.models import Confirmation, Token
from intake_server.api.problems import Refused
from intake_server.folding import names, number_key

MAX_BODY_BYTES = 65536
_MAX_ERRORS = 10
#: What ``schema.json``'s rule for text says a string must not match (``$defs/text``).
_TEXT_RULE = {"pattern": UNSTORABLE.pattern}
_RATE_GROUP = "intake"


@dataclass(frozen=True)
class Received:
    confirmation: Confirmation
    created: bool  # False: a replay of a confirmation stored before


@cache
def validator() -> jsonschema.protocols.Validator:
    """The helper's own schema.json, compiled once per process."""
    document = schema()
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(_inlined(document, document.get("$defs", {})))


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with each ``{"$ref": "#/$defs/NAME"}`` replaced by the definition's
    keywords (in an ``allOf`` where the node has other values for them), which means the
    same. jsonschema resolves a ``$ref`` anew each time it meets one, on every string of
    every request: that made validation four times slower."""
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: _inlined(value, definitions) for key, value in node.items()}
    reference = inlined.pop("$ref", None)
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        definition = _inlined(definitions[reference.removeprefix("#/$defs/")], definitions)
        definition.pop("description", None)
        if any(inlined.get(key, value) != value for key, value in definition.items()):
            inlined["allOf"] = [*inlined.get("allOf", []), definition]  # keywords differ
        else:
            inlined.update(definition)
    elif reference is not None:
        inlined["$ref"] = reference
    return inlined


#: A language the record names (one of the helper's, the schema's enum) that the server
#: speaks too (``settings.LANGUAGES``): only those can choose the language of the answer.
_LANGUAGE = re.compile(
    rb'"language"\s*:\s*"(%b)"'
    % b"|".join(
        re.escape(lang).encode()
        for lang in schema()["properties"]["language"]["enum"]
        if lang in dict(settings.LANGUAGES)
    )
)


def body_language(body: bytes) -> str | None:
    """The confirmation's language, when the body names one: messages then use it.

    A search, not a parse: the body is parsed once, later, and may not even be JSON."""
    found = _LANGUAGE.search(body)
    return found[1].decode() if found else None


def receive(request: HttpRequest, body: bytes) -> Received:
    token = _authorise(request)
    _check_media_type(request)
    if len(body) > MAX_BODY_BYTES:
        raise Refused("too_large", _("The confirmation is larger than 64 KiB."))
    key = _idempotency_key(request)
    document = _parse(body)
    _check_schema(document)
    if key != document["submission_id"]:
        raise Refused("key_mismatch", _("The Idempotency-Key header must equal submission_id."))
    _check_semantics(document, token)
    scope = str(token.pk) if token else ""
    digest = hashlib.sha256(body).hexdigest()
    existing = _stored(scope, key)
    if existing is None:
        existing, created = ledger.append(scope, key, lambda: _row(document, body, digest, token))
        if created:
            return Received(existing, True)
    if existing.body_sha256 != digest:
        raise Refused(
            "key_reused",
            _(
                "This submission_id was already used for a different confirmation. "
                "A new confirmation needs a new submission_id."
            ),
        )
    return Received(existing, False)


def _stored(scope: str, submission_id: str) -> Confirmation | None:
    """The confirmation stored under this key, if any. Asked on every POST, so in plain
    SQL: the ORM's query building cost more than the query."""
    table = Confirmation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE scope = %s AND submission_id = %s",
            [scope, submission_id],
        )
        found = cursor.fetchone()
    return Confirmation.objects.get(pk=found[0]) if found else None


def read_body(request: HttpRequest) -> bytes:
    """At most one byte more than allowed: enough to know it is too large.

    ``serve`` gives a chunked body its length. Under another WSGI server it may have none,
    and Django then reads nothing: the server has taken off the chunks' framing, so
    ``wsgi.input`` is read to its end."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise Refused("too_large", _("The confirmation is larger than 64 KiB."))
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    stream = request.environ["wsgi.input"] if chunked and not length else request
    parts, left = [], MAX_BODY_BYTES + 1
    while left > 0 and (part := stream.read(left)):  # a stream may return less than asked
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def check_rate(request: HttpRequest, key: str, rate: str) -> None:
    """429 with Retry-After when ``key`` (``ip`` or a token) has used up ``rate``."""
    if rate == "off":
        return
    usage = get_usage(
        request, group=f"{_RATE_GROUP}:{key}", key=lambda _g, _r: key, rate=rate, increment=True
    )
    if usage and usage["should_limit"]:
        wait = max(1, int(usage["time_left"]))
        raise Refused(
            "rate_limited",
            _("Too many requests. Please try again in %(seconds)d seconds.") % {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )


def _authorise(request: HttpRequest) -> Token | None:
    config = settings.CONFIG
    check_rate(request, f"ip:{client_address(request)}", config["rate_limit_address"])
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        if config["require_token"]:
            raise Refused(
                "unauthorized",
                _(
                    "This server accepts confirmations only with a "
                    "token. Please call intellekta's support."
                ),
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None
    scheme, _sep, secret = header.partition(" ")
    secret = secret.strip()
    token = Token.find(secret) if scheme.lower() == "bearer" and secret else None
    if token is None:
        raise Refused(
            "unauthorized",
            _("The token is not valid or was revoked. Please call intellekta's support."),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    check_rate(request, f"token:{token.pk}", config["rate_limit_token"])
    return token


def _check_media_type(request: HttpRequest) -> None:
    media, *params = (
        part.strip().lower() for part in request.META.get("CONTENT_TYPE", "").split(";")
    )
    charset = next(
        (p.split("=", 1)[1].strip('"') for p in params if p.startswith("charset=")), "utf-8"
    )
    if media != "application/json" or charset not in ("utf-8", "utf8"):
        raise Refused("media_type", _("Send the confirmation as application/json in UTF-8."))


def _idempotency_key(request: HttpRequest) -> str:
    raw = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if raw is None:
        raise Refused("no_idempotency_key", _("The Idempotency-Key header is missing."))
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > 255 or not value.isprintable() or '"' in value:
        raise Refused("bad_idempotency_key", _("The Idempotency-Key header is malformed."))
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _parse(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not_utf8", _("The body is not valid UTF-8 text.")) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):
        raise Refused("not_json", _("The body is not a valid JSON document.")) from None


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _check_schema(document: Any) -> None:
    """The helper's schema, its rule for text included: a string that could not be stored
    or shown (a control character, a lone surrogate) is refused here, before anything
    is stored, naming its JSON pointer."""
    errors = sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    if not errors:
        return
    listed = [
        {"pointer": _pointer(e.absolute_path), "detail": _error_detail(e)}
        for e in errors[:_MAX_ERRORS]
    ]
    first = listed[0]
    if _breaks_text_rule(errors[0]):
        detail = first["detail"]
    else:
        detail = _("The confirmation is not valid at %(pointer)s: %(message)s") % {
            "pointer": first["pointer"] or "/",
            "message": first["detail"],
        }
    raise Refused("schema", detail, listed)


def _breaks_text_rule(error: jsonschema.ValidationError) -> bool:
    return error.validator == "not" and error.validator_value == _TEXT_RULE


def _error_detail(error: jsonschema.ValidationError) -> str:
    """jsonschema's words (it shows strings with ``repr``, so they encode), except for
    the text rule, whose pattern says nothing to a person."""
    if _breaks_text_rule(error):
        return _(
            "%(pointer)s contains a control character (such as a line break or NUL) "
            "or a lone surrogate, which cannot be stored. Send printable text only."
        ) % {"pointer": _pointer(error.absolute_path)}
    return error.message[:300]


def _field_error(pointer: str, detail: str) -> Refused:
    return Refused("schema", detail, [{"pointer": pointer, "detail": detail}])


def _check_semantics(document: dict[str, Any], token: Token | None) -> None:
    """What the schema cannot say: a time that exists, a normalised Session ID of this
    server's ``session_id_pattern``, the right customer."""
    try:
        confirmed_time(document["confirmed_at"])
    except ValueError:
        raise _field_error(
            "/confirmed_at", _("confirmed_at is not a real date and time.")
        ) from None
    except OverflowError:
        raise _field_error(
            "/confirmed_at",
            _("confirmed_at lies outside the years 1 to 9999 when converted to UTC."),
        ) from None
    session_id = document["session_id"]
    if normalise_session_id(session_id) != session_id:
        raise _field_error("/session_id", _("session_id is not in its normal form."))
    if re.fullmatch(settings.CONFIG["session_id_pattern"], session_id) is None:
        raise _field_error(
            "/session_id",
            _(
                "session_id is not a Session ID this server "
                "accepts (session_id_pattern). Please check the "
                "Session ID with intellekta's support."
            ),
        )
    number = document["customer"].get("number")
    # "k-1" in the helper's settings is the number "K-1" of the register (folding.number_key).
    if (
        token is not None
        and number is not None
        and number_key(number) != number_key(token.customer_number)
    ):
        raise Refused(
            "customer_mismatch",
            _("The customer number %(number)s does not belong to this token.") % {"number": number},
            [{"pointer": "/customer/number", "detail": "does not match the token"}],
        )


def confirmed_time(text: str) -> datetime:
    """``confirmed_at`` (as the schema's pattern has it) as an aware UTC time.

    Raises ValueError for a date or time that does not exist (February 30, 12:34:60) and
    OverflowError for one outside the years 1 to 9999 in UTC
    (``0001-01-01T00:00:00+23:59``), which no reader could convert. A time far from the
    server's clock is fine: an outbox may deliver weeks later, and clocks are wrong.

    A leap second (``23:59:60`` UTC, in any offset, with any fraction) is valid RFC 3339,
    but a datetime has no second 60: it is kept as 23:59:59.999 UTC, the last instant
    :func:`~intake_server.api.ledger.rfc3339` can show before the next second, so it stays
    on its day and sorts before what follows. The body keeps the exact text.
    """
    leap = text[17:19] == "60"  # YYYY-MM-DDThh:mm:ss...
    moment = datetime.fromisoformat(text[:17] + "59" + text[19:] if leap else text)
    moment = moment.astimezone(UTC)
    if leap:
        if (moment.hour, moment.minute) != (23, 59):
            raise ValueError("a leap second is 23:59:60 UTC")
        moment = moment.replace(microsecond=999000)
    return moment


class Vouching(Protocol):
    """A token as a stored entry names it (:class:`Token`, or the facts hashed with it)."""

    @property
    def customer_number(self) -> str: ...

    @property
    def company(self) -> str: ...


def derived_fields(document: dict[str, Any], token: Vouching | None) -> dict[str, Any]:
    """The columns copied from a body and the token that vouched for it: for storing
    them, and for every reading to check them against (:mod:`reading`)."""
    customer = document["customer"]
    notice = document["notice"]
    confirmations = document["confirmations"]
    return search_keys(document, token) | {
        "submission_id": document["submission_id"],
        "session_id": document["session_id"],
        "confirmed_at": confirmed_time(document["confirmed_at"]),
        "language": document["language"],
        "authority": confirmations["authority"],
        "confidential_apps": confirmations["confidential_apps"],
        "open_applications": document.get("open_applications", []),
        "customer_number": _customer_number(customer, token),
        "company": (customer.get("company", "") or (token.company if token else ""))[:300],
        "contact_name": customer.get("contact_name", ""),
        "notice_id": notice["id"],
        "notice_version": notice["version"],
        "notice_sha256": notice["sha256"],
        "client": document["client"],
    }


def search_keys(document: dict[str, Any], token: Vouching | None) -> dict[str, str]:
    """The columns search uses (``number_key``, ``search_names``): the customer number
    as compared, and the stated company, the token's and the contact name, folded.
    Part of :func:`derived_fields`; migration 0005 fills them with it too.

    The names are made printable first, as every reader of stored text makes them
    (:func:`printable`): so a row stored before the server refused control characters
    has the keys its reading expects, and a search for such a name finds it."""
    customer = document["customer"]
    texts = (
        customer.get("company", "")[:300],
        token.company if token else "",
        customer.get("contact_name", ""),
    )
    return {
        "number_key": number_key(_customer_number(customer, token))[:64],
        "search_names": names(*map(printable, texts)),
    }


def _customer_number(customer: dict[str, Any], token: Vouching | None) -> str:
    """The number the token vouches for, else the one stated, as its column holds it."""
    return (token.customer_number if token else customer.get("number", ""))[:64]


def _row(document: dict[str, Any], body: bytes, digest: str, token: Token | None) -> Confirmation:
    notice = document["notice"]
    registered = notices.is_known(notice["id"], notice["version"], notice["sha256"])
    return Confirmation(
        scope=str(token.pk) if token else "",
        body=body,
        body_sha256=digest,
        server_facts=ledger.server_facts_text(token, registered),
        token=token,
        customer_verified=token is not None,
        notice_verified=registered,
        **derived_fields(document, token),
    )
