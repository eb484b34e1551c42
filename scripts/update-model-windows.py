#!/usr/bin/env python3
"""Regenerate data/model-windows.json: the models Claude Code runs with a
1M-token context window natively, with no 200k form (ccwatch embeds it).

Claude Code ships a table of its models; an entry whose `context` says
`native_1m: true` runs at 1M on the Anthropic API without the `[1m]` tag,
and a few ids are named as native 1M in its code besides. A model whose
window is 200k with an optional 1M beta (`supports_1m_beta` alone) is NOT
listed: it runs at 200k unless started as `<model>[1m]`. LiteLLM's
`max_input_tokens` cannot tell the two apart (it says 1M for both), which
is why this reads Claude Code itself.

Usage:
  scripts/update-model-windows.py PATH   Claude Code's `claude` binary or cli.js
                                         (from npm @anthropic-ai/claude-code or
                                         its platform package)
Options:
  --version V   the Claude Code version it came from (written to the file)
  --out PATH    default: data/model-windows.json next to this script
"""

import argparse
import json
import pathlib
import re
import sys

ENTRY = re.compile(rb'\{id:"(claude-[a-z0-9.-]+)",family:"[a-z]+"')
CONTEXT = re.compile(rb"context:\{window:([0-9e.]+)(,native_1m:!0)?")
NAMED = re.compile(rb'native_1m&&t!=="(claude-[a-z0-9.-]+)"(?:&&t!=="(claude-[a-z0-9.-]+)")*')
NAMED_ID = re.compile(rb't!=="(claude-[a-z0-9.-]+)"')


def native_1m(blob):
    found = {}
    starts = [m.start() for m in ENTRY.finditer(blob)] + [len(blob)]
    for m, end in zip(ENTRY.finditer(blob), starts[1:]):
        c = CONTEXT.search(blob, m.end(), min(end, m.end() + 4000))
        if c and c.group(2):
            found[m.group(1).decode()] = int(float(c.group(1)))
    named = NAMED.search(blob)
    if named:
        for i in NAMED_ID.finditer(named.group(0)):
            found.setdefault(i.group(1).decode(), 1_000_000)
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("path", type=pathlib.Path)
    p.add_argument("--version", default="unknown")
    p.add_argument("--out", type=pathlib.Path,
                   default=pathlib.Path(__file__).resolve().parent.parent / "data" / "model-windows.json")
    a = p.parse_args()
    models = native_1m(a.path.read_bytes())
    if not models:
        sys.exit(f"no model table found in {a.path}")
    out = {
        "source": f"Claude Code {a.version}: models with context.native_1m (1M on the Anthropic API, no 200k form)",
        "models": dict(sorted(models.items())),
    }
    a.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"{len(models)} models written to {a.out}")


if __name__ == "__main__":
    main()
