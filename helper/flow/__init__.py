"""The wizard both user interfaces drive (``Wizard``), its jobs and the services they use."""

from helper.flow.wizard import AUTHORITIES, ORDER, Answers, Services, Step, StepIncomplete, Wizard

__all__ = [
    "AUTHORITIES",
    "ORDER",
    "Answers",
    "Services",
    "Step",
    "StepIncomplete",
    "Wizard",
]
