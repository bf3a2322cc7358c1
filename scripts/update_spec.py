"""Re-extract the Identity surface of ``tests/data/spec`` from an OpenAPI file Stripe published.

Stripe publishes its spec as ``latest/openapi.spec3.json`` in the repository ``stripe/openapi``. Given
a copy of it, this script cuts out again what ``verification_session.openapi.json`` covers (every
``/v1/identity/...`` operation and every schema they reach, by the extract's own rules: see
``_spec_extract``), records the file's API version and source, prints what changed in the Identity
schemas and operations, and rewrites the extract; then it refreshes the request schema packaged with
the emulator (``stripe_identity/emulator/_schema.json``), which carries the version the emulator
speaks. ``--companion`` re-extracts ``companion.openapi.json`` (ephemeral keys, files, file links,
events) the same way, replacing its 2020 fragments and the modifications its ``x-extract`` lists.

    python scripts/update_spec.py openapi.spec3.json --commit SHA   # rewrite, print the changes
    python scripts/update_spec.py openapi.spec3.json --check        # print them, exit 1 if any
    python scripts/update_spec.py --fetch                           # download it first (network)

Nothing changes when the published file is the one the extract came from: the version stays
``2026-09-30.endive`` until a newer file is actually read. The SDK's default ``Stripe-Version``
(``DEFAULT_STRIPE_VERSION``) is set by hand: the script says when it falls behind.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import urllib.request
from typing import Any

from _spec_diff import describe_changes
from _spec_extract import extract

ROOT = pathlib.Path(__file__).resolve().parents[1]
SPEC_DIR = ROOT / "tests" / "data" / "spec"
SCHEMA_OUT = ROOT / "stripe_identity" / "emulator" / "_schema.json"
REPOSITORY = "stripe/openapi"
PUBLISHED_PATH = "latest/openapi.spec3.json"
RAW_URL = "https://raw.githubusercontent.com/{repository}/{ref}/{path}"

#: Each extract, and the paths it covers: every published path under a prefix, or (None) the ones
#: it already has.
SURFACES: dict[str, str | None] = {
    "verification_session.openapi.json": "/v1/identity/",
    "companion.openapi.json": None,
}


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _surface_of(document: dict[str, Any]) -> dict[str, Any]:
    """An extract without its provenance: what changes when Stripe changes the API."""
    info = {k: v for k, v in document.get("x-extract", {}).items() if k != "source"}
    return {**document, "x-extract": info}


def fetch(ref: str) -> str:
    """The published file's text, from GitHub (the one step that needs the network)."""
    url = RAW_URL.format(repository=REPOSITORY, ref=ref, path=PUBLISHED_PATH)
    with urllib.request.urlopen(url, timeout=120) as response:
        text: str = response.read().decode("utf-8")
    return text


def update(
    text: str,
    spec_dir: pathlib.Path,
    names: list[str],
    commit: str | None,
    descriptions: bool = False,
) -> tuple[dict[str, str], list[str]]:
    """The new text of each extract in ``names`` whose surface changed, and the report of what
    changed (an extract whose surface is the same keeps its recorded source)."""
    published = json.loads(text)
    if not isinstance(published, dict) or "paths" not in published or "info" not in published:
        raise ValueError("that is not an OpenAPI document: it has no info or paths")
    source = {
        "repository": REPOSITORY,
        "path": PUBLISHED_PATH,
        "commit": commit,
        "file_size_chars": len(text),
    }
    rewritten: dict[str, str] = {}
    report: list[str] = []
    for name in names:
        previous = json.loads((spec_dir / name).read_text(encoding="utf-8"))
        fresh = extract(published, previous, source=source, prefix=SURFACES[name])
        changes = describe_changes(previous, fresh, descriptions=descriptions)
        report.append(f"{name}: " + ("changed" if changes else "unchanged"))
        report += [f"  {line}" for line in changes]
        if _surface_of(fresh) != _surface_of(previous):
            rewritten[name] = _dump(fresh)
    return rewritten, report


def _refresh_schema(spec_dir: pathlib.Path, out: pathlib.Path) -> str:
    """Rewrite the emulator's packaged schema from the extracts; the API version it now speaks."""
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    from extract_emulator_schema import render

    rendered = render(
        spec_dir / "verification_session.openapi.json", spec_dir / "companion.openapi.json"
    )
    out.write_text(rendered, encoding="utf-8")
    version: str = json.loads(rendered)["api_version"]
    return version


def _sdk_default() -> str | None:
    for line in (ROOT / "stripe_identity" / "_defaults.py").read_text().splitlines():
        if line.startswith("DEFAULT_STRIPE_VERSION"):
            return line.split("=", 1)[1].strip().strip("\"'")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("published", nargs="?", type=pathlib.Path, help="a copy of the published file")
    parser.add_argument(
        "--fetch",
        metavar="REF",
        nargs="?",
        const="master",
        default=None,
        help=f"download {PUBLISHED_PATH} from {REPOSITORY} at REF (default master)",
    )
    parser.add_argument("--commit", default=None, help="the stripe/openapi commit the file is from")
    parser.add_argument("--companion", action="store_true", help="re-extract the companion too")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on changes")
    parser.add_argument("--descriptions", action="store_true", help="list reworded descriptions")
    parser.add_argument("--spec-dir", type=pathlib.Path, default=SPEC_DIR)
    parser.add_argument("--schema-out", type=pathlib.Path, default=SCHEMA_OUT)
    options = parser.parse_args(argv)
    if (options.published is None) == (options.fetch is None):
        parser.error("give the published file, or --fetch to download it")
    if options.fetch is not None:
        text = fetch(options.fetch)
        commit = options.commit or options.fetch
    else:
        text = options.published.read_text(encoding="utf-8")
        commit = options.commit
    names = [name for name in SURFACES if options.companion or SURFACES[name] is not None]
    try:
        rewritten, report = update(text, options.spec_dir, names, commit, options.descriptions)
    except (ValueError, KeyError) as exc:
        print(f"cannot extract: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report))
    if options.check:
        return 1 if rewritten else 0
    for name, content in rewritten.items():
        (options.spec_dir / name).write_text(content, encoding="utf-8")
        print(f"rewrote {options.spec_dir / name}")
    if rewritten:
        version = _refresh_schema(options.spec_dir, options.schema_out)
        print(f"rewrote {options.schema_out} (the emulator speaks {version})")
        if version != _sdk_default():
            print(f"note: DEFAULT_STRIPE_VERSION in stripe_identity/_defaults.py is {_sdk_default()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
