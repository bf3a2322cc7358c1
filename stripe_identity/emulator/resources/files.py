"""``/v1/files``: File objects, and their contents on the files host (the emulator's own address).

A submission's pictures become files: the document's front and back (purpose
``identity_document_downloadable``, in the report's ``document.files``; the front is also
``selfie.document``) and the face (purpose ``selfie``, ``selfie.selfie``). Their contents are small
PNGs drawn for each file. ``Emulator.create_file`` adds a file of any size, optionally one whose
download breaks off after some bytes, for tests of large and failed downloads; its contents are made
as they are sent, so a 20 MB file costs the emulator no memory.

Metadata is readable with any key; the contents of Identity images need a restricted key, like file
links to them. A submission's files belong to its session's account; a request sees its account's
files only (see ``_accounts``). Redacting a session deletes its files: they answer 404
``resource_missing`` from then on (Stripe deletes the collected images; what its API answers for
them afterwards is not documented).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import attrs
from aiohttp import web

from .._accounts import Owners
from .._context import Call, Caller, Route
from .._envelope import stripe_headers
from .._failures import ConnectionReset, forbidden, not_found
from .._images import Picture, png
from .._objects import IdFactory
from .._paging import field_filter, list_object, page

__all__ = ["IDENTITY_PURPOSES", "FileStore", "LinksOf", "routes"]

_PATH = "/v1/files"
IDENTITY_PURPOSES = frozenset({"identity_document_downloadable", "selfie"})
_CHUNK = 64 * 1024

#: A file's links, newest first, as its expanded ``links`` shows them: a function handed in, since
#: file links are a resource of their own that builds on this one.
LinksOf = Callable[[str], list[dict[str, Any]]]


@attrs.frozen
class _Contents:
    data: bytes | None  # the picture; None for generated filler
    size: int
    session: str | None = None
    cut_after: int | None = None

    def chunks(self, seed: str) -> Iterator[bytes]:
        if self.data is not None:
            for start in range(0, self.size, _CHUNK):
                yield self.data[start : start + _CHUNK]
            return
        block = hashlib.shake_256(seed.encode()).digest(_CHUNK)
        for start in range(0, self.size, _CHUNK):
            yield block[: min(_CHUNK, self.size - start)]


class FileStore:
    """Every File object and what it contains."""

    def __init__(
        self,
        ids: IdFactory,
        clock: Callable[[], int],
        files_base: Callable[[], str],
        owners: Owners,
    ) -> None:
        self.ids = ids
        self.clock = clock
        self.files_base = files_base
        self.owners = owners
        self.reset()

    def reset(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.contents: dict[str, _Contents] = {}

    def add(
        self,
        file_id: str,
        purpose: str,
        contents: _Contents,
        filename: str | None,
        kind: str,
        account: str | None = None,
    ) -> dict[str, Any]:
        self.owners.claim(file_id, account)
        obj = {
            "created": self.clock(),
            "expires_at": None,
            "filename": filename,
            "id": file_id,
            "object": "file",
            "purpose": purpose,
            "size": contents.size,
            "title": None,
            "type": kind,
            "url": f"{self.files_base()}{_PATH}/{file_id}/contents",
        }
        self.objects[file_id] = obj
        self.order.append(file_id)
        self.contents[file_id] = contents
        return obj

    def add_picture(
        self, file_id: str, purpose: str, picture: Picture, session: str, account: str | None
    ) -> None:
        if file_id not in self.objects:
            data = png(picture, file_id)
            contents = _Contents(data, len(data), session)
            self.add(file_id, purpose, contents, f"{picture}.png", "png", account)

    def add_report_images(self, report: dict[str, Any], account: str | None) -> None:
        """Make File objects of the pictures a new report points to, owned by ``account``."""
        session = report["verification_session"]
        document, selfie = report.get("document"), report.get("selfie")
        front_purpose = "identity_document_downloadable"
        if document and document.get("files"):
            front, back = document["files"]
            self.add_picture(front, front_purpose, "document_front", session, account)
            self.add_picture(back, front_purpose, "document_back", session, account)
        if selfie:
            self.add_picture(selfie["document"], front_purpose, "document_front", session, account)
            self.add_picture(selfie["selfie"], "selfie", "selfie", session, account)

    def create(
        self, purpose: str, size: int, cut_after: int | None = None, account: str | None = None
    ) -> dict[str, Any]:
        """A file of ``size`` generated bytes (``cut_after``: the download breaks off there),
        owned by ``account`` (``None``: the platform)."""
        if size < 0 or (cut_after is not None and not 0 <= cut_after < size):
            raise ValueError("size must be >= 0 and cut_after, if given, below it")
        file_id = self.ids.object_id("file")
        contents = _Contents(None, size, cut_after=cut_after)
        return self.add(file_id, purpose, contents, f"{file_id}.bin", "bin", account)

    def delete_for_session(self, session_id: str) -> None:
        for file_id in [f for f, c in self.contents.items() if c.session == session_id]:
            del self.objects[file_id], self.contents[file_id]
            self.order.remove(file_id)

    def get(
        self, file_id: str, account: str | None, param: str = "file", status: int = 404
    ) -> dict[str, Any]:
        """The file, if a request acting for ``account`` may see it."""
        obj = self.objects.get(file_id)
        if obj is None or not self.owners.sees(account, file_id):
            raise not_found("file", file_id, param, status)
        return obj


def require_restricted_key(obj: dict[str, Any], caller: Caller | None, what: str) -> None:
    """Identity images are sensitive: only a restricted key may read or link them."""
    if obj["purpose"] in IDENTITY_PURPOSES and not (caller is not None and caller.is_restricted):
        raise forbidden(
            f"{what} of Identity files ({obj['purpose']}) need a restricted API key (rk_...) with "
            "access to sensitive verification results and Files write permission; secret keys "
            "cannot read them."
        )


def _view(links_of: LinksOf, obj: dict[str, Any], expand: tuple[str, ...]) -> dict[str, Any]:
    if "links" not in expand:
        return obj
    data = links_of(obj["id"])
    return {**obj, "links": list_object(f"/v1/file_links?file={obj['id']}", data, False)}


async def retrieve(store: FileStore, links_of: LinksOf, call: Call) -> dict[str, Any]:
    return _view(links_of, store.get(call.ids[0], call.account), call.expand)


async def list_files(store: FileStore, links_of: LinksOf, call: Call) -> dict[str, Any]:
    order, table = store.owners.scoped(call.account, store.order, store.objects)
    data, has_more = page(order, table, "file", call.params, field_filter(call.params, ("purpose",)))
    inside = tuple(path[5:] for path in call.expand)
    return list_object(_PATH, [_view(links_of, obj, inside) for obj in data], has_more)


async def serve(
    request: web.Request, store: FileStore, file_id: str, headers: dict[str, str]
) -> web.StreamResponse:
    """Stream a file's contents (and break off where the file says so)."""
    contents = store.contents[file_id]
    obj = store.objects[file_id]
    response = web.StreamResponse(status=200, headers=headers)
    response.content_type = "image/png" if obj["type"] == "png" else "application/octet-stream"
    response.content_length = contents.size
    await response.prepare(request)
    sent = 0
    try:
        for chunk in contents.chunks(file_id):
            if contents.cut_after is not None and sent + len(chunk) > contents.cut_after:
                await response.write(chunk[: contents.cut_after - sent])
                if request.transport is not None:
                    request.transport.abort()  # the body is cut short: the client must notice
                return response
            await response.write(chunk)
            sent += len(chunk)
        await response.write_eof()
    except ConnectionError:
        # The client hung up mid-body (it refused the size, say): not an error of ours, and with
        # the 200 already sent, no error answer is possible either.
        raise ConnectionReset from None
    return response


async def contents(store: FileStore, call: Call) -> web.StreamResponse:
    obj = store.get(call.ids[0], call.account)
    require_restricted_key(obj, call.caller, "The contents")
    return await serve(call.request, store, obj["id"], stripe_headers(call))


def routes(store: FileStore, links_of: LinksOf) -> list[Route]:
    """The file operations, answered from ``store`` (``links_of``: for the ``links`` expansion)."""
    return [
        Route(
            "GET",
            _PATH,
            "list_files",
            partial(list_files, store, links_of),
            spec_id="GetFiles",
            expandable=frozenset({"data.links"}),
        ),
        Route(
            "GET",
            _PATH + "/{}",
            "retrieve_file",
            partial(retrieve, store, links_of),
            spec_id="GetFilesFile",
            expandable=frozenset({"links"}),
        ),
        Route("GET", _PATH + "/{}/contents", "download_file", partial(contents, store), kind="files"),
    ]
