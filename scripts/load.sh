#!/usr/bin/env bash
# CPU of the live dashboard and of `events` under steady appends, for
# BENCHMARKS.md. Two cases:
#
#   history   a 600 MiB history, five sessions appending 20 lines/s in all
#   sessions  2,000 sessions, appends spread over all of them, 50 lines/s
#
#   scripts/load.sh [history|sessions|both] [SECONDS]    default: both 60
#
# The dashboard runs headless in a tmux pane (120x40), `events --json`
# beside it with its output thrown away; both start on the same data, are
# given time to read it, then their CPU time (utime+stime from /proc) is
# taken over SECONDS of appending, as a percentage of one core.
#
# Needs: cargo, python3, tmux. CCWATCH_BIN picks a built binary instead of
# building one. Writes under $LOAD_DIR (default /tmp/ccwatch-load) only.
set -euo pipefail
which=${1:-both}
secs=${2:-60}
dir=${LOAD_DIR:-/tmp/ccwatch-load}
cd "$(dirname "$0")/.."
if [ -z "${CCWATCH_BIN:-}" ]; then
  cargo build --release --locked --quiet --bin ccwatch --example gen_corpus
fi
bin=${CCWATCH_BIN:-$PWD/target/release/ccwatch}
gen=${GEN_CORPUS:-$PWD/target/release/examples/gen_corpus}
mkdir -p "$dir"
export CCWATCH_CACHE_DIR=$dir/cache
socket=ccwatch-load-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT

# The process's CPU time so far, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run CASE CORPUS_ARGS LINES_PER_SECOND SESSIONS_TO_APPEND_TO
run() {
  local name=$1 size=$2 sessions=$3 rate=$4 writers=$5
  local corpus=$dir/corpus-$name
  if [ ! -d "$corpus" ]; then
    "$gen" "$corpus" --size "$size" --sessions "$sessions" > /dev/null
  fi
  # The main transcripts (not subagents) that get the appends, copied
  # aside so each run starts from the same files.
  local work=$dir/work-$name
  rm -rf "$work" "$CCWATCH_CACHE_DIR"
  cp -r "$corpus" "$work"
  find "$work/projects" -mindepth 2 -maxdepth 2 -name '*.jsonl' ! -name 'agent-*' \
    | sort | head -n "$writers" > "$dir/targets-$name"
  local bytes files
  bytes=$(du -sb "$work/projects" | cut -f1)
  files=$(find "$work/projects" -name '*.jsonl' ! -name journal.jsonl | wc -l)   # transcripts
  tmux -L "$socket" -f /dev/null new-session -d -s dash -x 120 -y 40 \
    "echo \$\$ > $dir/dash.pid; exec $bin --no-bell --dir $work"
  "$bin" events --json --dir "$work" > /dev/null &
  local events=$!
  sleep 1
  local dash
  dash=$(cat "$dir/dash.pid")
  # Let both read the history (the first read builds the index).
  local settle=0
  while [ "$settle" -lt 120 ]; do
    local a b
    a=$(ticks "$dash"); sleep 2; b=$(ticks "$dash")
    [ $((b - a)) -le 2 ] && break
    settle=$((settle + 2))
  done
  python3 scripts/load_writer.py "$dir/targets-$name" "$rate" "$secs" &
  local writer=$!
  sleep 3
  local d0 e0 d1 e1 hz
  hz=$(getconf CLK_TCK)
  d0=$(ticks "$dash"); e0=$(ticks "$events")
  sleep "$secs"
  d1=$(ticks "$dash"); e1=$(ticks "$events")
  wait "$writer" || true
  printf '%s: %s bytes in %s files, %s lines/s over %s sessions, %ss\n' \
    "$name" "$bytes" "$files" "$rate" "$writers" "$secs"
  python3 -c "import sys; hz,s=$hz,$secs; print(f'  dashboard {($d1-$d0)/hz/s*100:.2f}% of a core   events {($e1-$e0)/hz/s*100:.2f}%')"
  # What the dashboard showed at the end, to check it was following.
  tmux -L "$socket" capture-pane -p -t dash > "$dir/screen-$name.txt" || true
  kill "$events" 2>/dev/null || true
  wait "$events" 2>/dev/null || true
  tmux -L "$socket" kill-server 2>/dev/null || true
}

case $which in
  history) run history 600M 300 20 5 ;;
  sessions) run sessions 200M 2000 50 2000 ;;
  both)
    run history 600M 300 20 5
    run sessions 200M 2000 50 2000
    ;;
  *) echo "usage: scripts/load.sh [history|sessions|both] [SECONDS]" >&2; exit 2 ;;
esac
