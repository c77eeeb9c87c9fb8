"""What the customer confirms: the notice, the Session ID and the consent record.

Public API for the terminal flow, the window, the intake client and the intake server,
imported from the submodule that defines it (this package re-exports nothing: the
record needs hashlib and json, the window's first step does not):

* ``notice``: :func:`load_notice` gives the :class:`Notice` to show (id, version,
  language, text, ``sha256``); :class:`NoticeFileError` when an administrator's notice
  file is broken; :func:`notices_in` gives every language of a notice file.
* ``checks``: :func:`problems` says what is wrong with the notice settings, for
  ``config check`` and the start-up.
* ``session_id``: :func:`parse_session_id` normalises and checks what the customer
  typed, raising only :class:`SessionIdError`; :func:`format_session_id` groups it for
  the phone.
* ``record``: :func:`build_record` gives an immutable :class:`ConsentRecord`
  (``to_json_bytes()``, ``to_dict()``, ``submission_id``) or raises
  :class:`IncompleteRecord`; :func:`schema` is the JSON Schema of its wire format.
* ``choices``: what the customer chose (:class:`Authority`, :class:`ConfidentialApps`).
* ``device``: :func:`client_info`, the record's ``client`` object (this program, the
  platform and the operating-system version; nothing identifying).
* ``text``: :data:`UNSTORABLE` matches what no string of a record may hold (controls,
  lone surrogates; the schema's rule); :func:`printable` replaces it in text stored
  before.

No tkinter and no network here; everything is thread-safe.
"""
