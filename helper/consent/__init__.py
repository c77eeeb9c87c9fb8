"""What the customer confirms: the notice, the Session ID and the consent record.

Public API for the terminal flow, the window and the intake client:

* :func:`load_notice` gives the :class:`Notice` to show (id, version, language, text,
  ``sha256``); :class:`NoticeFileError` when an administrator's notice file is broken,
  and :func:`problems` says so for ``config check`` and the start-up.
* :func:`parse_session_id` normalises and checks what the customer typed, raising only
  :class:`SessionIdError`; :func:`format_session_id` groups it for the phone.
* :func:`build_record` gives an immutable :class:`ConsentRecord` (``to_json_bytes()``,
  ``to_dict()``, ``submission_id``) or raises :class:`IncompleteRecord`; :func:`schema`
  is the JSON Schema of its wire format.
* :data:`UNSTORABLE` matches what no string of a record may hold (controls, lone
  surrogates; the schema's rule); :func:`printable` replaces it in text stored before.

No tkinter and no network here; everything is thread-safe. Names are imported on first
use (the record needs hashlib, json and the client details; the first step does not).
"""

from typing import TYPE_CHECKING

from helper.lazy import lazy_exports

if TYPE_CHECKING:
    from helper.consent.checks import (
        problems as problems,
    )
    from helper.consent.choices import (
        Authority as Authority,
        ConfidentialApps as ConfidentialApps,
    )
    from helper.consent.client import (
        ClientInfo as ClientInfo,
        client_info as client_info,
    )
    from helper.consent.notice import (
        Notice as Notice,
        NoticeFileError as NoticeFileError,
        check_notice_file as check_notice_file,
        load_notice as load_notice,
        notices_in as notices_in,
    )
    from helper.consent.record import (
        ConsentRecord as ConsentRecord,
        Customer as Customer,
        IncompleteRecord as IncompleteRecord,
        NoticeRef as NoticeRef,
        OpenApplication as OpenApplication,
        build_record as build_record,
        clean_text as clean_text,
        schema as schema,
    )
    from helper.consent.session_id import (
        SessionIdError as SessionIdError,
        format_session_id as format_session_id,
        normalise_session_id as normalise_session_id,
        parse_session_id as parse_session_id,
    )
    from helper.consent.text import (
        UNSTORABLE as UNSTORABLE,
        printable as printable,
    )

#: Each public name and the submodule that defines it, imported on first use.
_EXPORTS = {
    "Authority": "choices",
    "ClientInfo": "client",
    "ConfidentialApps": "choices",
    "ConsentRecord": "record",
    "Customer": "record",
    "IncompleteRecord": "record",
    "Notice": "notice",
    "NoticeFileError": "notice",
    "NoticeRef": "record",
    "OpenApplication": "record",
    "SessionIdError": "session_id",
    "UNSTORABLE": "text",
    "build_record": "record",
    "check_notice_file": "notice",
    "clean_text": "record",
    "client_info": "client",
    "format_session_id": "session_id",
    "load_notice": "notice",
    "normalise_session_id": "session_id",
    "notices_in": "notice",
    "parse_session_id": "session_id",
    "printable": "text",
    "problems": "checks",
    "schema": "record",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
