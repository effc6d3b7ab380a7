"""`python -m bench [contacts|import|pages|sales] [options]`; no name runs every benchmark in
turn."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys

BENCHMARKS = {
    "contacts": "bench.contacts_bench",
    "import": "bench.import_bench",
    "pages": "bench.pages_bench",
    "sales": "bench.sales",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print(f"benchmarks: {', '.join(BENCHMARKS)}; `python -m bench NAME --help` for options")
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(
                f"bench: unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}",
                file=sys.stderr,
            )
            return 2
        return int(importlib.import_module(BENCHMARKS[name]).main(rest) or 0)
    status = 0
    for name, module in BENCHMARKS.items():
        if importlib.util.find_spec(module) is None:
            print(f"bench {name}: not available ({module} is missing)", file=sys.stderr)
            continue
        print(f"== bench {name}", flush=True)
        # A process each: every benchmark points Django at its own fresh database.
        done = subprocess.run([sys.executable, "-m", "bench", name, *argv], check=False)
        status = max(status, done.returncode)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
