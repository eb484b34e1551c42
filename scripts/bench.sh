#!/usr/bin/env bash
# Whole-process timings for BENCHMARKS.md: cold scan, warm restart with the
# index, peak memory, append-to-event latency, idle CPU, and the live process
# with 5,000 sessions. Optional: the reference reporter on the same corpus.
#
#   scripts/bench.sh [SIZE]        SIZE of the generated corpus, default 1G
#
# Needs: cargo, python3, GNU time (/usr/bin/time). Writes under $BENCH_DIR
# (default /tmp/ccwatch-bench) and removes nothing else.
set -euo pipefail
size=${1:-1G}
dir=${BENCH_DIR:-/tmp/ccwatch-bench}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin ccwatch --example gen_corpus
bin=$PWD/target/release/ccwatch
mkdir -p "$dir"
corpus=$dir/corpus-$size
if [ ! -d "$corpus" ]; then
  ./target/release/examples/gen_corpus "$corpus" --size "$size" --sessions 300 > "$dir/expected-$size.json"
fi
export CCWATCH_CACHE_DIR=$dir/cache
bytes=$(du -sb "$corpus/projects" | cut -f1)
files=$(find "$corpus/projects" -name '*.jsonl' ! -name journal.jsonl | wc -l)   # transcripts
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; corpus $size: $bytes bytes in $files files"

# Warm the page cache, then time full scans without the index.
cat $(find "$corpus/projects" -name '*.jsonl') > /dev/null
best() { sort -n | head -1; }
t=$(for i in 1 2 3 4 5; do /usr/bin/time -f "%e %M" "$bin" status --json --no-cache --dir "$corpus" 2>&1 >/dev/null | tail -1; done | best)
echo "cold scan (page-cached, no index): ${t% *} s, peak RSS ${t#* } KB, $(python3 -c "print(round($bytes/${t% *}/1e9,2))") GB/s"
rm -rf "$CCWATCH_CACHE_DIR"
"$bin" status --json --dir "$corpus" > /dev/null   # builds the index
t=$(for i in 1 2 3 4 5; do /usr/bin/time -f "%e %M" "$bin" status --json --dir "$corpus" 2>&1 >/dev/null | tail -1; done | best)
echo "warm restart with the index: ${t% *} s, peak RSS ${t#* } KB"

# Append -> event latency and idle CPU, on a small live directory.
python3 - "$bin" "$dir/live" <<'PY'
import json, os, subprocess, sys, time, shutil
bin, root = sys.argv[1], sys.argv[2]
shutil.rmtree(root, ignore_errors=True)
f = os.path.join(root, "projects", "-bench", "s1.jsonl")
os.makedirs(os.path.dirname(f))
def line(i):
    return json.dumps({"type":"assistant","sessionId":"s1","cwd":"/bench","timestamp":"2026-11-20T10:00:00.000Z",
        "message":{"id":f"m{i}","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"cache_read_input_tokens":1000+i,"output_tokens":1}},
        "requestId":f"r{i}"}, separators=(",",":")) + "\n"
open(f, "w").write(line(0))
p = subprocess.Popen([bin, "events", "--json", "--no-cache", "--dir", root], stdout=subprocess.PIPE, text=True)
for l in p.stdout:
    if json.loads(l)["event"] == "ready": break
lat = []
with open(f, "a") as out:
    for i in range(1, 1001):
        t0 = time.perf_counter(); out.write(line(i)); out.flush()
        for l in p.stdout:
            e = json.loads(l)
            if e["event"] == "context" and e["session"]["context"]["tokens"] == 1001 + i:
                lat.append((time.perf_counter() - t0) * 1000); break
        time.sleep(0.005)
lat.sort()
print(f"append -> event over {len(lat)} appends: p50 {lat[len(lat)//2]:.2f} ms, p99 {lat[int(len(lat)*0.99)-1]:.2f} ms, max {lat[-1]:.2f} ms")
def ticks(pid):
    v = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(v[11]) + int(v[12])
idle = int(os.environ.get("IDLE_SECONDS", "60"))
c0 = ticks(p.pid); time.sleep(idle); c1 = ticks(p.pid)
hz = os.sysconf("SC_CLK_TCK")
print(f"idle CPU over {idle} s (events mode): {(c1-c0)/hz/idle*100:.3f}% ({c1-c0} ticks)")
p.terminate(); p.wait()
PY

# The live process with 5,000 sessions.
many=$dir/many
if [ ! -d "$many" ]; then
  ./target/release/examples/gen_corpus "$many" --size 200M --sessions 5000 --no-big > /dev/null
fi
python3 - "$bin" "$many" <<'PY'
import json, subprocess, sys, time
bin, root = sys.argv[1], sys.argv[2]
p = subprocess.Popen([bin, "events", "--json", "--no-cache", "--dir", root], stdout=subprocess.PIPE, text=True)
n = 0
for l in p.stdout:
    e = json.loads(l)
    if e["event"] == "appeared": n += 1
    if e["event"] == "ready": break
time.sleep(1)
rss = [l for l in open(f"/proc/{p.pid}/status") if l.startswith(("VmRSS", "VmHWM"))]
print(f"live process with {n} sessions:", " ".join(x.split()[0] + " " + x.split()[1] + " kB" for x in rss))
p.terminate(); p.wait()
PY

# The reference reporter, when installed as PEERS.md describes.
peer=${PEER_BIN:-/tmp/peer/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage}
if [ -x "$peer" ]; then
  t=$(for i in 1 2 3; do CLAUDE_CONFIG_DIR=$corpus /usr/bin/time -f "%e %M" "$peer" claude daily --json --offline --timezone UTC 2>&1 >/dev/null | tail -1; done | best)
  echo "reference reporter, daily on the same corpus: ${t% *} s, peak RSS ${t#* } KB, $(python3 -c "print(round($bytes/${t% *}/1e9,2))") GB/s"
  t=$(for i in 1 2 3; do /usr/bin/time -f "%e %M" "$bin" daily --json --no-cache --timezone UTC --dir "$corpus" 2>&1 >/dev/null | tail -1; done | best)
  echo "ccwatch daily on the same corpus (no index): ${t% *} s, peak RSS ${t#* } KB"
fi
