"""The exit codes of every ``intellekta-intake`` command, documented in
docs/intake-server.md ("Exit codes"); systemd units, cron jobs and administrators'
scripts rely on them."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: ``verify`` found damage, ``find`` or ``evidence`` found nothing (or a damaged
    #: entry), or a server process ended unexpectedly.
    FAILED = 1
    USAGE = 2  # bad usage or configuration
    #: The database cannot be used (not reachable, not set up yet), or the data folder
    #: or the SQLite database's folder cannot be written.
    DATABASE = 3
