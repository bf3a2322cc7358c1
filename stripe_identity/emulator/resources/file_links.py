"""``/v1/file_links``: public URLs of files, and the emulator's ``/links/{token}`` that serves them.

A link's ``url`` serves the file's contents without a key until ``expires_at``, then answers 404, as
does the link of a deleted (redacted) file. Links to Identity images need a restricted key and must
expire within 30 seconds, as Stripe documents; Stripe does not document its error for a longer or
missing ``expires_at``, so the emulator answers 400 ``invalid_request_error`` naming ``expires_at``.
A link belongs to the account its file does, and is seen by that account's requests only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web

from .._context import Call, Route
from .._failures import APIFailure, invalid, not_found
from .._metadata import merged_metadata
from .._objects import IdFactory
from .._paging import field_filter, list_object, page
from .._validate import UNSET
from .files import IDENTITY_PURPOSES, FileStore, require_restricted_key, serve

__all__ = ["FileLinkStore", "routes"]

_PATH = "/v1/file_links"
#: Stripe: "FileLinks for document and selfie files must expire within 30 seconds."
IDENTITY_LINK_SECONDS = 30


class FileLinkStore:
    """Every FileLink (to a file of ``files``), and which token serves which."""

    def __init__(
        self,
        ids: IdFactory,
        clock: Callable[[], int],
        files_base: Callable[[], str],
        files: FileStore,
    ) -> None:
        self.ids = ids
        self.clock = clock
        self.files_base = files_base
        self.files = files
        self.reset()

    def reset(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.tokens: dict[str, str] = {}

    def get(self, link_id: str, account: str | None) -> dict[str, Any]:
        """The link, if a request acting for ``account`` may see it."""
        link = self.objects.get(link_id)
        if link is None or not self.files.owners.sees(account, link_id):
            raise not_found("file_link", link_id, "link")
        return link

    def of_file(self, file_id: str) -> list[dict[str, Any]]:
        """The file's links, newest first, as a file's ``links`` expansion shows them."""
        links = [self.objects[i] for i in reversed(self.order) if self.objects[i]["file"] == file_id]
        return [self.view(link, ()) for link in links]

    def expired(self, link: dict[str, Any]) -> bool:
        return link["expires_at"] is not None and self.clock() >= link["expires_at"]

    def view(self, link: dict[str, Any], expand: tuple[str, ...]) -> dict[str, Any]:
        view = {**link, "expired": self.expired(link)}
        if "file" in expand and link["file"] in self.files.objects:
            view["file"] = self.files.objects[link["file"]]
        return view

    def _check_expiry(self, purpose: str, expires_at: Any) -> None:
        now = self.clock()
        if expires_at is not None and expires_at <= now:
            raise invalid("expires_at", "expires_at must be in the future.")
        if purpose in IDENTITY_PURPOSES and (
            expires_at is None or expires_at > now + IDENTITY_LINK_SECONDS
        ):
            raise invalid(
                "expires_at",
                f"FileLinks to Identity files ({purpose}) must expire within "
                f"{IDENTITY_LINK_SECONDS} seconds: pass expires_at no later than now + "
                f"{IDENTITY_LINK_SECONDS}.",
            )

    def create(self, call: Call) -> dict[str, Any]:
        params = call.params
        file = self.files.get(params["file"], call.account, param="file", status=400)
        require_restricted_key(file, call.caller, "Links")
        expires_at = params.get("expires_at")
        self._check_expiry(file["purpose"], expires_at)
        link_id, token = self.ids.object_id("link"), self.ids.token(40)
        link = {
            "created": self.clock(),
            "expired": False,
            "expires_at": expires_at,
            "file": file["id"],
            "id": link_id,
            "livemode": False,
            "metadata": merged_metadata({}, params.get("metadata")),
            "object": "file_link",
            "url": f"{self.files_base()}/links/{token}",
        }
        self.files.owners.claim(link_id, call.account)
        self.objects[link_id] = link
        self.order.append(link_id)
        self.tokens[token] = link_id
        return link

    def update(self, call: Call) -> dict[str, Any]:
        link = self.get(call.ids[0], call.account)
        if self.expired(link):
            raise APIFailure(400, "Expired links can no longer be updated.")
        params = call.params
        if "expires_at" in params:
            value = params["expires_at"]
            expires_at = self.clock() if value == "now" else (None if value is UNSET else value)
            file = self.files.objects.get(link["file"])
            if value != "now" and file is not None:
                self._check_expiry(file["purpose"], expires_at)
            link["expires_at"] = expires_at
        if "metadata" in params:
            link["metadata"] = merged_metadata(link["metadata"], params["metadata"])
        return link


async def create(links: FileLinkStore, call: Call) -> dict[str, Any]:
    return links.view(links.create(call), call.expand)


async def retrieve(links: FileLinkStore, call: Call) -> dict[str, Any]:
    return links.view(links.get(call.ids[0], call.account), call.expand)


async def update(links: FileLinkStore, call: Call) -> dict[str, Any]:
    return links.view(links.update(call), call.expand)


async def list_links(links: FileLinkStore, call: Call) -> dict[str, Any]:
    wanted = call.params.get("expired")

    def expired_matches(link: dict[str, Any]) -> bool:
        return wanted is None or links.expired(link) == wanted

    matches = field_filter(call.params, ("file",), expired_matches)
    order, table = links.files.owners.scoped(call.account, links.order, links.objects)
    data, has_more = page(order, table, "file_link", call.params, matches)
    inside = tuple(path[5:] for path in call.expand)
    return list_object(_PATH, [links.view(link, inside) for link in data], has_more)


async def public_link(links: FileLinkStore, call: Call) -> web.StreamResponse:
    """What a browser gets at a link's ``url``: the file, with no key, until the link expires."""
    files = links.files
    link_id = links.tokens.get(call.ids[0])
    link = links.objects.get(link_id) if link_id is not None else None
    if link is None or links.expired(link) or link["file"] not in files.objects:
        return web.Response(status=404, text="This link does not exist or has expired.\n")
    return await serve(call.request, files, link["file"], {"Cache-Control": "no-store"})


_LINK_EXPAND = frozenset({"file"})


def routes(links: FileLinkStore) -> list[Route]:
    """The file link operations and the links' public URLs, answered from ``links``."""
    return [
        Route(
            "POST",
            _PATH,
            "create_file_link",
            partial(create, links),
            spec_id="PostFileLinks",
            expandable=_LINK_EXPAND,
        ),
        Route(
            "GET",
            _PATH,
            "list_file_links",
            partial(list_links, links),
            spec_id="GetFileLinks",
            expandable=frozenset({"data.file"}),
        ),
        Route(
            "GET",
            _PATH + "/{}",
            "retrieve_file_link",
            partial(retrieve, links),
            spec_id="GetFileLinksLink",
            expandable=_LINK_EXPAND,
        ),
        Route(
            "POST",
            _PATH + "/{}",
            "update_file_link",
            partial(update, links),
            spec_id="PostFileLinksLink",
            expandable=_LINK_EXPAND,
        ),
        Route("GET", "/links/{}", "public_link", partial(public_link, links), kind="public"),
    ]
