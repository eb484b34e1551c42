use super::bytes::{encode_cwd, spacify, ts_bytes};
use super::*;
use serde_json::Value;
use std::collections::HashSet;

fn small_spec(seed: u64) -> CorpusSpec {
    CorpusSpec {
        target_bytes: 6 << 20,
        sessions: 12,
        seed,
        projects: 4,
        bad_lines: true,
        big_tool_results: true,
    }
}

/// All regular files under `dir`, sorted, as (relative path, bytes).
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn timestamps_match_chrono() {
    for ms in [
        0,
        BASE_MS,
        BASE_MS + 123_456_789_012,
        951_782_400_000, /* 2000-02-29 */
    ] {
        let want = chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        assert_eq!(String::from_utf8(ts_bytes(ms)).unwrap(), want);
    }
}

#[test]
fn spacify_keeps_strings_and_values() {
    let s = br#"{"a":"x: y, \"z\":1","b":[1,2],"c":{"d":null}}"#;
    let sp = spacify(s);
    assert_eq!(
        String::from_utf8(sp.clone()).unwrap(),
        r#"{"a": "x: y, \"z\":1", "b": [1, 2], "c": {"d": null}}"#
    );
    let a: Value = serde_json::from_slice(s).unwrap();
    let b: Value = serde_json::from_slice(&sp).unwrap();
    assert_eq!(a, b);
}

#[test]
fn encode_cwd_replaces_non_alphanumerics() {
    assert_eq!(encode_cwd("/home/dev/work/Proj 2"), "-home-dev-work-Proj-2");
    assert_eq!(
        encode_cwd("/home/dev/src/proj_1.web"),
        "-home-dev-src-proj-1-web"
    );
}

#[test]
fn same_spec_gives_identical_bytes() {
    let spec = CorpusSpec {
        target_bytes: 3 << 20,
        ..small_spec(7)
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ea = generate(a.path(), &spec).unwrap();
    let eb = generate(b.path(), &spec).unwrap();
    assert_eq!(ea, eb);
    let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs", x.0);
    }
    // A different seed gives different data.
    let c = tempfile::tempdir().unwrap();
    let ec = generate(c.path(), &CorpusSpec { seed: 8, ..spec }).unwrap();
    assert_ne!(ea.totals, ec.totals);
}

#[test]
fn size_is_within_tolerance_and_reported_exactly() {
    for (target, sessions) in [(2u64 << 20, 5usize), (6 << 20, 20), (12 << 20, 3)] {
        let d = tempfile::tempdir().unwrap();
        let spec = CorpusSpec {
            target_bytes: target,
            sessions,
            ..small_spec(3)
        };
        let e = generate(d.path(), &spec).unwrap();
        let tree = read_tree(d.path());
        let on_disk: u64 = tree.iter().map(|(_, b)| b.len() as u64).sum();
        assert_eq!(e.bytes, on_disk);
        assert_eq!(e.files, tree.len() as u64);
        assert!(tree.iter().all(|(p, _)| p.ends_with(".jsonl")));
        let ratio = e.bytes as f64 / target as f64;
        assert!(
            (0.99..1.04).contains(&ratio),
            "{target}: got {} ({ratio})",
            e.bytes
        );
        assert!(e.sessions.len() >= sessions, "{:?}", e.sessions.len());
    }
}

/// A reader written from the spec alone, to check the generator's bookkeeping.
fn recount(dir: &Path) -> Expected {
    struct W {
        t: Tokens4,
        bill: price::Bill,
        main: bool,
        ts: String,
        path: String,
        seq: u64,
        session: String,
        cwd: String,
    }
    let mut winners: HashMap<String, W> = HashMap::new();
    let mut bounds: HashMap<String, (String, String)> = HashMap::new();
    let mut seq = 0u64;
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    for (path, bytes) in read_tree(dir) {
        let agent_file = path.rsplit('/').next().unwrap().starts_with("agent-");
        for line in bytes.split(|&b| b == b'\n') {
            seq += 1;
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let session = v["sessionId"].as_str().unwrap_or("").to_string();
            let cwd = v["cwd"].as_str().unwrap_or("").to_string();
            if v["type"] == "system" && v["subtype"] == "compact_boundary" {
                let u = v["uuid"].as_str().unwrap().to_string();
                bounds.entry(u).or_insert((session, cwd));
                continue;
            }
            let u = &v["message"]["usage"];
            if v["type"] != "assistant" || !u.is_object() {
                continue;
            }
            if v["message"]["model"] == "<synthetic>" || v["isApiErrorMessage"] == true {
                continue;
            }
            let key = format!(
                "{}|{}",
                v["message"]["id"].as_str().unwrap(),
                v["requestId"].as_str().unwrap_or("")
            );
            let mut cc = n(&u["cache_creation_input_tokens"]);
            if cc == 0 && u["cache_creation"].is_object() {
                cc = n(&u["cache_creation"]["ephemeral_5m_input_tokens"])
                    + n(&u["cache_creation"]["ephemeral_1h_input_tokens"]);
            }
            let model = v["message"]["model"].as_str().unwrap_or("");
            let bill = price::Bill {
                model: [SONNET, HAIKU, OPUS, OPUS48]
                    .into_iter()
                    .find(|m| *m == model)
                    .unwrap_or(""),
                write_1h: n(&u["cache_creation"]["ephemeral_1h_input_tokens"]),
                fast: u["speed"] == "fast",
                web_searches: n(&u["server_tool_use"]["web_search_requests"]),
            };
            let w = W {
                bill,
                t: Tokens4 {
                    input: n(&u["input_tokens"]),
                    output: n(&u["output_tokens"]),
                    cache_creation: cc,
                    cache_read: n(&u["cache_read_input_tokens"]),
                },
                main: !agent_file && v["isSidechain"] != true,
                ts: v["timestamp"].as_str().unwrap().to_string(),
                path: path.clone(),
                seq,
                session,
                cwd,
            };
            let replace = match winners.get(&key) {
                None => true,
                Some(o) => {
                    (
                        w.t.sum(),
                        w.main,
                        std::cmp::Reverse(&w.ts),
                        std::cmp::Reverse(&w.path),
                    ) > (
                        o.t.sum(),
                        o.main,
                        std::cmp::Reverse(&o.ts),
                        std::cmp::Reverse(&o.path),
                    )
                }
            };
            if replace {
                winners.insert(key, w);
            }
        }
    }
    let mut e = Expected::default();
    let mut newest: HashMap<String, (String, u64, u64)> = HashMap::new();
    for w in winners.values() {
        let cost = price::picodollars(&w.t, &w.bill);
        e.totals.add(&w.t);
        e.records += 1;
        e.cost_picodollars += cost;
        *e.daily_cost_utc.entry(w.ts[..10].to_string()).or_default() += cost;
        let s = e.sessions.entry(w.session.clone()).or_default();
        s.project = w.cwd.clone();
        s.tokens.add(&w.t);
        s.records += 1;
        s.cost_picodollars += cost;
        e.daily_utc
            .entry(w.ts[..10].to_string())
            .or_default()
            .add(&w.t);
        if w.main {
            let cand = (w.ts.clone(), w.seq, w.t.prompt());
            let slot = newest.entry(w.session.clone()).or_insert(cand.clone());
            if (&cand.0, cand.1) > (&slot.0, slot.1) {
                *slot = cand;
            }
        }
    }
    for (session, cwd) in bounds.values() {
        let s = e.sessions.entry(session.clone()).or_default();
        s.project = cwd.clone();
        s.compactions += 1;
        e.compactions += 1;
    }
    for (s, (ts, _, occ)) in newest {
        let es = e.sessions.get_mut(&s).unwrap();
        es.context_occupancy = Some(occ);
        es.context_timestamp = Some(ts);
    }
    for (id, cycle) in last_cycles(dir) {
        let es = e.sessions.get_mut(&id).unwrap();
        es.top_item = largest_result(&cycle);
    }
    e
}

/// Each session's own main-chain objects after its last compaction
/// boundary, read from its main file (`<sessionId>.jsonl`).
fn last_cycles(dir: &Path) -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for (path, bytes) in read_tree(dir) {
        let name = path.rsplit('/').next().unwrap();
        if name.starts_with("agent-") {
            continue;
        }
        let id = name.trim_end_matches(".jsonl").to_string();
        let mut cycle = Vec::new();
        for line in bytes.split(|&b| b == b'\n') {
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            if v["sessionId"] != id.as_str() || v["isSidechain"] == true {
                continue;
            }
            if v["subtype"] == "compact_boundary" {
                cycle.clear();
            } else {
                cycle.push(v);
            }
        }
        out.push((id, cycle));
    }
    out
}

/// The largest tool result of `cycle`, with the tool and file it answers.
fn largest_result(cycle: &[Value]) -> Option<ExpectedItem> {
    let mut calls: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut best: Option<ExpectedItem> = None;
    for v in cycle {
        let Some(blocks) = v["message"]["content"].as_array() else {
            continue;
        };
        for b in blocks {
            if b["type"] == "tool_use" {
                let path = b["input"]["file_path"].as_str().unwrap_or("");
                calls.insert(
                    b["id"].as_str().unwrap(),
                    (b["name"].as_str().unwrap(), path),
                );
            }
            if b["type"] == "tool_result" {
                let bytes = b["content"].as_str().unwrap().len() as u64;
                let (tool, target) = calls[b["tool_use_id"].as_str().unwrap()];
                if best.as_ref().is_none_or(|x| bytes > x.bytes) {
                    best = Some(ExpectedItem {
                        tool: tool.to_string(),
                        target: target.to_string(),
                        bytes,
                    });
                }
            }
        }
    }
    best
}

/// Bytes of every text, thinking, tool input and tool result in `v`'s
/// message content, decoded.
fn content_bytes(v: &Value) -> u64 {
    let str_len = |x: &Value| x.as_str().map_or(0, str::len) as u64;
    match &v["message"]["content"] {
        Value::String(s) => s.len() as u64,
        Value::Array(blocks) => blocks
            .iter()
            .map(|b| match b["type"].as_str() {
                Some("text") => str_len(&b["text"]),
                Some("thinking") => str_len(&b["thinking"]),
                Some("tool_use") => b["input"].to_string().len() as u64,
                Some("tool_result") => str_len(&b["content"]),
                _ => b.to_string().len() as u64,
            })
            .sum(),
        _ => 0,
    }
}

#[test]
fn expected_equals_an_independent_recount() {
    for spec in [
        small_spec(1),
        CorpusSpec {
            sessions: 1,
            ..small_spec(2)
        },
    ] {
        let d = tempfile::tempdir().unwrap();
        let mut e = generate(d.path(), &spec).unwrap();
        let r = recount(d.path());
        assert!(e.records > 100);
        assert_eq!(e.sessions.len(), r.sessions.len());
        for (id, s) in &e.sessions {
            assert_eq!(Some(s), r.sessions.get(id), "session {id}");
        }
        (e.files, e.bytes) = (0, 0);
        assert_eq!(e, r);
    }
}

#[test]
fn every_feature_is_present() {
    let d = tempfile::tempdir().unwrap();
    let e = generate(d.path(), &small_spec(1)).unwrap();
    let tree = read_tree(d.path());
    let mut f = HashMap::<&str, usize>::new();
    let mut hit = |k: &'static str| *f.entry(k).or_default() += 1;
    let mut key_files: HashMap<String, HashSet<String>> = HashMap::new();
    let mut key_outputs: HashMap<String, HashSet<u64>> = HashMap::new();
    let mut models = HashSet::new();
    for (path, bytes) in &tree {
        let name = path.rsplit('/').next().unwrap();
        if name.starts_with("agent-") {
            if path.contains("/subagents/") {
                hit("nested subagent file");
            } else {
                hit("flat subagent file");
            }
        }
        for line in bytes.split(|&b| b == b'\n') {
            if line.len() >= BIG_MIN as usize {
                hit("big line");
            }
            if line.is_empty() {
                continue;
            }
            let Ok(s) = std::str::from_utf8(line) else {
                hit("invalid utf8");
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(s) else {
                hit("truncated");
                continue;
            };
            if s.contains("\"isSidechain\": ") {
                hit("spaced");
            }
            match v["type"].as_str().unwrap_or("") {
                "summary" => hit("summary"),
                "file-history-snapshot" => hit("snapshot"),
                "system" if v["subtype"] == "compact_boundary" => {
                    hit(if v["compactMetadata"]["trigger"] == "auto" {
                        "auto compaction"
                    } else {
                        "manual compaction"
                    })
                }
                "user" if s.contains("\"tool_result\"") => hit("tool_result"),
                "assistant" => {
                    if v["isApiErrorMessage"] == true && v["message"]["model"] == "<synthetic>" {
                        hit("synthetic");
                        continue;
                    }
                    if v["isSidechain"] == true && !name.starts_with("agent-") {
                        hit("sidechain in main file");
                    }
                    if s.contains("\"tool_use\"") {
                        hit("tool_use");
                    }
                    models.insert(v["message"]["model"].as_str().unwrap().to_string());
                    let u = &v["message"]["usage"];
                    if u["speed"] == "fast" {
                        hit("fast mode");
                    }
                    if u["server_tool_use"]["web_search_requests"].as_u64() > Some(0) {
                        hit("web searches");
                    }
                    let n = |k: &str| u["cache_creation"][k].as_u64();
                    let (m5, h1) = (
                        n("ephemeral_5m_input_tokens"),
                        n("ephemeral_1h_input_tokens"),
                    );
                    let stated = u["cache_creation_input_tokens"].as_u64();
                    if m5 > Some(0) && h1 > Some(0) {
                        hit("mixed cache-write split");
                    }
                    if let (Some(m5), Some(h1), Some(all)) = (m5, h1, stated)
                        && m5 + h1 < all
                    {
                        hit("split not adding up");
                    }
                    let k = format!("{}{}", v["message"]["id"], v["requestId"]);
                    key_files.entry(k.clone()).or_default().insert(path.clone());
                    key_outputs
                        .entry(k)
                        .or_default()
                        .insert(v["message"]["usage"]["output_tokens"].as_u64().unwrap());
                }
                _ => {}
            }
        }
    }
    if key_files.values().any(|f| f.len() > 1) {
        hit("resumed copy");
    }
    if key_outputs.values().any(|o| o.len() > 1) {
        hit("streamed copies");
    }
    // [final, partial, final]: a tie on the largest sum, won by the earlier copy.
    let mut seen_final: HashMap<String, (u64, usize)> = HashMap::new();
    for (_, bytes) in &tree {
        for line in bytes.split(|&b| b == b'\n') {
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            if v["type"] != "assistant" || v["requestId"].is_null() {
                continue;
            }
            let k = format!("{}{}", v["message"]["id"], v["requestId"]);
            let out = v["message"]["usage"]["output_tokens"].as_u64().unwrap();
            let e = seen_final.entry(k).or_insert((out, 0));
            if out == e.0 {
                e.1 += 1;
            }
        }
    }
    if seen_final.values().any(|&(_, n)| n >= 2) {
        hit("tie on the largest copy");
    }
    for k in [
        "nested subagent file",
        "flat subagent file",
        "big line",
        "invalid utf8",
        "truncated",
        "spaced",
        "summary",
        "snapshot",
        "manual compaction",
        "tool_result",
        "synthetic",
        "sidechain in main file",
        "tool_use",
        "resumed copy",
        "streamed copies",
        "tie on the largest copy",
        "fast mode",
        "web searches",
        "mixed cache-write split",
        "split not adding up",
    ] {
        assert!(f.get(k).copied().unwrap_or(0) > 0, "missing: {k} ({f:?})");
    }
    assert!(
        tree.iter().any(|(_, b)| b.windows(2).any(|w| w == b"\n\n")),
        "blank line"
    );
    assert!(models.len() >= 3 && models.contains(OPUS48), "{models:?}");
    assert!(e.cost_picodollars > 0);
    assert!(e.compactions >= 1);
    assert!(e.daily_utc.len() >= 3, "{:?}", e.daily_utc.keys());
    // Occupancy grows within a cycle and stays under the 200k window.
    for s in e.sessions.values() {
        let occ = s.context_occupancy.unwrap();
        assert!((5_000..200_000).contains(&occ), "{occ}");
    }
}

#[test]
fn auto_compaction_happens_in_long_sessions() {
    let d = tempfile::tempdir().unwrap();
    let spec = CorpusSpec {
        target_bytes: 4 << 20,
        sessions: 2,
        bad_lines: false,
        big_tool_results: false,
        ..small_spec(5)
    };
    let e = generate(d.path(), &spec).unwrap();
    let text: Vec<u8> = read_tree(d.path())
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    assert!(memmem::find(&text, br#""trigger":"auto""#).is_some());
    assert!(e.compactions >= 2);
    // Without bad lines everything is valid UTF-8 JSON.
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        serde_json::from_slice::<Value>(line).unwrap();
    }
}

#[test]
fn each_sessions_closing_read_outweighs_the_rest_of_its_cycle() {
    for spec in [
        small_spec(4),
        CorpusSpec {
            target_bytes: 256 << 10,
            sessions: 6,
            ..small_spec(6)
        },
    ] {
        let d = tempfile::tempdir().unwrap();
        let e = generate(d.path(), &spec).unwrap();
        let cycles = last_cycles(d.path());
        assert_eq!(cycles.len(), e.sessions.len());
        for (id, cycle) in cycles {
            let top = e.sessions[&id].top_item.clone().unwrap();
            assert_eq!(top.tool, "Read");
            let project = &e.sessions[&id].project;
            assert!(top.target.starts_with(&format!("{project}/")), "{top:?}");
            // At least the size drawn, and less than one more line.
            let drawn = CLOSING_READ.start as u64..CLOSING_READ.end as u64 + 80;
            assert!(drawn.contains(&top.bytes), "{top:?}");
            let all: u64 = cycle.iter().map(content_bytes).sum();
            let rest = all - top.bytes;
            assert!(
                top.bytes >= 3 * rest,
                "{id}: the read is {} bytes, the rest of the cycle {rest}",
                top.bytes
            );
        }
    }
}
