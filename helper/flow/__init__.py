"""The wizard both user interfaces drive (``Wizard``) and the services it runs on."""

from helper.flow.wizard import AUTHORITIES, ORDER, Answers, Services, Step, StepIncomplete, Wizard

__all__ = ["AUTHORITIES", "ORDER", "Answers", "Services", "Step", "StepIncomplete", "Wizard"]
