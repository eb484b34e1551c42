#!/usr/bin/env bash
# Installs the OpenTelemetry Python SDK and its OTLP/HTTP exporter from
# PyPI into a virtualenv at <target dir>/otel-python, for the test that has
# a real SDK send cumulative metrics to `ccwatch --otlp-receive`
# (tests/receive_sdk.rs). Does nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.45.2
DIR="${CCWATCH_OTEL_PYTHON_DIR:-${CARGO_TARGET_DIR:-target}/otel-python}"
PY="$DIR/bin/python"

if [ -x "$PY" ] && "$PY" -c "import opentelemetry.exporter.otlp.proto.http, opentelemetry.sdk" 2>/dev/null; then
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv) >/dev/null 2>&1 \
    || { echo "warning: could not install python3"; exit 0; }
fi
python3 -m venv "$DIR" >/dev/null 2>&1 || {
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv) >/dev/null 2>&1
  python3 -m venv "$DIR"
} || { echo "warning: could not make a Python virtualenv"; exit 0; }
timeout 900 "$PY" -m pip install --quiet --disable-pip-version-check \
  "opentelemetry-sdk==$VERSION" "opentelemetry-exporter-otlp-proto-http==$VERSION" \
  || echo "warning: could not install the OpenTelemetry Python SDK $VERSION"
