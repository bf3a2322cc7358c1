"""stripe_identity.otel: spans per call and per attempt, the duration histogram, and what stays out."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import anyio
import attrs
import pytest
from opentelemetry import context as otel_context, trace
from opentelemetry.metrics import Histogram, NoOpMeter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import stripe_identity as si
from stripe_identity import otel
from stripe_identity._middleware import Handler
from tests.client.test_retries import stall
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json
from tests.leaks import SECRET_PATTERN

pytestmark = pytest.mark.anyio

API_ERROR = error_json("api_error", "An unknown error occurred")
SESSIONS = "/v1/identity/verification_sessions"
ONE_SESSION = "/v1/identity/verification_sessions/{session}"


@attrs.frozen
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    instrumentation: otel.OpenTelemetry

    def finished(self) -> list[ReadableSpan]:
        return sorted(self.spans.get_finished_spans(), key=lambda s: s.start_time or 0)

    def operations(self) -> list[ReadableSpan]:
        return [s for s in self.finished() if s.kind is SpanKind.INTERNAL and s.name != "caller"]

    def attempts(self) -> list[ReadableSpan]:
        return [s for s in self.finished() if s.kind is SpanKind.CLIENT]

    def duration_points(self) -> list[HistogramDataPoint]:
        data = self.metrics.get_metrics_data()
        points: list[HistogramDataPoint] = []
        if data is None:
            return points
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == "http.client.request.duration":
                        assert metric.unit == "s"
                        points.extend(
                            p for p in metric.data.data_points if isinstance(p, HistogramDataPoint)
                        )
        return points


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    # Explicit providers: nothing global is set, so no test sees another's spans or metrics.
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Telemetry(spans, reader, tracer_provider, otel.OpenTelemetry(tracer_provider, meter_provider))
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture
async def traced(fake_api: FakeStripe, telemetry: Telemetry) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        retry_policy=si.RetryPolicy.no_wait(),
        **telemetry.instrumentation.client_options(),
    ) as client:
        yield client


def tree(spans: Sequence[ReadableSpan]) -> str:
    """The spans as an indented tree with their attributes, parents first."""
    by_parent: dict[int | None, list[ReadableSpan]] = {}
    ids = {s.context.span_id for s in spans if s.context is not None}
    for span in spans:
        parent = span.parent.span_id if span.parent is not None else None
        by_parent.setdefault(parent if parent in ids else None, []).append(span)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in by_parent.get(parent, []):
            kind = span.kind.name
            lines.append(f"{'  ' * depth}{span.name} ({kind}, status {span.status.status_code.name})")
            for key, value in sorted((span.attributes or {}).items()):
                lines.append(f"{'  ' * depth}    {key} = {value!r}")
            assert span.context is not None
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return "\n".join(lines)


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


async def test_a_retried_create_is_one_operation_span_with_an_attempt_span_per_request(
    traced: si.AsyncStripeIdentity, fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    fake_api.queue(Reply(500, API_ERROR), Reply(500, API_ERROR))
    await traced.verification_sessions.create({"type": "document"})
    print("\n" + tree(telemetry.finished()))

    [operation] = telemetry.operations()
    attempts = telemetry.attempts()
    assert len(attempts) == 3 == len(fake_api.seen)
    key = fake_api.seen[0].headers["Idempotency-Key"]
    port = int(fake_api.url.rpartition(":")[2])
    common = {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.full": f"{fake_api.url}{SESSIONS}",
        "url.template": SESSIONS,
        "stripe.idempotency_key": key,
    }
    assert operation.name == f"POST {SESSIONS}"
    assert operation.parent is None
    assert dict(operation.attributes or {}) == {
        **common,
        "http.response.status_code": 200,
        "stripe.request_id": "req_fake0000000003",
    }
    assert operation.status.status_code is StatusCode.UNSET

    for number, (attempt, status) in enumerate(zip(attempts, (500, 500, 200), strict=True)):
        assert attempt.name == f"POST {SESSIONS}"
        assert parent_of(attempt) == span_id(operation)
        assert attempt.context is not None and operation.context is not None
        assert attempt.context.trace_id == operation.context.trace_id
        expected: dict[str, Any] = {
            **common,
            "http.response.status_code": status,
            "stripe.request_id": f"req_fake{number + 1:010d}",
        }
        if number:
            expected["http.request.resend_count"] = number
        if status >= 400:
            expected["error.type"] = str(status)
        assert dict(attempt.attributes or {}) == expected
        ok = status < 400
        assert attempt.status.status_code is (StatusCode.UNSET if ok else StatusCode.ERROR)
        assert attempt.status.description is None
        assert attempt.events == ()


async def test_the_duration_histogram_has_a_series_per_attempt_outcome(
    traced: si.AsyncStripeIdentity, fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    fake_api.queue(Reply(500, API_ERROR), Reply(500, API_ERROR))
    await traced.verification_sessions.create({"type": "document"})
    points = telemetry.duration_points()
    port = int(fake_api.url.rpartition(":")[2])
    common = {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.template": SESSIONS,
    }
    series = {(p.attributes or {}).get("http.response.status_code"): p for p in points}
    assert len(points) == 2
    assert dict(series[500].attributes or {}) == {
        **common,
        "http.response.status_code": 500,
        "error.type": "500",
    }
    assert dict(series[200].attributes or {}) == {**common, "http.response.status_code": 200}
    assert (series[500].count, series[200].count) == (2, 1)
    assert tuple(series[200].explicit_bounds) == otel.DURATION_BUCKETS
    assert all(p.min >= 0 for p in points)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_connection_error_sets_error_type_to_the_exception_class(
    fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=f"http://127.0.0.1:{closed_port()}",
        max_retries=1,
        retry_policy=si.RetryPolicy.no_wait(),
        **telemetry.instrumentation.client_options(),
    ) as client:
        with pytest.raises(si.APIConnectionError):
            await client.verification_sessions.retrieve("vs_1")
    [operation] = telemetry.operations()
    attempts = telemetry.attempts()
    assert len(attempts) == 2
    for span in (operation, *attempts):
        attributes = span.attributes or {}
        assert attributes["error.type"] == "stripe_identity.APIConnectionError"
        assert "http.response.status_code" not in attributes
        assert "stripe.request_id" not in attributes
        assert span.status.status_code is StatusCode.ERROR
        assert span.name == f"GET {ONE_SESSION}"
    assert [(a.attributes or {}).get("http.request.resend_count") for a in attempts] == [None, 1]
    [point] = telemetry.duration_points()
    assert (point.attributes or {})["error.type"] == "stripe_identity.APIConnectionError"
    assert "http.response.status_code" not in (point.attributes or {})
    assert point.count == 2


async def test_a_timeout_sets_error_type_to_the_timeout_class(
    fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    fake_api.queue(stall)
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        timeout=0.2,
        max_retries=0,
        **telemetry.instrumentation.client_options(),
    ) as client:
        with anyio.fail_after(5), pytest.raises(si.APITimeoutError):
            await client.verification_sessions.create({"type": "document"})
    for span in (*telemetry.operations(), *telemetry.attempts()):
        assert (span.attributes or {})["error.type"] == "stripe_identity.APITimeoutError"
        assert span.status.status_code is StatusCode.ERROR


async def test_a_404_sets_error_type_to_the_status_code(
    traced: si.AsyncStripeIdentity, fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    fake_api.queue(Reply(404, error_json("invalid_request_error", "No such verification session")))
    with pytest.raises(si.InvalidRequestError):
        await traced.verification_sessions.retrieve("vs_missing")
    [operation] = telemetry.operations()
    [attempt] = telemetry.attempts()
    for span in (operation, attempt):
        attributes = span.attributes or {}
        assert span.name == f"GET {ONE_SESSION}"
        assert attributes["error.type"] == "404"
        assert attributes["http.response.status_code"] == 404
        assert attributes["url.full"] == f"{fake_api.url}{SESSIONS}/vs_missing"
        assert "stripe.idempotency_key" not in attributes  # a GET has none
        assert span.status.status_code is StatusCode.ERROR


async def test_no_attribute_holds_the_api_key_or_the_query_string(
    traced: si.AsyncStripeIdentity, fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    personal = "customer-4711-jane.doe@example.com"
    fake_api.queue(Reply(500, API_ERROR))
    await traced.verification_sessions.create({"type": "document", "client_reference_id": personal})
    await traced.verification_sessions.list({"client_reference_id": personal, "limit": 3})
    await traced.verification_sessions.retrieve("vs_1", opts={"stripe_account": "acct_1"})
    assert personal in fake_api.seen[-2].query_string  # it did go out, in the list call's URL

    spans = telemetry.finished()
    assert len(spans) == 7  # 3 operations, 4 attempts
    values = [str(v) for s in spans for v in (s.attributes or {}).values()]
    values += [s.name for s in spans]
    values += [str(v) for p in telemetry.duration_points() for v in (p.attributes or {}).values()]
    for value in values:
        assert not SECRET_PATTERN.search(value), value
        assert personal not in value and "client_reference_id" not in value, value
        assert "?" not in value and "acct_1" not in value, value
    assert all(s.events == () for s in spans)  # no exception events, no messages


async def test_raw_request_spans_are_named_after_the_method_alone(
    traced: si.AsyncStripeIdentity, fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    await traced.raw_request("GET", f"{SESSIONS}/vs_123")
    for span in telemetry.finished():
        assert span.name == "GET"
        assert "url.template" not in (span.attributes or {})
        assert (span.attributes or {})["url.full"] == f"{fake_api.url}{SESSIONS}/vs_123"
    [point] = telemetry.duration_points()
    assert "url.template" not in (point.attributes or {})


async def test_spans_are_children_of_the_callers_span_and_suppress_generic_http_spans(
    fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    seen: list[tuple[Any, trace.Span]] = []

    async def probe(request: si.Request, call_next: Handler) -> si.Response:
        key = otel_context._SUPPRESS_HTTP_INSTRUMENTATION_KEY
        seen.append((otel_context.get_value(key), trace.get_current_span()))
        return await call_next(request)

    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        operation_middlewares=[telemetry.instrumentation.operation_middleware],
        middlewares=[telemetry.instrumentation.attempt_middleware, probe],
    ) as client:
        tracer = telemetry.tracer_provider.get_tracer("test")
        with tracer.start_as_current_span("caller") as caller:
            await client.verification_sessions.retrieve("vs_1")
    [operation] = telemetry.operations()
    [attempt] = telemetry.attempts()
    assert parent_of(operation) == caller.get_span_context().span_id
    assert parent_of(attempt) == span_id(operation)
    [(suppressed, current)] = seen
    assert suppressed is True
    assert current.get_span_context().span_id == span_id(attempt)


def test_the_sync_client_parents_the_operation_on_the_calling_threads_span(
    threaded_fake_api: FakeStripe, telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("test")
    with si.StripeIdentity(
        TEST_KEY,
        api_base=threaded_fake_api.url,
        retry_policy=si.RetryPolicy.no_wait(),
        **telemetry.instrumentation.client_options(),
    ) as client:
        with tracer.start_as_current_span("caller") as caller:
            client.verification_sessions.retrieve("vs_1")
        client.verification_sessions.retrieve("vs_2")  # no span current: a root operation span
    first, second = telemetry.operations()
    assert parent_of(first) == caller.get_span_context().span_id
    assert first.context is not None and first.context.trace_id == caller.get_span_context().trace_id
    assert second.parent is None
    attempts = telemetry.attempts()
    assert [parent_of(a) for a in attempts] == [span_id(first), span_id(second)]


def test_client_options_put_your_middlewares_inside_ours(telemetry: Telemetry) -> None:
    async def mine(request: si.Request, call_next: Handler) -> si.Response:
        return await call_next(request)

    ours = telemetry.instrumentation
    options = ours.client_options(middlewares=[mine], operation_middlewares=[mine])
    assert list(options["operation_middlewares"]) == [ours.operation_middleware, mine]
    assert list(options["middlewares"]) == [mine, ours.attempt_middleware]


def test_an_api_without_bucket_advice_gets_the_histogram_all_the_same() -> None:
    made: list[str] = []

    class OldMeter(NoOpMeter):  # opentelemetry-api < 1.30: create_histogram takes no advice
        def create_histogram(  # type: ignore[override]
            self, name: str, unit: str = "", description: str = ""
        ) -> Histogram:
            made.append(name)
            return super().create_histogram(name, unit, description)

    otel._duration_histogram(OldMeter("old"))
    assert made == ["http.client.request.duration"]


def test_importing_the_package_does_not_import_opentelemetry() -> None:
    code = (
        "import sys, stripe_identity\n"
        "assert 'stripe_identity.otel' not in sys.modules\n"
        "assert not any(m.startswith('opentelemetry') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_without_opentelemetry_the_import_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    monkeypatch.delitem(sys.modules, "stripe_identity.otel")
    with pytest.raises(ImportError, match=r"pip install 'stripe-identity\[otel\]'"):
        import stripe_identity.otel  # noqa: F401
