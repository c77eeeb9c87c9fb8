"""The process exit codes, documented in the README; scripts of administrators rely on them."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    CONFIG = 2  # bad configuration or usage
    NOT_ALL_CLOSED = 3
    PENDING = 4  # saved in the outbox, to be sent later
    DECLINED = 5  # declined or cancelled by the customer
    REJECTED = 6  # the intake server refused the confirmation
