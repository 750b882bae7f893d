"""``python -m bench``: list the benchmarks; ``python -m bench NAME [ARGS]`` runs one (``make bench`` lists them).

Each runs for minutes and takes the machine's cores, so none runs unasked; docs/benchmarks.md has the results.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path


def benchmarks() -> dict[str, str]:
    """Module name -> the first line of its docstring (read, not imported: some need the ``bench`` extra)."""
    found = {}
    for path in sorted(Path(__file__).parent.glob("*_bench.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found[path.stem] = doc.strip().splitlines()[0] if doc.strip() else ""
    return found


def main(argv: list[str]) -> int:
    available = benchmarks()
    if not argv:
        print("benchmarks (run one with: python -m bench NAME [ARGS], e.g. python -m bench ingest_bench --help):")
        for name, summary in available.items():
            print(f"  {name:<16} {summary}")
        return 0
    name = argv[0] if argv[0] in available else f"{argv[0]}_bench"
    if name not in available:
        print(f"no benchmark {argv[0]!r}; known: {', '.join(available)}", file=sys.stderr)
        return 2
    sys.argv = [f"bench.{name}", *argv[1:]]
    return int(importlib.import_module(f"bench.{name}").main() or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
