"""What business calendars register with the platform (klient.core.registry)."""

from __future__ import annotations

from klient.calendars.demo import demo_calendars_create
from klient.core.registry import DemoContext, DemoStep, demo_steps


def _demo(context: DemoContext) -> None:
    demo_calendars_create(context.workspace)


def plug() -> None:
    demo_steps.register(DemoStep(key="calendars", run=_demo, order=10))
