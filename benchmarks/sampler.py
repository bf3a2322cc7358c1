"""A whole-process CPU-time sampling profiler, attributing each sample to a layer of the request path.

``ITIMER_PROF`` delivers ``SIGPROF`` after every interval of the process's CPU time (user + system,
the kernel's socket work included), so the samples are spread in proportion to CPU time, wherever it
is spent: Python code, C extensions (their time lands on the Python frame that called them), system
calls, garbage collection. Python runs the handler in the main thread at the next bytecode boundary,
with the frame that was running; the handler walks that frame's stack and files the sample under the
innermost frame that belongs to a known layer (see :func:`category`), so a call from aiohttp into
asyncio counts as aiohttp, and a call from the SDK into the stdlib counts as the SDK.

Garbage collection runs in C with no frame of its own. A ``gc.callbacks`` hook gives it one: a signal
that arrives during a collection is handled when the callback (Python code) starts at the end of it,
so its sample lands on the callback's frame, filed as ``gc``.

On Linux the timer fires on the scheduler tick (250 Hz here), so a run needs a few seconds of CPU for
a few thousand samples; the handler costs some microseconds per sample, a fraction of a percent.
"""

from __future__ import annotations

import gc
import linecache
import signal
import time
from collections import Counter
from types import CodeType, FrameType
from typing import Any

__all__ = ["LAYERS", "Sampler", "category"]

#: The layers of the accounting table, in its order: key -> description.
LAYERS: dict[str, str] = {
    "aiohttp": "aiohttp: ClientSession.request, connector, writer, parser (and their socket writes)",
    "loop": "event loop: select, socket reads, callbacks, task steps",
    "harness": "benchmark load loop and result check (the same for both)",
    "raw_code": "raw client's own code (URL f-string, headers dict, status check)",
    "service": "SDK service method (path id, the call)",
    "build": "SDK request building (headers copy, URL, options, Request)",
    "encode": "SDK form encoding",
    "pipeline": "SDK pipeline: requestor coroutine, middleware chain, retry",
    "transport": "SDK transport glue (timeout, URL object, proxy check)",
    "objects": "SDK Request / Response objects (attrs)",
    "orjson": "orjson.loads",
    "model": "SDK model structuring (compiled hooks, decode_model)",
    "meta": "SDK ResponseMeta (last_response)",
    "gc": "garbage collection",
    "other": "other",
}

_LOOP = "loop"  # asyncio internals: counted as the loop unless called by a known layer
_LOOP_STOP = "loop-stop"  # the loop's dispatch frames: whatever ran below them was the loop's own
_MISSING = object()
_cache: dict[CodeType, Any] = {}

_LIB_DIRS = ("/aiohttp/", "/yarl/", "/multidict/", "/propcache/", "/aiosignal/", "/frozenlist/")
_SDK_FILES = {
    "_encoding.py": "encode",
    "_options.py": "build",
    "_headers.py": "build",
    "_ids.py": "service",
    "_middleware.py": "pipeline",
    "_retry.py": "pipeline",
    "_limiter.py": "pipeline",
    "_transport.py": "transport",
    "_proxy.py": "transport",
    "_decoding/__init__.py": "model",
    "_decoding/_engine.py": "model",
    "_decoding/_types.py": "model",
}


def _lines(code: CodeType, default: str) -> dict[int | None, str]:
    """Per-line layers of a function that calls ``orjson.loads`` or builds a ``ResponseMeta`` inline."""
    table: dict[int | None, str] = {None: default}
    first = code.co_firstlineno
    for lineno in range(first, first + 200):
        text = linecache.getline(code.co_filename, lineno)
        if not text:
            break
        if "orjson.loads(" in text or "self._loads(" in text:
            table[lineno] = "orjson"
        elif "ResponseMeta.of(" in text:
            table[lineno] = "meta"
    return table


def _classify_code(code: CodeType) -> Any:
    filename = code.co_filename
    name = code.co_name
    qualname = getattr(code, "co_qualname", name)
    if filename.startswith("<stripe_identity compiled structure"):
        return "model"
    if filename.startswith("<attrs generated"):
        if filename.endswith("_response.ResponseMeta"):
            return "meta"
        if "stripe_identity._response." in filename:
            return "objects"
        if "stripe_identity." in filename:
            return "model"
        return None
    if "/stripe_identity/" in filename:
        rel = filename.rsplit("/stripe_identity/", 1)[1]
        if rel.startswith("_resources/"):
            return "service"
        if rel == "_requestor.py":
            return "build" if name in ("build", "_apply", "_no_key") else "pipeline"
        if rel == "_response.py":
            return "meta" if qualname == "ResponseMeta.of" else "objects"
        if rel == "_decode.py":
            return _lines(code, "model")
        if rel.startswith("_models/"):
            return "model"
        return _SDK_FILES.get(rel, "other")
    if any(d in filename for d in _LIB_DIRS):
        return "aiohttp"
    if "/asyncio/" in filename or filename.endswith("/selectors.py"):
        if name in ("_run_once", "run_forever") or qualname == "Handle._run":
            return _LOOP_STOP
        return _LOOP
    if filename.endswith("/benchmarks/workloads.py"):
        return "harness"
    if filename.endswith("/benchmarks/clients.py"):
        if qualname.startswith("RawAiohttp."):
            return _lines(code, "raw_code")
        return "harness"
    return None  # the stdlib and the rest: counted for whoever called them


def category(frame: FrameType | None) -> tuple[str, CodeType | None]:
    """The layer a sample taken in ``frame`` belongs to, and the innermost frame's code of that layer."""
    loop_code = None
    f = frame
    while f is not None:
        code = f.f_code
        cat = _cache.get(code, _MISSING)
        if cat is _MISSING:
            cat = _cache[code] = _classify_code(code)
        if cat is not None:
            if cat is _LOOP:
                loop_code = loop_code or code
            elif cat is _LOOP_STOP:
                return "loop", loop_code or code
            elif isinstance(cat, dict):
                return str(cat.get(f.f_lineno, cat[None])), code
            else:
                return cat, code
        f = f.f_back
    return ("loop", loop_code) if loop_code is not None else ("other", frame.f_code if frame else None)


class Sampler:
    """``with Sampler() as s: ...`` then ``s.counts`` (layer -> samples) and ``s.gc_s``."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self.detail: Counter[tuple[str, CodeType | None]] = Counter()
        self.samples = 0
        self.gc_s = 0.0  # time inside collections, from the callbacks (a cross-check)
        self.collections = 0
        self._gc_started = 0.0
        self._previous: Any = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        layer, code = category(frame)
        self.counts[layer] += 1
        self.detail[layer, code] += 1
        self.samples += 1

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_s += time.perf_counter() - self._gc_started
            self.collections += 1

    def __enter__(self) -> Sampler:
        _cache[self._on_gc.__func__.__code__] = "gc"  # type: ignore[attr-defined]
        self._previous = signal.signal(signal.SIGPROF, self._on_signal)
        gc.callbacks.append(self._on_gc)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        gc.callbacks.remove(self._on_gc)
        signal.signal(signal.SIGPROF, self._previous or signal.SIG_DFL)

    def result(self) -> dict[str, Any]:
        detail: Counter[str] = Counter()
        for (layer, code), count in self.detail.items():
            where = (
                "?"
                if code is None
                else f"{code.co_filename.rsplit('/', 2)[-1]}:"
                + getattr(code, "co_qualname", code.co_name)
            )
            detail[f"{layer} {where}"] += count
        return {
            "counts": dict(self.counts),
            "detail": dict(detail),
            "samples": self.samples,
            "gc_s": self.gc_s,
            "collections": self.collections,
        }
