"""The fixed answers a record carries, as their wire values.

Kept apart from ``record.py`` so that the wizard can offer them without importing what
building a record needs.
"""

from enum import StrEnum

#: The longest contact name a record carries (the wizard trims what is typed to it).
MAX_CONTACT_NAME_CHARS = 200


class Authority(StrEnum):
    """Why the customer may allow the session on this computer."""

    OWNER = "owner"
    IT_ADMIN_PERMISSION = "it_admin_permission"


class ConfidentialApps(StrEnum):
    """The customer's answer about confidential applications."""

    CLOSED = "closed"
    KEPT_OPEN = "kept_open"
