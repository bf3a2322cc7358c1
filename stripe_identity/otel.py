"""OpenTelemetry traces and metrics for the client: ``pip install 'stripe-identity[otel]'``.

Build one :class:`OpenTelemetry` and hand its middlewares to the client::

    import stripe_identity as si
    from stripe_identity.otel import OpenTelemetry

    otel = OpenTelemetry()  # the global tracer and meter providers; or pass your own
    client = si.AsyncStripeIdentity(**otel.client_options())  # si.StripeIdentity too

``client_options(middlewares=..., operation_middlewares=...)`` takes middlewares of your own too: the
call's span goes around your operation middlewares, the attempt span inside your per-attempt ones (so
that it times the HTTP request alone). To place them yourself, pass ``otel.operation_middleware`` in
``operation_middlewares=`` and ``otel.attempt_middleware`` in ``middlewares=``.

What you get, following OpenTelemetry's HTTP client semantic conventions:

* one span per call, around all its attempts (``INTERNAL``: the HTTP conventions want one ``CLIENT``
  span per request sent, and no logical ``CLIENT`` span around them), a child of whatever span is
  current where the call is made, the sync client's calling thread included;
* one ``CLIENT`` span per attempt (per HTTP request sent), a child of the call's span;
* the histogram ``http.client.request.duration`` (seconds), one measurement per attempt.

Both spans are named ``{method} {url.template}``, e.g. ``POST /v1/identity/verification_sessions``
(``raw_request`` has no template: its spans are named after the method alone). Their attributes:
``http.request.method``, ``server.address``, ``server.port``, ``url.full`` (without the query
string), ``url.template``, ``http.response.status_code``, ``error.type``,
``http.request.resend_count`` (attempt spans, retries only), ``stripe.request_id`` (the response's
``Request-Id``) and ``stripe.idempotency_key`` (POSTs). The histogram has ``http.request.method``,
``server.address``, ``server.port``, ``url.template``, ``http.response.status_code`` and
``error.type``.

``error.type`` is one of: the status code as a string (``"404"``, ``"500"``) for a response of 400
or more; ``stripe_identity.APIConnectionError`` or ``stripe_identity.APITimeoutError`` when no response
came; ``stripe_identity.APIError`` for a response refused unread (too large); otherwise the qualified
name of whatever class of exception ended the attempt (a cancellation, say). Span status is ``ERROR``
exactly when ``error.type`` is set.

Never recorded: the API key and other headers, request and response bodies, the query string (GET
parameters such as ``client_reference_id`` or ``email`` can be personal data), exception messages
and stack traces (they may quote a URL). While an attempt span is current, generic HTTP
instrumentation (``opentelemetry-instrumentation-aiohttp-client``) is suppressed, so that it neither
adds a second ``CLIENT`` span, nor records the full URL, nor sends trace headers to Stripe.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TypedDict
from urllib.parse import urlsplit

try:
    from opentelemetry import context as otel_context, metrics, trace
    from opentelemetry.trace import SpanKind, StatusCode
except ImportError as exc:
    raise ImportError(
        "stripe_identity.otel needs the OpenTelemetry API: pip install 'stripe-identity[otel]'"
    ) from exc

from ._middleware import Handler, Middleware
from ._response import Request, Response
from ._version import __version__

__all__ = ["DURATION_BUCKETS", "ClientOptions", "OpenTelemetry"]

#: The bucket boundaries (seconds) the HTTP semantic conventions advise for request durations.
DURATION_BUCKETS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)

_SCOPE = "stripe_identity"
_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# What the duration histogram keeps of the span's request attributes: nothing per call (no URL, key or
# request id), so that its series stay few.
_METRIC_KEYS = ("http.request.method", "server.address", "server.port", "url.template")

# The context key generic HTTP instrumentations (aiohttp-client among them) check before making a
# span of their own. It lives in the API under a private name, so look it up without relying on it.
_SUPPRESS_HTTP_KEY = getattr(otel_context, "_SUPPRESS_HTTP_INSTRUMENTATION_KEY", None)

Attributes = dict[str, str | int]


class ClientOptions(TypedDict):
    """The keyword arguments :meth:`OpenTelemetry.client_options` returns, for either client."""

    operation_middlewares: Sequence[Middleware]
    middlewares: Sequence[Middleware]


class OpenTelemetry:
    """Traces and metrics for a client's calls (see the module docstring).

    Args:
        tracer_provider: where spans go; the global provider (``trace.set_tracer_provider``) when
            omitted.
        meter_provider: where the duration histogram goes; the global provider when omitted.

    One instance may serve any number of clients, async and sync.
    """

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider)
        self._duration = _duration_histogram(meter)

    def client_options(
        self,
        *,
        middlewares: Sequence[Middleware] = (),
        operation_middlewares: Sequence[Middleware] = (),
    ) -> ClientOptions:
        """``operation_middlewares=`` and ``middlewares=`` for a client, with your own inside ours.

        The operation span encloses your operation middlewares (what they log is in its context);
        the attempt span encloses only the HTTP request, so that its duration is the request's.
        """
        return ClientOptions(
            operation_middlewares=(self.operation_middleware, *operation_middlewares),
            middlewares=(*middlewares, self.attempt_middleware),
        )

    async def operation_middleware(self, request: Request, call_next: Handler) -> Response:
        """The span around one call and all its attempts: for ``operation_middlewares=``."""
        name, attributes = _start(request)
        key = request.idempotency_key
        if key is not None:
            attributes["stripe.idempotency_key"] = key
        with self._tracer.start_as_current_span(
            name,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await call_next(request)
            except BaseException as exc:
                span.set_attribute("error.type", _exception_type(exc))
                span.set_status(StatusCode.ERROR)
                raise
            _end(span, response, {})
            return response

    async def attempt_middleware(self, request: Request, call_next: Handler) -> Response:
        """The span and duration of one HTTP request: for ``middlewares=``, after any of yours."""
        name, attributes = _start(request)
        metric_attributes = {k: attributes[k] for k in _METRIC_KEYS if k in attributes}
        if request.resend_count > 0:  # the conventions: only on a resend
            attributes["http.request.resend_count"] = request.resend_count
        key = request.idempotency_key
        if key is not None:
            attributes["stripe.idempotency_key"] = key
        with self._tracer.start_as_current_span(
            name,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            token = (
                otel_context.attach(otel_context.set_value(_SUPPRESS_HTTP_KEY, True))
                if _SUPPRESS_HTTP_KEY is not None
                else None
            )
            started = time.perf_counter()
            try:
                response = await call_next(request)
            except BaseException as exc:
                error_type = _exception_type(exc)
                span.set_attribute("error.type", error_type)
                span.set_status(StatusCode.ERROR)
                metric_attributes["error.type"] = error_type
                self._duration.record(time.perf_counter() - started, metric_attributes)
                raise
            finally:
                if token is not None:
                    otel_context.detach(token)
            _end(span, response, metric_attributes)
            self._duration.record(time.perf_counter() - started, metric_attributes)
            return response


def _duration_histogram(meter: metrics.Meter) -> metrics.Histogram:
    name = "http.client.request.duration"
    description = "Duration of HTTP client requests."
    try:
        return meter.create_histogram(
            name, unit="s", description=description, explicit_bucket_boundaries_advisory=DURATION_BUCKETS
        )
    except TypeError:  # opentelemetry-api < 1.30 takes no advice: configure a View for the buckets
        return meter.create_histogram(name, unit="s", description=description)


def _start(request: Request) -> tuple[str, Attributes]:
    """The span name and the attributes known before sending (the ones samplers may look at)."""
    method = request.method if request.method in _KNOWN_METHODS else "_OTHER"
    template = request.path_template
    name = "HTTP" if method == "_OTHER" else method
    if template:
        name = f"{name} {template}"
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:  # a port out of range: the transport reports it, telemetry must not fail
        port = 0
    netloc = parts.netloc
    if "@" in netloc:  # never credentials in a URL attribute
        netloc = "REDACTED:REDACTED@" + netloc.rpartition("@")[2]
    attributes: Attributes = {
        "http.request.method": method,
        "server.address": host,
        "server.port": port,
        # No query string: GET parameters can be personal data (client_reference_id, email, ...).
        "url.full": f"{parts.scheme}://{netloc}{parts.path}",
    }
    if template:
        attributes["url.template"] = template
    return name, attributes


def _end(span: trace.Span, response: Response, metric_attributes: Attributes) -> None:
    status = response.status
    span.set_attribute("http.response.status_code", status)
    metric_attributes["http.response.status_code"] = status
    request_id = response.request_id
    if request_id:
        span.set_attribute("stripe.request_id", request_id)
    if status >= 400:
        span.set_attribute("error.type", str(status))
        span.set_status(StatusCode.ERROR)
        metric_attributes["error.type"] = str(status)


def _exception_type(exc: BaseException) -> str:
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"
