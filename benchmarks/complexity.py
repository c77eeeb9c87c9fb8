"""Which functions are knotted: radon's cyclomatic complexity of every function.

Measures every function, method and nested function under ``helper/`` and
``intake_server/`` with radon's Python API (``radon.complexity.cc_visit``; radon is in
the ``test`` extra). Prints each function above the limit with its file, line and
figure, then the ten most complex ones either way. Target: none above 15. Exits 1 when
one is above the limit, so a lint step or CI job can run it; it is a script, not a
test, so a pytest run never fails on a number.

    .venv/bin/python benchmarks/complexity.py [--limit 15] [--top 10] [PATH ...]

Reads the files only; nothing is imported or run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_visit  # type: ignore[import-untyped]
from radon.visitors import Class, Function  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = ("helper", "intake_server")
LIMIT = 15


@dataclass(frozen=True)
class Measure:
    path: str  # relative to the repository
    line: int
    name: str  # Class.method, or function.inner for a nested function
    complexity: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name} {self.complexity}"


def _flatten(
    functions: Iterable[Function], classes: Iterable[Class], prefix: str = ""
) -> Iterator[tuple[str, Function]]:
    """Every function with its dotted name: methods, nested classes and closures too."""
    for function in functions:
        name = f"{prefix}{function.name}"
        yield name, function
        yield from _flatten(function.closures, (), f"{name}.")
    for cls in classes:
        yield from _flatten(cls.methods, cls.inner_classes, f"{prefix}{cls.name}.")


def measure(path: Path) -> list[Measure]:
    """Every function of one file; a method is named ``Class.method``."""
    resolved = path.resolve()
    relative = resolved.relative_to(REPO) if resolved.is_relative_to(REPO) else resolved
    blocks = cc_visit(path.read_text("utf-8"))
    # cc_visit lists the top-level functions, the classes and, beside them, their methods.
    functions = [b for b in blocks if isinstance(b, Function) and not b.is_method]
    classes = [b for b in blocks if isinstance(b, Class)]
    return [
        Measure(relative.as_posix(), function.lineno, name, function.complexity)
        for name, function in _flatten(functions, classes)
    ]


def measure_all(roots: Sequence[Path]) -> list[Measure]:
    files = sorted(
        {f for root in roots for f in ([root] if root.is_file() else root.rglob("*.py"))}
    )
    return sorted(
        (m for path in files for m in measure(path)),
        key=lambda m: (-m.complexity, m.path, m.line),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[REPO / p for p in DEFAULT_PATHS],
        help=f"folders or files (default: {' '.join(DEFAULT_PATHS)})",
    )
    parser.add_argument("--limit", type=int, default=LIMIT, help="highest allowed complexity")
    parser.add_argument("--top", type=int, default=10, help="how many of the highest to list")
    args = parser.parse_args(argv)
    measures = measure_all(args.paths)
    above = [m for m in measures if m.complexity > args.limit]
    print(f"{len(measures)} functions measured; {len(above)} above {args.limit}.")
    if above:
        print(f"\nAbove {args.limit}:")
        for m in above:
            print(f"  {m}")
    print(f"\nThe {min(args.top, len(measures))} most complex:")
    for m in measures[: args.top]:
        print(f"  {m}")
    return 1 if above else 0


if __name__ == "__main__":
    sys.exit(main())
