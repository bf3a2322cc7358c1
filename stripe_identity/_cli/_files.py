"""``files`` and ``file-links``: a file's metadata and contents, and links to a file."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from ._api import Operation, Resource, retrieve
from ._status import UsageError
from ._values import count

__all__ = ["FILES", "FILE_LINKS"]


def _download(files: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    if args.output is not None:
        folder = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(folder):
            raise UsageError(f"-o: the folder {folder} does not exist")
        size = files.download_to(args.id, args.output)
        return {"file": args.id, "path": args.output, "size": size}
    if sys.stdout.isatty():
        raise UsageError("not writing a binary file to a terminal: use -o PATH")
    out = sys.stdout.buffer
    files.download_to(args.id, out)
    out.flush()
    return None  # the bytes were the output


def _download_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the file here (it appears only once complete); without it, to stdout",
    )


def _create_link(links: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    params = {**params, "file": args.file}
    if args.expires_in is not None:
        params["expires_at"] = int(time.time()) + args.expires_in
    return links.create(params)


def _link_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", help="the file id (file_...)")
    cmd.add_argument(
        "--expires-in",
        type=count,
        metavar="SECONDS",
        help="expire the link this many seconds from now (Identity images: 30 at most)",
    )


FILES = Resource(
    "files",
    "File metadata and contents (Identity images need a restricted key)",
    "files",
    "the file id (file_...)",
    {
        "retrieve": Operation("retrieve a file's metadata", retrieve),
        "download": Operation("download a file's contents", _download, options=_download_options),
    },
)

FILE_LINKS = Resource(
    "file-links",
    "FileLink operations, printed as JSON",
    "file_links",
    "the file link id (link_...)",
    {
        "create": Operation(
            "create a link to a file", _create_link, takes_id=False, options=_link_options
        ),
        "retrieve": Operation("retrieve a file link", retrieve),
    },
)
