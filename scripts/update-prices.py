#!/usr/bin/env python3
"""Regenerate data/prices.json, the price table ccwatch embeds.

The prices come from the list the LiteLLM project publishes inside its PyPI
package (litellm/model_prices_and_context_window_backup.json), completed by
data/price-overlay.json where LiteLLM is silent. Every chat model LiteLLM
prices (and every Responses-API model, which is how it lists OpenAI's Codex
models) is kept, under its plain name (lower case, provider prefix taken
off), with only the fields ccwatch uses, as USD per token:

  input, output, cacheRead       the base prices
  cacheWrite                     a cache write that lives 5 minutes
  cacheWrite1h                   a cache write that lives 1 hour, when
                                 LiteLLM lists it (ccwatch otherwise charges
                                 2x the input price, spec 6)
  tier: {above, input, ...}      the prices for requests whose prompt
                                 exceeds `above` tokens, when LiteLLM lists
                                 such a tier (the lowest one if several)
  fast                           the multiplier of every token price in
                                 fast mode (usage.speed "fast")
  webSearch                      USD per web search request
  via                            the provider whose price was taken, when it
                                 is not the model's own vendor

A price LiteLLM does not list is left out: ccwatch charges 0 for it, except
a 5-minute cache write, charged at 1.25x the input price (spec 6), and a
1-hour one, at 2x.

Which entry a plain name gets, when several providers list it:
  1. the model's own vendor (a bare key such as `claude-opus-4-8` or
     `gpt-5`, or a key under the vendor's provider, such as
     `minimax/MiniMax-M3`, `zai/glm-4.6`, `moonshot/kimi-k2.5`);
  2. for Claude models the Anthropic API no longer lists (older ones that
     still fill people's histories), the base Bedrock entry
     `anthropic.<model>-v1:0`;
  3. otherwise the price most of the resellers that list the model agree
     on (ties: the lower input price, then the provider's name), marked
     with `via`; except a reseller's dotted name whose dashed form is the
     vendor's (github_copilot's `claude-opus-4.8`), which is left out so
     that ccwatch's lookup reaches the vendor's `claude-opus-4-8`, and a
     reseller's undated name whose dated form is the vendor's (gmi's
     `claude-sonnet-4`), left out so that the lookup adds the date. Regional entries (a region in the key: `us.`, `eu/`, ...)
     carry surcharges and are skipped while another entry exists.

Usage:
  scripts/update-prices.py                   download the newest litellm wheel with pip
  scripts/update-prices.py --wheel FILE.whl  read a downloaded wheel
  scripts/update-prices.py --json FILE --version V
                                             read the JSON file itself
Options:
  --out PATH      where to write (default: data/prices.json next to this script)
  --overlay PATH  the hand-kept additions (default: data/price-overlay.json)
"""

import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

PRICE_FILE = "litellm/model_prices_and_context_window_backup.json"
DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
KINDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cacheWrite": "cache_creation_input_token_cost",
    "cacheWrite1h": "cache_creation_input_token_cost_above_1hr",
    "cacheRead": "cache_read_input_token_cost",
}
TIER_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
BEDROCK_BASE = re.compile(r"^anthropic\.(claude-[a-z0-9.-]+?)(?:-v\d+(?::\d+)?)?$")
DATE = re.compile(r"-\d{8}$")
DOT_BETWEEN_DIGITS = re.compile(r"(?<=\d)\.(?=\d)")
# Providers that sell their own models: a key under one of these is the
# vendor's price. (Bare keys are the vendor's too: LiteLLM lists OpenAI's,
# Anthropic's and DeepSeek's models without a prefix.)
VENDORS = {
    "anthropic", "openai", "minimax", "zai", "moonshot", "deepseek", "xai",
    "gemini", "mistral", "dashscope", "cohere_chat", "ai21", "meta",
}
# What each vendor's own models are called, so that a vendor's listing of
# another vendor's model (dashscope's `glm-5.1`) does not pass for the
# maker's own.
FAMILIES = {
    "anthropic": ("claude",), "openai": ("gpt", "o1", "o3", "o4", "chatgpt", "codex"),
    "minimax": ("minimax",), "zai": ("glm",), "moonshot": ("kimi", "moonshot"),
    "deepseek": ("deepseek",), "xai": ("grok",), "gemini": ("gemini", "gemma"),
    "mistral": ("mistral", "codestral", "devstral", "magistral", "ministral", "pixtral"),
    "dashscope": ("qwen", "qwq"), "cohere_chat": ("command",), "ai21": ("jamba",),
    "meta": ("llama",),
}


def owns(key, name):
    """Whether `key` is listed by the vendor that makes the model `name`
    (a bare key is its vendor's own listing)."""
    head = key.split("/", 1)[0] if "/" in key else None
    return head is None or name.startswith(FAMILIES.get(head, ()))


REGION = re.compile(
    r"(^|[/.])(us|eu|apac|au|jp|global|us-gov|ap-[a-z]+-\d|[a-z]{2}-[a-z]+-\d|"
    r"us-gov-[a-z]+-\d)[/.]"
)
REGION_PREFIX = re.compile(r"^(us|eu|apac|au|jp|global|us-gov)\.")


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


def web_search(entry):
    """USD per search request: LiteLLM's per-query price (medium context
    size, LiteLLM's default; Anthropic's sizes all cost the same)."""
    q = entry.get("search_context_cost_per_query")
    if not isinstance(q, dict):
        return None
    v = number(q.get("search_context_size_medium"))
    if v is None:
        vals = [number(x) for x in q.values() if number(x) is not None]
        v = max(vals) if vals else None
    return v


def prices(entry):
    """The compact price record of one LiteLLM entry, or None if unpriced."""
    out = {k: number(entry.get(src)) for k, src in KINDS.items()}
    if out["input"] is None or out["output"] is None:
        return None
    out = {k: v for k, v in out.items() if v is not None}
    tiers = []
    for key in entry:
        m = TIER_KEY.match(key)
        if not m or number(entry[key]) is None:
            continue
        n = m.group(1)
        suffix = f"_above_{n}k_tokens"
        tier = {"above": int(n) * 1000}
        for k, src in KINDS.items():
            if k == "cacheWrite1h":
                # LiteLLM's name for it: ..._above_1hr_above_200k_tokens.
                v = number(entry.get(src + suffix))
                if v is not None:
                    tier[k] = v
                continue
            v = number(entry.get(src + suffix))
            # A kind without its own tier price keeps its base price.
            if v is not None:
                tier[k] = v
            elif k in out:
                tier[k] = out[k]
        tiers.append(tier)
    if tiers:
        # ccwatch applies one tier: the lowest LiteLLM lists.
        out["tier"] = min(tiers, key=lambda t: t["above"])
    fast = (entry.get("provider_specific_entry") or {}).get("fast")
    if number(fast) is not None and fast > 0:
        out["fast"] = fast
    ws = web_search(entry)
    if ws is not None:
        out["webSearch"] = ws
    return out


DATE_SUFFIX = re.compile(r"(.+)-\d{8}")


def plain_name(key):
    """The name ccwatch looks a model up by: lower case, without provider
    path, Bedrock region and `anthropic.` prefixes, `-v1:0` suffixes (as
    ccwatch's lookup normalises a logged name)."""
    name = key.lower().rsplit("/", 1)[-1]
    name = REGION_PREFIX.sub("", name)
    name = re.sub(r"^anthropic\.", "", name)
    name = re.sub(r"-v\d+:\d+$", "", name)
    if "@" in name:
        head, tail = name.rsplit("@", 1)
        name = f"{head}-{tail}" if re.fullmatch(r"\d{8}", tail) else head
    return name


def is_chat(entry):
    # OpenAI's Codex models (`gpt-5-codex`, `gpt-5.1-codex-max`, ...) are
    # served by the Responses API only and listed with mode "responses";
    # Codex CLI sessions name them, so they are kept with the chat models.
    return isinstance(entry, dict) and entry.get("mode") in ("chat", "responses")


def rank(key, entry):
    """0: the vendor's own entry; 1: Bedrock's base Claude entry; 2: a
    reseller; 3: a regional entry."""
    provider = entry.get("litellm_provider", "")
    head = key.split("/", 1)[0] if "/" in key else None
    if head is None and not provider.startswith(("bedrock", "vertex", "azure")):
        return 0
    if head in VENDORS and head == provider:
        return 0
    if head is None and BEDROCK_BASE.match(key):
        return 1
    if REGION.search(key.lower()):
        return 3
    return 2


def select(table):
    candidates = collections.defaultdict(list)
    for key, entry in table.items():
        if not is_chat(entry):
            continue
        p = prices(entry)
        if p is None:
            continue
        candidates[plain_name(key)].append((rank(key, entry), key, entry.get("litellm_provider", ""), p))
    models = {}
    for name, found in candidates.items():
        best = min(r for r, *_ in found)
        pool = [c for c in found if c[0] == best]
        if best < 2:
            # The vendor's own entry: the vendor whose models the name is
            # (dashscope also hosts GLM, zai's), then the entry listing the
            # most prices (deepseek's bare `deepseek-chat` leaves out the
            # free cache write `deepseek/deepseek-chat` gives), then a bare
            # key before a prefixed one.
            _, key, provider, p = min(
                pool,
                key=lambda c: (not owns(c[1], name), -len(c[3]), "/" in c[1], c[1]),
            )
            if best == 1:
                p = dict(p, via="bedrock")
            models[name] = p
            continue
        votes = collections.Counter(json.dumps(c[3], sort_keys=True) for c in pool)
        top = max(votes.values())
        agreed = [c for c in pool if votes[json.dumps(c[3], sort_keys=True)] == top]
        _, key, provider, p = min(agreed, key=lambda c: (c[3]["input"], c[2], c[1]))
        models[name] = dict(p, via=provider)
    # A reseller's dotted name (github_copilot's `claude-opus-4.8`) must not
    # hide the vendor's own entry that ccwatch finds for it by reading the
    # dot as a dash (`claude-opus-4-8`, with its fast-mode multiplier).
    for name in list(models):
        dashed = DOT_BETWEEN_DIGITS.sub("-", name)
        if dashed != name and "via" in models[name] and "via" not in models.get(dashed, {"via": 1}):
            del models[name]
    # Likewise a reseller's undated name (gmi's `claude-sonnet-4`, listed
    # without cache prices; replicate's `claude-3.7-sonnet`) must not hide
    # the vendor's dated entry (`claude-sonnet-4-20250514`), which ccwatch's
    # lookup finds for the undated name by adding the date.
    dated = collections.defaultdict(list)
    for name, p in models.items():
        m = DATE_SUFFIX.fullmatch(name)
        if m and p.get("via", "bedrock") == "bedrock":
            dated[m.group(1)].append(name)
    for name in list(models):
        if models[name].get("via", "bedrock") == "bedrock":
            continue
        dashed = DOT_BETWEEN_DIGITS.sub("-", name)
        if len(dated.get(name, [])) == 1 or len(dated.get(dashed, [])) == 1:
            del models[name]
    return models


def apply_overlay(models, overlay):
    """Fill the fields LiteLLM leaves out from the hand-kept overlay: each
    rule gives fields to every model whose name starts with `prefix`;
    LiteLLM's own value wins where it has one."""
    filled = 0
    for rule in overlay.get("rules", []):
        for name, p in models.items():
            if not name.startswith(rule["prefix"]):
                continue
            for field, value in rule["fields"].items():
                if field not in p:
                    p[field] = value
                    filled += 1
    return filled


def render(models, version, overlay_source):
    lines = [
        "{",
        f'  "source": "LiteLLM {PRICE_FILE} (PyPI litellm {version}); {overlay_source}",',
        f'  "litellm": {json.dumps(version)},',
        '  "unit": "USD per token (webSearch: USD per request; fast: a multiplier)",',
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
    ap.add_argument("--out", type=pathlib.Path, default=DATA / "prices.json")
    ap.add_argument("--overlay", type=pathlib.Path, default=DATA / "price-overlay.json")
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
    if not any(n.startswith("claude-") for n in models):
        sys.exit("no Claude prices found: has LiteLLM's format changed?")
    overlay = json.loads(args.overlay.read_text())
    filled = apply_overlay(models, overlay)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = render(models, version, f"overlay: {args.overlay.name}")
    args.out.write_text(text)
    count = lambda f: sum(1 for m in models.values() if f in m)
    print(
        f"wrote {len(models)} models ({count('tier')} with a tier, {count('cacheWrite1h')} with a "
        f"1-hour cache price, {count('fast')} with fast mode, {count('webSearch')} with web "
        f"search, {count('via')} from a reseller; {filled} fields from the overlay) from "
        f"litellm {version} to {args.out}: {len(text.encode())} bytes"
    )


if __name__ == "__main__":
    main()
