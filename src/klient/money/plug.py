"""What money registers with the platform (klient.core.registry)."""

from __future__ import annotations

from klient.core.registry import DemoContext, DemoStep, demo_steps
from klient.money.demo import demo_rates_create


def _demo(context: DemoContext) -> None:
    demo_rates_create(context.workspace)


def plug() -> None:
    demo_steps.register(DemoStep(key="money", run=_demo, order=10))
