#!/usr/bin/env python3
"""How long a line takes to become a `state` event, for BENCHMARKS.md.

    scripts/state_latency.py CCWATCH_BIN [APPENDS] [HISTORY_DIR]

Runs `CCWATCH_BIN events --json --no-cache` on a scratch data directory
(a copy of HISTORY_DIR's projects/ when given, so the engine carries a real
history) with one session of its own, then appends APPENDS lines (default
200) that each change that session's state, in turn a prompt (-> working),
a tool call (-> working on Bash), its result (-> working, model) and an
end_turn response (-> waiting), one at a time: each append waits for its
`state` event before the next. The time is taken from just before the
write to the moment the event's line is read from the pipe. This process
holds the transcript open, as a running Claude Code is seen on Linux, so
no process check can end the session.

Prints p50, p90, p99 and max in milliseconds. Writes under a temporary
directory only.
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SESSION = "1a7e0c1e-0000-4000-8000-000000000001"


def now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def line(kind, n, **rest):
    head = {"parentUuid": None, "isSidechain": False, "userType": "external",
            "cwd": "/home/dev/src/latency", "sessionId": SESSION,
            "version": "2.1.197", "type": kind, "uuid": f"u-{n}",
            "timestamp": now()}
    head.update(rest)
    return json.dumps(head, separators=(",", ":")) + "\n"


def response(n, stop, content):
    return line("assistant", n, requestId=f"req_{n}", message={
        "model": "claude-opus-4-8", "id": f"msg_{n}", "type": "message",
        "role": "assistant", "content": content, "stop_reason": stop,
        "usage": {"input_tokens": 5, "cache_creation_input_tokens": 100,
                  "cache_read_input_tokens": 20000, "output_tokens": 40}})


def step(n):
    """The n-th line and the (state, waitingFor) it leads to."""
    match n % 4:
        case 0:
            return line("user", n, message={"role": "user", "content": "go"}), ("working", "model")
        case 1:
            return response(n, "tool_use", [{"type": "tool_use", "id": f"toolu_{n}",
                                              "name": "Bash", "input": {"command": "ls"}}]), ("working", "Bash")
        case 2:
            return line("user", n, message={"role": "user", "content": [
                {"tool_use_id": f"toolu_{n - 1}", "type": "tool_result", "content": "ok"}]}), ("working", "model")
        case _:
            return response(n, "end_turn", [{"type": "text", "text": "done"}]), ("waiting", "you")


def percentile(sorted_ms, p):
    i = min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[i]


def main():
    binary = sys.argv[1]
    appends = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    history = sys.argv[3] if len(sys.argv) > 3 else None
    work = tempfile.mkdtemp(prefix="ccwatch-latency-")
    try:
        projects = os.path.join(work, "projects")
        if history:
            shutil.copytree(os.path.join(history, "projects"), projects)
        path = os.path.join(projects, "-home-dev-src-latency", SESSION + ".jsonl")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # The session starts waiting (a finished turn), held open.
        with open(path, "a") as f:
            f.write(response(-1, "end_turn", [{"type": "text", "text": "hi"}]))
        held = open(path, "rb")
        env = dict(os.environ, CCWATCH_CACHE_DIR=os.path.join(work, "cache"),
                   HOME=os.path.join(work, "home"), XDG_CONFIG_HOME=os.path.join(work, "cfg"))
        events = subprocess.Popen([binary, "events", "--json", "--no-cache", "--dir", work],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        for raw in events.stdout:
            if json.loads(raw).get("event") == "ready":
                break
        times = []
        for n in range(appends):
            text, want = step(n)
            start = time.perf_counter()
            with open(path, "a") as f:
                f.write(text)
            for raw in events.stdout:
                v = json.loads(raw)
                if v.get("event") == "state":
                    got = (v["state"], v["session"].get("waitingFor"))
                    if got != want:
                        sys.exit(f"line {n}: state {got}, want {want}")
                    break
            else:
                sys.exit("events ended early")
            times.append((time.perf_counter() - start) * 1000)
        events.kill()
        held.close()
        times.sort()
        print(f"{appends} appends: p50 {percentile(times, 50):.2f} ms, "
              f"p90 {percentile(times, 90):.2f} ms, p99 {percentile(times, 99):.2f} ms, "
              f"max {times[-1]:.2f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
