"""The wizard both user interfaces drive (``Wizard``), its jobs and the services they use."""

from helper.flow.jobs import Closed, close_then_rescan, exit_code, scan, store_and_send
from helper.flow.wizard import AUTHORITIES, ORDER, Answers, Services, Step, StepIncomplete, Wizard

__all__ = [
    "AUTHORITIES",
    "ORDER",
    "Answers",
    "Closed",
    "Services",
    "Step",
    "StepIncomplete",
    "Wizard",
    "close_then_rescan",
    "exit_code",
    "scan",
    "store_and_send",
]
