#!/usr/bin/env bash
# Installs the pinned Claude Code that tests/e2e_claude_code.rs drives, from
# the npm registry, into <target dir>/e2e-claude. Does nothing when that
# version is already there; installs npm (Debian) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.1.197
DIR="${CCWATCH_E2E_CLAUDE_DIR:-${CARGO_TARGET_DIR:-target}/e2e-claude}"
case "$(uname -m)" in
  x86_64) PLATFORM=linux-x64 ;;
  aarch64 | arm64) PLATFORM=linux-arm64 ;;
  *) echo "warning: no Claude Code package for $(uname -m)"; exit 0 ;;
esac
BIN="$DIR/node_modules/@anthropic-ai/claude-code-$PLATFORM/claude"

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION "; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends npm nodejs) >/dev/null 2>&1 \
    || { echo "warning: could not install npm"; exit 0; }
fi
mkdir -p "$DIR"
# The platform package carries the native binary; the wrapper's postinstall
# only copies it, so it need not run.
timeout 900 npm install --prefix "$DIR" --no-save --no-audit --no-fund --ignore-scripts \
  "@anthropic-ai/claude-code@$VERSION" "@anthropic-ai/claude-code-$PLATFORM@$VERSION" >/dev/null \
  || echo "warning: could not install Claude Code $VERSION"
