#!/usr/bin/env bash
# Run the real Codex CLI offline against scripts/codex_fake_responses.py and
# keep the rollouts it writes: how fixtures/cases/codex-cli-*/ were made.
#
#   scripts/capture-codex-rollouts.sh [VERSION] [OUT]
#
# Downloads @openai/codex and its linux-x64 binary with `npm pack` (the npm
# registry is the only network it needs), runs `codex exec`, `codex exec
# resume --last` and `codex exec fork <id>` in a scratch CODEX_HOME whose
# provider is the fake server, and copies the rollouts to OUT with strings
# over 200 characters (Codex's instructions) redacted. The usages served are
# in the log printed at the end: the hand count starts from them.
set -euo pipefail
version=${1:-0.171.0}
out=${2:-/tmp/codex-rollouts-$version}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "${fake:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@openai/codex@$version-linux-x64" > /dev/null
tar xzf "openai-codex-$version-linux-x64.tgz"
codex=$(find "$work/package" -path '*bin/codex' -type f | head -1)
port=18765
mkdir -p home project
cat > home/config.toml <<TOML
model = "gpt-5.6"
model_provider = "fake"
[model_providers.fake]
name = "fake"
base_url = "http://127.0.0.1:$port/v1"
wire_api = "responses"
TOML
export FAKE_USAGES='[
 {"input_tokens":14000,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":12800},"output_tokens":600,"output_tokens_details":{"reasoning_tokens":450},"total_tokens":14600},
 {"input_tokens":14800,"input_tokens_details":{"cached_tokens":12800,"cache_write_tokens":1536},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":120},"total_tokens":15100},
 {"input_tokens":15500,"input_tokens_details":{"cached_tokens":14336,"cache_write_tokens":1024},"output_tokens":200,"output_tokens_details":{"reasoning_tokens":50},"total_tokens":15700}]'
export FAKE_HEADERS='{"x-codex-primary-used-percent":"12.5","x-codex-primary-window-minutes":"300","x-codex-primary-reset-at":"1796518800","x-codex-secondary-used-percent":"40","x-codex-secondary-window-minutes":"10080","x-codex-secondary-reset-at":"1797000000"}'
python3 "$here/codex_fake_responses.py" "$port" "$work/served.jsonl" &
fake=$!
sleep 1
export CODEX_HOME=$work/home
cd project
"$codex" exec --skip-git-repo-check "Say hi" > /dev/null
"$codex" exec --skip-git-repo-check resume --last "And once more" > /dev/null
id=$(ls "$CODEX_HOME"/sessions/*/*/*/ | head -1 | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
"$codex" exec --skip-git-repo-check fork "$id" "Try another way" > /dev/null
python3 - "$CODEX_HOME/sessions" "$out" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
def redact(v):
    if isinstance(v, str):
        return v if len(v) <= 200 else f"(redacted: {len(v)} characters)"
    if isinstance(v, list):
        return [redact(x) for x in v]
    if isinstance(v, dict):
        return {k: redact(x) for k, x in v.items()}
    return v
for root, _, files in os.walk(src):
    for name in sorted(files):
        rel = os.path.relpath(os.path.join(root, name), src)
        dest = os.path.join(out, "sessions", rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(os.path.join(root, name), encoding="utf-8") as f, open(dest, "w", encoding="utf-8") as o:
            for line in f:
                o.write(json.dumps(redact(json.loads(line)), separators=(",", ":"), ensure_ascii=False) + "\n")
PY
echo "rollouts in $out; served:"
cat "$work/served.jsonl"
