"""Sends Claude Code's counters with the OpenTelemetry Python SDK, the way
an instrumented program or a collector in front of it would: cumulative
temporality (which Claude Code itself does not use by default), OTLP/HTTP
protobuf, gzip, a bearer token. Run by tests/receive.rs.

Usage: send_cumulative.py ENDPOINT SESSION_ID TOKEN
"""

import sys

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import Counter, MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource

endpoint, session, token = sys.argv[1:4]
exporter = OTLPMetricExporter(
    endpoint=endpoint.rstrip("/") + "/v1/metrics",
    headers={"Authorization": f"Bearer {token}"},
    compression=Compression.Gzip,
    preferred_temporality={Counter: AggregationTemporality.CUMULATIVE},
)
# Exports happen on force_flush only: one per step below.
reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
resource = Resource.create(
    {"service.name": "claude-code", "service.version": "2.1.197", "host.name": "sdk-box"}
)
provider = MeterProvider(metric_readers=[reader], resource=resource)
meter = provider.get_meter("com.anthropic.claude_code")
tokens = meter.create_counter("claude_code.token.usage", unit="tokens")
cost = meter.create_counter("claude_code.cost.usage", unit="USD")
attrs = {"session.id": session, "model": "claude-sonnet-4-5-20250929"}

# Each export carries the running totals: 100/10/$0.50, then 250/15/$0.75
# twice more (nothing added), and once more at shutdown.
for input_tokens, output_tokens, usd in [(100, 10, 0.5), (150, 5, 0.25), (0, 0, 0.0)]:
    if input_tokens:
        tokens.add(input_tokens, {**attrs, "type": "input"})
    if output_tokens:
        tokens.add(output_tokens, {**attrs, "type": "output"})
    if usd:
        cost.add(usd, attrs)
    if not provider.force_flush(timeout_millis=10_000):
        sys.exit("an export failed")
provider.shutdown()
