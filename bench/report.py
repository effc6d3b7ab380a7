"""Figures beside their limits: printed as a table and written as JSON."""

from __future__ import annotations

import json
import math
import platform
import time
from pathlib import Path
from typing import Any


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


class Report:
    def __init__(self, **meta: Any) -> None:
        self.meta = {
            **meta,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        self.sections: dict[str, dict[str, Any]] = {}

    def figure(
        self,
        section: str,
        name: str,
        value: float,
        limit: float,
        *,
        limit_name: str,
        higher_is_better: bool,
        goal: str = "",
    ) -> None:
        ratio = value / limit if limit else float("nan")
        self.sections.setdefault(section, {"figures": [], "extra": {}})["figures"].append(
            {
                "name": name,
                "value": value,
                "limit": limit,
                "limit_name": limit_name,
                "ratio": ratio,
                "higher_is_better": higher_is_better,
                "goal": goal,
            }
        )

    def extra(self, section: str, **values: Any) -> None:
        self.sections.setdefault(section, {"figures": [], "extra": {}})["extra"].update(values)

    def lines(self, section: str) -> list[str]:
        out = []
        for item in self.sections.get(section, {}).get("figures", []):
            ratio = item["ratio"]
            shown = f"{ratio:.2f} of limit" if item["higher_is_better"] else f"{ratio:.1f}x limit"
            goal = f"   goal {item['goal']}" if item["goal"] else ""
            out.append(
                f"{section:<7} {item['name']:<48} {_fmt(item['value']):>10}   "
                f"limit {_fmt(item['limit']):>9} ({item['limit_name']})   {shown}{goal}"
            )
        return out

    def print_section(self, section: str) -> None:
        for line in self.lines(section):
            print(line, flush=True)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        name = (
            f"{self.meta.get('bench', 'contacts')}-{self.meta['vendor']}-{self.meta['people']}-"
            f"{time.strftime('%Y%m%d-%H%M%S')}.json"
        )
        path = folder / name
        path.write_text(
            json.dumps(
                {"meta": self.meta, "sections": self.sections},
                indent=2,
                ensure_ascii=False,
                default=str,
            )
        )
        return path
