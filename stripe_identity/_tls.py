"""The system's CA certificates, loaded when a TLS connection first needs them, not at import.

When aiohttp is first imported it builds its two default TLS contexts (verifying, and not), and
each loads the system's CA bundle from disk: about 20 ms of CPU apiece on a small VM, a third of
everything else aiohttp does at import, paid at start-up by every script, CLI run and serverless
cold start, whether it ever opens a TLS connection (an emulator, a local server: none) or not (the
API: one context, one load). :func:`deferred_ca_loading` is the SDK's ``import aiohttp`` wrapper:
while it runs, a context that aiohttp's own import code asks to load the default CAs is marked
instead, and loads them when first used to connect (or asked about its certificates).

Nothing else changes. The marked contexts are aiohttp's own two, still ``ssl.SSLContext``
instances with every setting aiohttp gave them; the first handshake through one (the SDK's, or any
other code's in the process that uses aiohttp's defaults) loads the certificates before it starts,
under a lock, and the context becomes a plain ``ssl.SSLContext`` again. Only the importing thread's
requests are deferred, only while aiohttp is being imported, and only the default paths: a context
given certificates by name, or made in any other thread meanwhile, loads them at once as always.
If aiohttp was imported before the SDK, its contexts are loaded already and nothing happens here.

:func:`load_deferred` loads what is still marked, for code that would rather pay it on a worker
thread than inside an event loop (the transport does, before its first ``https`` request).
"""

from __future__ import annotations

import contextlib
import ssl
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["deferred_ca_loading", "load_deferred", "pending"]

#: The method that reads the CA bundle (``_ssl._SSLContext``'s, which ``ssl.SSLContext`` inherits).
_LOAD = ssl.SSLContext.set_default_verify_paths
_LOCK = threading.Lock()
#: id -> (a context still waiting for its certificates, its own class). aiohttp keeps its two
#: contexts for the life of the process; so does this.
_PENDING: dict[int, tuple[Any, type]] = {}
#: A context's own class -> the subclass that loads the certificates on first use.
_CLASSES: dict[type, type] = {}


def _load(context: Any) -> None:
    """Give ``context`` its certificates (once) and its own class back."""
    with _LOCK:
        entry = _PENDING.pop(id(context), None)
        if entry is not None and entry[0] is context:
            _LOAD(context)
            context.__class__ = entry[1]


def _on_first_use(base: type) -> type:
    """A subclass of ``base`` whose trust-store users load the certificates first."""
    cls = _CLASSES.get(base)
    if cls is not None:
        return cls

    def wrapping(name: str) -> Any:
        method = getattr(base, name)

        def first_use(self: Any, *args: Any, **kwargs: Any) -> Any:
            _load(self)
            return method(self, *args, **kwargs)

        first_use.__name__ = name
        return first_use

    # Every handshake goes through _wrap_socket or _wrap_bio (wrap_socket, wrap_bio, asyncio's and
    # uvloop's TLS, gevent's sockets); the other two read the store directly.
    names = ("_wrap_socket", "_wrap_bio", "get_ca_certs", "cert_store_stats")
    namespace: dict[str, Any] = {name: wrapping(name) for name in names}
    namespace["set_default_verify_paths"] = _load
    cls = _CLASSES[base] = type(f"{base.__name__}CertsOnFirstUse", (base,), namespace)
    return cls


def _defer(context: Any) -> bool:
    base = type(context)
    try:
        context.__class__ = _on_first_use(base)
    except TypeError:  # a context class whose layout a subclass cannot share: load now
        return False
    _PENDING[id(context)] = (context, base)
    return True


@contextlib.contextmanager
def deferred_ca_loading() -> Iterator[None]:
    """Import aiohttp inside this block: its default contexts load their CAs on first use."""
    if "aiohttp.connector" in sys.modules:  # imported already: its contexts are loaded
        yield
        return
    cls = ssl.SSLContext
    importer = threading.get_ident()
    own = cls.__dict__.get("set_default_verify_paths")

    def set_default_verify_paths(context: Any) -> None:
        if threading.get_ident() != importer or not _defer(context):
            (own or _LOAD)(context)

    cls.set_default_verify_paths = set_default_verify_paths  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        if own is None:
            del cls.set_default_verify_paths
        else:
            cls.set_default_verify_paths = own  # type: ignore[method-assign]


def pending() -> bool:
    """Whether a deferred context still waits for its certificates."""
    return bool(_PENDING)


def load_deferred() -> None:
    """Load the certificates of every context still waiting for them (blocking: disk and parsing)."""
    with _LOCK:
        waiting = [context for context, _ in _PENDING.values()]
    for context in waiting:
        _load(context)
