"""Facilitator views (ipywidgets in Voila): one module per stage. The only modules besides
kit.server that talk to people; they call kit.store and the pure method modules."""

from kit.ui.projector import ProjectorApp
from kit.ui.stakeholders import StakeholderApp
from kit.ui.start import StartApp

__all__ = ["ProjectorApp", "StakeholderApp", "StartApp"]
