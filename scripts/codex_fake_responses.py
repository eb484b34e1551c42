#!/usr/bin/env python3
"""A fake OpenAI Responses API for running the real Codex CLI offline.

Serves POST /v1/responses as a server-sent event stream (response.created,
one assistant message, response.completed with a usage), taking the usages
to serve, one per request in order (the last repeats), from $FAKE_USAGES
(a JSON list of Responses API `usage` objects), and response headers from
$FAKE_HEADERS (a JSON object; Codex reads its plan's rate limits from
`x-codex-primary-used-percent` and the like). Every request is logged, with
the usage served, one JSON object per line to LOG.

  codex_fake_responses.py PORT LOG

Listens on 127.0.0.1 only.
"""

import http.server
import json
import os
import sys


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    usages = json.loads(os.environ["FAKE_USAGES"])
    headers = json.loads(os.environ.get("FAKE_HEADERS", "{}"))
    served = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def record(self, entry):
            with open(log, "a") as f:
                f.write(json.dumps(entry) + "\n")

        def do_GET(self):
            self.record({"method": "GET", "path": self.path})
            body = json.dumps({"data": [], "models": []}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            try:
                request = json.loads(self.rfile.read(length))
            except ValueError:
                request = {}
            n = served[0]
            served[0] += 1
            usage = usages[min(n, len(usages) - 1)]
            self.record({"method": "POST", "path": self.path,
                         "model": request.get("model"), "served": usage})
            rid = f"resp_{n}"
            events = [
                {"type": "response.created", "response": {"id": rid}},
                {"type": "response.output_item.done",
                 "item": {"type": "message", "role": "assistant", "id": f"msg_{n}",
                          "content": [{"type": "output_text", "text": f"Answer {n}."}]}},
                {"type": "response.completed", "response": {"id": rid, "usage": usage}},
            ]
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            for e in events:
                self.wfile.write(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode())
                self.wfile.flush()

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
