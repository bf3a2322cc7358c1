"""Copy Stripe's spec extract into the repository, or say whether the copy is stale.

The tests read ``tests/data/spec`` only, so a clone needs nothing beside it. The copy comes from the
maintainers' reference extract (``../shared/spec`` by default, or ``--source DIR``)::

    python scripts/update_spec.py            # refresh tests/data/spec
    python scripts/update_spec.py --check    # exit 1 and list the files that differ
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
COPY = ROOT / "tests" / "data" / "spec"
DEFAULT_SOURCE = ROOT.parent / "shared" / "spec"
FILES = (
    "companion.openapi.json",
    "verification_session.fixture.json",
    "verification_session.openapi.json",
)


def stale(source: pathlib.Path) -> list[str]:
    """The files whose copy differs from ``source`` (or is missing)."""
    return [
        name
        for name in FILES
        if not (COPY / name).exists() or (COPY / name).read_bytes() != (source / name).read_bytes()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=pathlib.Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true", help="fail if the copy is stale")
    options = parser.parse_args(argv)
    source: pathlib.Path = options.source
    if not source.is_dir():
        print(f"no spec extract at {source}: pass --source DIR", file=sys.stderr)
        return 2
    changed = stale(source)
    if options.check:
        for name in changed:
            print(f"stale: tests/data/spec/{name}")
        return 1 if changed else 0
    for name in changed:
        shutil.copyfile(source / name, COPY / name)
        print(f"copied {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
