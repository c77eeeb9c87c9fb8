"""Every setting, declared once: its type, default and a one-line description.

``config show``, ``config check``, the environment-variable names and the README's
settings table are all derived from this list, so a new setting is added here and
nowhere else. Values that belong to intellekta rather than to the code (its intake URL,
its links) are defaults from ``vendor.toml`` beside this file.

Only type and shape are checked here. What a value means (whether ``apps.extra`` holds
valid rules, ``notice.file`` a usable notice) is for the package that uses it to say,
in its own ``problems(config)``: the configuration is the bottom layer and imports
nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

from helper.i18n import LANGUAGES


class Kind(Enum):
    """How a raw value is checked and, when it comes as text, converted."""

    STR = "text"
    INT = "whole number"
    FLOAT = "number"
    BOOL = "true/false"
    URL = "URL"
    PATH = "file path"
    DIR = "folder path"
    CHOICE = "one of"
    REGEX = "regular expression"
    STR_LIST = "list of texts"
    TABLE_LIST = "list of tables"


class Setting(NamedTuple):
    """One configuration key (``section.name``) and what it accepts."""

    key: str
    kind: Kind
    default: Any
    description: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    #: A rule of this one setting beyond its kind's: called with the checked value, it
    #: returns the value to keep or raises ``values.ValueProblem``. The intake server's
    #: settings use it (rates, time zones, ...); the helper's need none.
    check: Callable[[Any], Any] | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def env_var(self) -> str:
        """The environment variable that sets this key, e.g. INTELLEKTA_HELPER_INTAKE_URL."""
        return ENV_PREFIX + self.key.replace(".", "_").upper()

    @property
    def is_scalar(self) -> bool:
        """Scalars can be set from environment variables and the registry."""
        return self.kind not in (Kind.TABLE_LIST,)


ENV_PREFIX = "INTELLEKTA_HELPER_"
#: Names the extra configuration file; not a setting itself.
ENV_CONFIG_FILE = "INTELLEKTA_HELPER_CONFIG"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "intake.url",
        Kind.URL,
        "",
        "Where confirmations are sent (HTTPS; plain HTTP only to loopback).",
    ),
    Setting(
        "intake.token",
        Kind.STR,
        "",
        "Bearer token sent to the intake endpoint, if it requires one.",
        secret=True,
    ),
    Setting(
        "intake.token_file",
        Kind.PATH,
        "",
        "File holding the bearer token (instead of intake.token).",
    ),
    Setting(
        "intake.ca_bundle",
        Kind.PATH,
        "",
        "Extra PEM file of certificate authorities to trust besides the system's.",
    ),
    Setting(
        "intake.timeout_s",
        Kind.FLOAT,
        10.0,
        "Seconds to wait for one answer from the intake endpoint.",
        minimum=1,
    ),
    Setting(
        "intake.send_window_s",
        Kind.FLOAT,
        20.0,
        "Seconds to keep retrying in the foreground before saving for later.",
        minimum=0,
    ),
    Setting(
        "intake.proxy",
        Kind.URL,
        "",
        "Proxy for the intake endpoint; empty uses the system's settings.",
    ),
    Setting(
        "customer.number",
        Kind.STR,
        "",
        "The customer number at intellekta, sent with each confirmation.",
    ),
    Setting(
        "customer.company",
        Kind.STR,
        "",
        "The customer's company name, shown and sent with each confirmation.",
    ),
    Setting(
        "ui.language",
        Kind.CHOICE,
        "auto",
        "Language of the helper: auto follows the system.",
        choices=("auto", *LANGUAGES),
    ),
    Setting(
        "ui.require_contact_name",
        Kind.BOOL,
        False,
        "Ask the customer for a contact name and require it.",
    ),
    Setting("ui.logo", Kind.PATH, "", "PNG or GIF logo shown in the window (empty: none)."),
    Setting("vendor.name", Kind.STR, "", "The support provider's name shown to the customer."),
    Setting(
        "vendor.quicksupport_url",
        Kind.URL,
        "",
        "Download link of TeamViewer QuickSupport shown to the customer; {platform}"
        " becomes windows, macos or linux.",
    ),
    Setting(
        "notice.file",
        Kind.PATH,
        "",
        "Text file replacing the built-in notice (see README).",
    ),
    Setting(
        "notice.dpa_url",
        Kind.URL,
        "",
        "Link to the blank data-processing agreement (AV-Vertrag) PDF.",
    ),
    Setting("notice.terms_url", Kind.URL, "", "Link to the general terms and conditions (AGB)."),
    Setting(
        "session_id.pattern",
        Kind.REGEX,
        r"\d{9,10}|s\d{2}-\d{3}-\d{3}",
        "Regular expression a normalised Session ID must match in full.",
    ),
    Setting(
        "privacy.send_open_apps",
        Kind.BOOL,
        True,
        "Send the names of confidential applications still open.",
    ),
    Setting(
        "apps.extra",
        Kind.TABLE_LIST,
        [],
        "Additional application rules, in the catalogue's format.",
    ),
    Setting("apps.ignore", Kind.STR_LIST, [], "Ids of catalogue rules to switch off."),
    Setting(
        "apps.keep_open",
        Kind.STR_LIST,
        [],
        "Rule ids or names never proposed for closing (kept open on purpose).",
    ),
    Setting(
        "apps.close_timeout_s",
        Kind.FLOAT,
        10.0,
        "Seconds to wait for an application to close after asking it.",
        minimum=0,
    ),
    Setting(
        "paths.data_dir",
        Kind.DIR,
        "",
        "Folder for the outbox and receipts; empty: the user's data folder.",
    ),
    Setting(
        "logging.level",
        Kind.CHOICE,
        "info",
        "How much the log file records.",
        choices=("debug", "info", "warning", "error"),
    ),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
SECTIONS: frozenset[str] = frozenset(s.section for s in SETTINGS)
