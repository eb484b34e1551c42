#!/usr/bin/env python3
"""Append assistant replies to transcripts at a steady rate, for load.sh.

    load_writer.py TARGETS_FILE LINES_PER_SECOND SECONDS

TARGETS_FILE lists one transcript per line; replies go to them in turn,
each with a new message id, the current time, and a context that grows, so
every line moves a gauge, a rate and a cost in the dashboard.
"""
import datetime
import json
import os
import sys
import time


def reply(session, n, prompt):
    now = datetime.datetime.now(datetime.timezone.utc)
    return json.dumps({
        "parentUuid": None, "isSidechain": False, "userType": "external",
        "cwd": "/home/dev/src/load", "sessionId": session, "version": "2.0.14",
        "type": "assistant", "uuid": f"load-{session}-{n}",
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "requestId": f"req_load_{session}_{n}",
        "message": {
            "model": "claude-sonnet-4-5-20250929", "id": f"msg_load_{session}_{n}",
            "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": 3, "cache_creation_input_tokens": 500,
                      "cache_read_input_tokens": prompt, "output_tokens": 120},
        },
    }, separators=(",", ":")) + "\n"


def main():
    targets = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    rate, seconds = float(sys.argv[2]), float(sys.argv[3]) + 5
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        path = targets[n % len(targets)]
        session = os.path.basename(path)[:-len(".jsonl")]
        with open(path, "a") as f:
            f.write(reply(session, n, 20_000 + (n // len(targets)) * 700 % 150_000))
        n += 1
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


if __name__ == "__main__":
    main()
