#!/usr/bin/env python3
"""Regenerate data/claude-prices.json, the Claude price table ccwatch embeds.

The prices come from the list the LiteLLM project publishes inside its PyPI
package (litellm/model_prices_and_context_window_backup.json). Only Claude
models are kept, as USD per token:

  input, output, cacheWrite, cacheRead     the base prices (a price LiteLLM
                                           does not list is left out)
  tier: {above, input, output, ...}        the prices for requests whose
                                           prompt exceeds `above` tokens,
                                           when LiteLLM lists such a tier

Which entries are taken:
  1. every `claude-*` entry of the `anthropic` provider (the Anthropic API,
     which is what Claude Code talks to), exactly as LiteLLM lists it;
  2. for Claude models the anthropic provider no longer lists (older ones
     that still fill people's histories), the base Bedrock entry
     `anthropic.<model>-v1:0`, under the plain model name, marked
     "via": "bedrock". Regional Bedrock entries (us., eu., ...) are skipped:
     they carry a regional surcharge.

Usage:
  scripts/update-prices.py                   download the newest litellm wheel with pip
  scripts/update-prices.py --wheel FILE.whl  read a downloaded wheel
  scripts/update-prices.py --json FILE --version V
                                             read the JSON file itself
Options:
  --out PATH   where to write (default: data/claude-prices.json next to this script)
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

PRICE_FILE = "litellm/model_prices_and_context_window_backup.json"
KINDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cacheWrite": "cache_creation_input_token_cost",
    "cacheRead": "cache_read_input_token_cost",
}
TIER_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
BEDROCK_BASE = re.compile(r"^anthropic\.(claude-[a-z0-9.-]+?)(?:-v\d+(?::\d+)?)?$")


def load_wheel(wheel):
    version = wheel.name.split("-")[1]
    with zipfile.ZipFile(wheel) as z:
        return json.loads(z.read(PRICE_FILE)), version


def download_wheel():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ccwatch-prices-"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp), "litellm"],
        check=True,
    )
    wheels = sorted(tmp.glob("litellm-*.whl"))
    if not wheels:
        sys.exit("pip did not download a litellm wheel")
    return load_wheel(wheels[-1])


def number(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 else None


def prices(entry):
    """The compact price record of one LiteLLM entry, or None if unpriced."""
    out = {k: number(entry.get(src)) for k, src in KINDS.items()}
    if out["input"] is None or out["output"] is None:
        return None
    # A price LiteLLM does not list is left out; ccwatch charges 0 for it,
    # as LiteLLM itself does.
    out = {k: v for k, v in out.items() if v is not None}
    tiers = []
    for key in entry:
        m = TIER_KEY.match(key)
        if not m:
            continue
        n = m.group(1)
        suffix = f"_above_{n}k_tokens"
        tier = {"above": int(n) * 1000}
        for k, src in KINDS.items():
            v = number(entry.get(src + suffix))
            # A kind without its own tier price keeps its base price.
            if v is not None:
                tier[k] = v
            elif k in out:
                tier[k] = out[k]
        tiers.append(tier)
    if tiers:
        # ccwatch applies one tier; LiteLLM lists at most one per model.
        out["tier"] = min(tiers, key=lambda t: t["above"])
    return out


def select(table):
    models = {}
    for name, entry in table.items():
        if (
            isinstance(entry, dict)
            and entry.get("litellm_provider") == "anthropic"
            and name.startswith("claude-")
        ):
            p = prices(entry)
            if p:
                models[name] = p
    for name, entry in table.items():
        m = BEDROCK_BASE.match(name)
        if not m or not isinstance(entry, dict):
            continue
        plain = m.group(1)
        if plain in models or not entry.get("litellm_provider", "").startswith("bedrock"):
            continue
        p = prices(entry)
        if p:
            p["via"] = "bedrock"
            models[plain] = p
    return models


def render(models, version):
    lines = [
        "{",
        f'  "source": "LiteLLM {PRICE_FILE} (PyPI litellm {version})",',
        f'  "litellm": {json.dumps(version)},',
        '  "unit": "USD per token",',
        '  "models": {',
    ]
    names = sorted(models)
    for i, name in enumerate(names):
        comma = "," if i + 1 < len(names) else ""
        body = json.dumps(models[name], separators=(",", ":"))
        lines.append(f"    {json.dumps(name)}: {body}{comma}")
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", type=pathlib.Path)
    ap.add_argument("--json", type=pathlib.Path)
    ap.add_argument("--version", help="the litellm version the --json file came from")
    ap.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path(__file__).resolve().parent.parent / "data" / "claude-prices.json",
    )
    args = ap.parse_args()
    if args.json:
        if not args.version:
            ap.error("--json needs --version")
        table, version = json.loads(args.json.read_text()), args.version
    elif args.wheel:
        table, version = load_wheel(args.wheel)
    else:
        table, version = download_wheel()
    models = select(table)
    if not models:
        sys.exit("no Claude prices found: has LiteLLM's format changed?")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(models, version))
    tiered = sum(1 for m in models.values() if "tier" in m)
    print(f"wrote {len(models)} models ({tiered} with a tier) from litellm {version} to {args.out}")


if __name__ == "__main__":
    main()
