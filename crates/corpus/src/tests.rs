use super::bytes::{encode_cwd, spacify, ts_bytes};
use super::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

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

/// Whether a file the generator wrote is a transcript: every `.jsonl`
/// except a workflow's `journal.jsonl` (spec §1, v2).
fn is_transcript(path: &str) -> bool {
    path.ends_with(".jsonl") && !(path.ends_with("/journal.jsonl") && path.contains("/workflows/"))
}

/// Whether a transcript is a subagent's (`agent-*.jsonl`, any layout).
fn is_subagent_file(path: &str) -> bool {
    path.rsplit('/').next().unwrap().starts_with("agent-")
}

/// One line of a transcript as the spec reads it (§2, v2): a BOM before
/// the file's first object is ignored, a `\r` before the `\n` too, and
/// objects written back to back are read one after the other; a broken
/// one ends the line, keeping those before it.
struct Line<'b> {
    raw: &'b [u8],
    objects: Vec<Value>,
    error: Option<serde_json::Error>,
}

/// The lines of a transcript; the bytes after its last `\n` are a line
/// too (a complete object written without its newline, spec §2, v2).
fn lines_of(bytes: &[u8]) -> Vec<Line<'_>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .map(|raw| {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let mut objects = Vec::new();
            let mut error = None;
            for v in serde_json::Deserializer::from_slice(raw).into_iter::<Value>() {
                match v {
                    Ok(v) => objects.push(v),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            Line {
                raw,
                objects,
                error,
            }
        })
        .collect()
}

/// A token count as the spec accepts it: an integer from 0 to 2^53 - 1
/// (absent: 0); anything else is `None`.
fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Null => None,
        _ if v.is_u64() => v.as_u64().filter(|&n| n < 1 << 53),
        _ => None,
    }
}

/// A count field that may be absent (0 then).
fn field(u: &Value, k: &str) -> Option<u64> {
    match u.get(k) {
        None => Some(0),
        Some(v) => count(v),
    }
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
        let (transcripts, others): (Vec<_>, Vec<_>) =
            tree.iter().partition(|(p, _)| is_transcript(p));
        let on_disk: u64 = transcripts.iter().map(|(_, b)| b.len() as u64).sum();
        assert_eq!(e.bytes, on_disk);
        assert_eq!(e.files, transcripts.len() as u64);
        // Besides transcripts, only subagents' sidecars and workflow journals.
        for (p, _) in others {
            assert!(
                p.ends_with(".meta.json") || p.ends_with("/journal.jsonl"),
                "{p}"
            );
        }
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
    }
    /// One response, in its own line or copied into a progress line.
    struct Response<'v> {
        message: &'v Value,
        request_id: Option<&'v str>,
        ts: &'v str,
        sidechain: bool,
    }
    let model_of = |m: &str| {
        [
            SONNET,
            HAIKU,
            OPUS,
            OPUS48,
            OPUS48_DOTTED,
            MINIMAX,
            MINIMAX_M3,
        ]
        .into_iter()
        .find(|k| *k == m)
        .unwrap_or("")
    };
    // The four counts, the 1-hour writes, or None if a count is not one.
    let counts = |u: &Value| -> Option<(Tokens4, u64)> {
        let split = &u["cache_creation"];
        let (m5, h1) = if split.is_object() {
            (
                field(split, "ephemeral_5m_input_tokens")?,
                field(split, "ephemeral_1h_input_tokens")?,
            )
        } else {
            (0, 0)
        };
        let mut cc = field(u, "cache_creation_input_tokens")?;
        if cc == 0 {
            cc = m5 + h1;
        }
        let t = Tokens4 {
            input: field(u, "input_tokens")?,
            output: field(u, "output_tokens")?,
            cache_creation: cc,
            cache_read: field(u, "cache_read_input_tokens")?,
        };
        Some((t, h1))
    };
    let mut winners: HashMap<String, W> = HashMap::new();
    let mut bounds: HashMap<String, String> = HashMap::new();
    // Session -> ((subagent file, path, seq), cwd) of its first cwd.
    let mut first_cwd: HashMap<String, ((bool, String, u64), String)> = HashMap::new();
    let mut in_main_file: HashSet<String> = HashSet::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut skip = |why: &str| *skipped.entry(why.to_string()).or_default() += 1;
    let mut seq = 0u64;
    for (path, bytes) in read_tree(dir) {
        if !is_transcript(&path) {
            continue;
        }
        let agent_file = is_subagent_file(&path);
        for line in lines_of(&bytes) {
            if line.raw.trim_ascii().is_empty() {
                skip("blank");
            } else if std::str::from_utf8(line.raw).is_err() {
                skip("invalidUtf8");
                continue;
            } else if line.error.is_some() {
                skip("malformed");
            }
            for v in &line.objects {
                seq += 1;
                let Some(session) = v["sessionId"].as_str() else {
                    continue;
                };
                if !agent_file {
                    in_main_file.insert(session.to_string());
                }
                if let Some(cwd) = v["cwd"].as_str() {
                    let at = (agent_file, path.clone(), seq);
                    let slot = first_cwd
                        .entry(session.to_string())
                        .or_insert((at.clone(), cwd.to_string()));
                    if at < slot.0 {
                        *slot = (at, cwd.to_string());
                    }
                }
                if v["type"] == "system" && v["subtype"] == "compact_boundary" {
                    let u = v["uuid"].as_str().unwrap().to_string();
                    bounds.entry(u).or_insert(session.to_string());
                    continue;
                }
                let copied = &v["data"]["message"];
                let r = match v["type"].as_str() {
                    Some("assistant") if v["isApiErrorMessage"] != true => Response {
                        message: &v["message"],
                        request_id: v["requestId"].as_str(),
                        ts: v["timestamp"].as_str().unwrap(),
                        sidechain: agent_file || v["isSidechain"] == true,
                    },
                    // A subagent's response copied into its parent (v2);
                    // a copy without a timestamp of its own is skipped.
                    Some("progress") if copied["type"] == "assistant" => {
                        let Some(ts) = copied["timestamp"].as_str() else {
                            continue;
                        };
                        Response {
                            message: &copied["message"],
                            request_id: copied["requestId"].as_str(),
                            ts,
                            sidechain: true,
                        }
                    }
                    _ => continue,
                };
                let u = &r.message["usage"];
                let model = r.message["model"].as_str().unwrap_or("");
                if !u.is_object() || model == "<synthetic>" {
                    continue;
                }
                let Some((t, h1)) = counts(u) else {
                    skip("invalidUsage");
                    continue;
                };
                let key = format!(
                    "{}|{}",
                    r.message["id"].as_str().unwrap(),
                    r.request_id.unwrap_or("")
                );
                let mut records = vec![(
                    key.clone(),
                    t,
                    price::Bill {
                        model: model_of(model),
                        write_1h: h1,
                        fast: u["speed"] == "fast",
                        web_searches: field(&u["server_tool_use"], "web_search_requests")
                            .unwrap_or(0),
                    },
                    !r.sidechain,
                )];
                // Advisor steps: one more sidechain record each (v2).
                let mut broken = false;
                for (i, step) in u["iterations"].as_array().into_iter().flatten().enumerate() {
                    if step["type"] != "advisor_message" {
                        continue;
                    }
                    let Some((st, sh1)) = counts(step) else {
                        broken = true;
                        break;
                    };
                    let bill = price::Bill {
                        model: model_of(step["model"].as_str().unwrap_or(model)),
                        write_1h: sh1,
                        fast: step["speed"] == "fast",
                        web_searches: 0,
                    };
                    records.push((format!("{key}|{i}"), st, bill, false));
                }
                if broken {
                    skip("invalidUsage");
                    continue;
                }
                for (key, t, bill, main) in records {
                    let w = W {
                        t,
                        bill,
                        main,
                        ts: r.ts.to_string(),
                        path: path.clone(),
                        seq,
                        session: session.to_string(),
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
        }
    }
    let mut e = Expected {
        skipped,
        ..Expected::default()
    };
    for (session, (_, cwd)) in &first_cwd {
        e.sessions.insert(
            session.clone(),
            ExpectedSession {
                project: cwd.clone(),
                subagents_only: !in_main_file.contains(session),
                ..ExpectedSession::default()
            },
        );
    }
    let mut newest: HashMap<String, (String, u64, u64)> = HashMap::new();
    for w in winners.values() {
        let cost = price::picodollars(&w.t, &w.bill);
        e.totals.add(&w.t);
        e.records += 1;
        e.cost_picodollars += cost;
        *e.daily_cost_utc.entry(w.ts[..10].to_string()).or_default() += cost;
        let s = e.sessions.get_mut(&w.session).unwrap();
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
    for session in bounds.values() {
        e.sessions.get_mut(session).unwrap().compactions += 1;
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
        if !is_transcript(&path) || is_subagent_file(&path) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap();
        let id = name.trim_end_matches(".jsonl").to_string();
        let mut cycle = Vec::new();
        for v in lines_of(&bytes).into_iter().flat_map(|l| l.objects) {
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
    // Keys of responses in subagent files, and of progress copies.
    let mut agent_keys = HashSet::new();
    let mut progress_keys = HashSet::new();
    let mut main_sessions = HashSet::new();
    for (path, bytes) in &tree {
        let name = path.rsplit('/').next().unwrap();
        if !is_transcript(path) {
            if name == "journal.jsonl" {
                hit("workflow journal");
            }
            continue;
        }
        let agent_file = is_subagent_file(path);
        if agent_file {
            if path.contains("/subagents/workflows/wf_") {
                hit("workflow subagent file");
            } else if name.starts_with("agent-acompact-") {
                hit("compaction agent file");
            } else if path.contains("/subagents/") {
                hit("nested subagent file");
            } else {
                hit("flat subagent file");
            }
        }
        if bytes.starts_with(b"\xef\xbb\xbf") {
            hit("bom");
        }
        if bytes.ends_with(b"}") {
            hit(if agent_file {
                "unterminated subagent file"
            } else {
                "unterminated main file"
            });
        }
        if bytes.windows(3).any(|w| w == b"}\r\n") {
            hit("crlf");
        }
        for line in lines_of(bytes) {
            if line.raw.len() >= BIG_MIN as usize {
                hit("big line");
            }
            if line.raw.is_empty() {
                continue;
            }
            if std::str::from_utf8(line.raw).is_err() {
                hit("invalid utf8");
                continue;
            }
            if line.objects.len() > 1 {
                hit("objects back to back");
            }
            if let Some(e) = &line.error {
                if e.is_eof() {
                    hit(if line.objects.is_empty() {
                        "truncated"
                    } else {
                        "whole object then a truncated one"
                    });
                }
                continue;
            }
            let s = std::str::from_utf8(line.raw).unwrap();
            if s.contains("\"isSidechain\": ") {
                hit("spaced");
            }
            for v in &line.objects {
                if let Some(id) = v["sessionId"].as_str()
                    && !agent_file
                {
                    main_sessions.insert(id.to_string());
                }
                if let Some(cwd) = v["cwd"].as_str()
                    && (cwd.contains("/.worktrees/") || cwd.contains("-worktrees/"))
                {
                    hit("worktree");
                }
                let u = &v["message"]["usage"];
                if ["output_tokens", "input_tokens"]
                    .iter()
                    .any(|k| u.get(k).is_some_and(|c| count(c).is_none()))
                {
                    hit("token count that is not a count");
                    continue;
                }
                if u["iterations"]
                    .as_array()
                    .is_some_and(|i| i.iter().any(|s| s["type"] == "advisor_message"))
                {
                    hit("advisor steps");
                }
                if v["subtype"] == "microcompact_boundary" {
                    hit("microcompaction");
                }
                if v["type"] == "progress" {
                    let m = &v["data"]["message"];
                    if m["timestamp"].is_null() {
                        hit("progress copy without a timestamp");
                    }
                    progress_keys.insert(format!("{}{}", m["message"]["id"], m["requestId"]));
                }
                if agent_file && v["type"] == "assistant" {
                    agent_keys.insert(format!("{}{}", v["message"]["id"], v["requestId"]));
                }
                if ["queue-operation", "permission-mode", "last-prompt"]
                    .contains(&v["type"].as_str().unwrap_or(""))
                {
                    hit("v2 line types");
                }
            }
            let v = &line.objects[0];
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
                    if let Some(out) = count(&v["message"]["usage"]["output_tokens"]) {
                        key_outputs.entry(k).or_default().insert(out);
                    }
                }
                _ => {}
            }
        }
    }
    if progress_keys.iter().any(|k| agent_keys.contains(k)) {
        hit("progress copy with the subagent's file");
    }
    if progress_keys.iter().any(|k| !agent_keys.contains(k)) {
        hit("progress copy without the subagent's file");
    }
    for (id, s) in &e.sessions {
        if s.subagents_only {
            assert!(!main_sessions.contains(id), "{id}");
            assert_eq!(s.context_occupancy, None);
            assert!(s.records > 0, "{id}");
            hit("session of subagent files only");
        } else if s.records == 0 {
            assert_eq!(s.context_occupancy, None);
            hit("session without usage");
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
        for v in lines_of(bytes).into_iter().flat_map(|l| l.objects) {
            if v["type"] != "assistant" || v["requestId"].is_null() {
                continue;
            }
            let k = format!("{}{}", v["message"]["id"], v["requestId"]);
            let Some(out) = count(&v["message"]["usage"]["output_tokens"]) else {
                continue;
            };
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
        // Version 2 of the spec.
        "progress copy with the subagent's file",
        "progress copy without the subagent's file",
        "advisor steps",
        "unterminated main file",
        "unterminated subagent file",
        "objects back to back",
        "whole object then a truncated one",
        "bom",
        "crlf",
        "workflow subagent file",
        "workflow journal",
        "compaction agent file",
        "session of subagent files only",
        "session without usage",
        "worktree",
        "token count that is not a count",
        "v2 line types",
        "microcompaction",
        "progress copy without a timestamp",
    ] {
        assert!(f.get(k).copied().unwrap_or(0) > 0, "missing: {k} ({f:?})");
    }
    assert!(
        tree.iter().any(|(_, b)| b.windows(2).any(|w| w == b"\n\n")),
        "blank line"
    );
    assert!(models.len() >= 3 && models.contains(OPUS48), "{models:?}");
    for m in [OPUS48_DOTTED, MINIMAX_M3] {
        assert!(models.contains(m), "{m}: {models:?}");
    }
    assert!(e.cost_picodollars > 0);
    assert!(e.compactions >= 1);
    assert!(e.daily_utc.len() >= 3, "{:?}", e.daily_utc.keys());
    // Occupancy grows within a cycle and stays under the 200k window
    // (sessions without a main-chain response have none).
    for s in e.sessions.values().filter(|s| s.top_item.is_some()) {
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
    // Without bad lines every line is valid UTF-8 JSON objects (BOMs,
    // CRLF and objects back to back read as the spec says).
    for (path, bytes) in read_tree(d.path()) {
        if !is_transcript(&path) {
            continue;
        }
        for line in lines_of(&bytes) {
            assert!(line.error.is_none(), "{path}: {:?}", line.error);
            assert!(line.raw.is_empty() || !line.objects.is_empty(), "{path}");
        }
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
        // Sessions that are only subagent files have no main file.
        let with_main = e.sessions.values().filter(|s| !s.subagents_only);
        assert_eq!(cycles.len(), with_main.count());
        for (id, cycle) in cycles {
            // A session without usage has no conversation, hence no read.
            if e.sessions[&id].records == 0 {
                assert_eq!(e.sessions[&id].top_item, None);
                continue;
            }
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

/// Session 0 shows every v2 shape once; beyond it the seeded RNG spreads
/// them, so a larger corpus holds each in several sessions.
#[test]
fn v2_shapes_are_spread_over_larger_corpora() {
    let d = tempfile::tempdir().unwrap();
    let spec = CorpusSpec {
        target_bytes: 20 << 20,
        sessions: 60,
        ..small_spec(3)
    };
    let e = generate(d.path(), &spec).unwrap();
    let mut at: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut agent_keys = HashSet::new();
    let mut progress_keys: Vec<(String, String)> = Vec::new();
    for (path, bytes) in read_tree(d.path()) {
        if !is_transcript(&path) {
            continue;
        }
        let lines = lines_of(&bytes);
        let Some(session) = lines
            .iter()
            .flat_map(|l| &l.objects)
            .find_map(|v| v["sessionId"].as_str())
            .map(str::to_string)
        else {
            continue;
        };
        let mut hit = |k: &'static str| at.entry(k).or_default().insert(session.clone());
        if bytes.starts_with(b"\xef\xbb\xbf") {
            hit("bom");
        }
        if bytes.ends_with(b"}") {
            hit("unterminated");
        }
        if bytes.windows(3).any(|w| w == b"}\r\n") {
            hit("crlf");
        }
        if path.contains("/workflows/wf_") {
            hit("workflow");
        }
        if path.contains("/agent-acompact-") {
            hit("compaction agent");
        }
        for line in &lines {
            if line.objects.len() > 1 {
                hit("objects back to back");
            }
            for v in &line.objects {
                let m = &v["message"];
                match m["model"].as_str() {
                    Some(OPUS48_DOTTED) => hit("dotted model"),
                    Some(MINIMAX | MINIMAX_M3) => hit("other provider"),
                    _ => false,
                };
                if m["usage"]["iterations"].is_array() {
                    hit("advisor steps");
                }
                if v["subtype"] == "microcompact_boundary" {
                    hit("microcompaction");
                }
                if v["type"] == "progress" {
                    let c = &v["data"]["message"];
                    let k = format!("{}{}", c["message"]["id"], c["requestId"]);
                    progress_keys.push((k, session.clone()));
                }
                if is_subagent_file(&path) && v["type"] == "assistant" {
                    agent_keys.insert(format!("{}{}", m["id"], v["requestId"]));
                }
            }
        }
    }
    for (k, session) in progress_keys {
        let shape = if agent_keys.contains(&k) {
            "progress copies"
        } else {
            "progress copies, subagent file deleted"
        };
        at.entry(shape).or_default().insert(session);
    }
    for (id, s) in &e.sessions {
        let mut hit = |k: &'static str| at.entry(k).or_default().insert(id.clone());
        if s.subagents_only {
            hit("subagent files only");
        }
        if s.records == 0 {
            hit("no usage");
        }
        if s.project.contains("worktrees/") {
            hit("worktree");
        }
    }
    let counts: BTreeMap<&str, usize> = at.iter().map(|(k, v)| (*k, v.len())).collect();
    for k in [
        "bom",
        "unterminated",
        "crlf",
        "workflow",
        "compaction agent",
        "objects back to back",
        "dotted model",
        "other provider",
        "advisor steps",
        "microcompaction",
        "progress copies",
        "progress copies, subagent file deleted",
        "subagent files only",
        "no usage",
        "worktree",
    ] {
        let n = counts.get(k).copied().unwrap_or(0);
        assert!(n >= 2, "{k}: in {n} sessions ({counts:?})");
    }
}

/// Session 0 (and the sessions written right after it) meets every rare
/// shape itself: a corpus of one session holds them all.
#[test]
fn session_0_shows_every_rare_shape() {
    for seed in [1, 2, 3] {
        let d = tempfile::tempdir().unwrap();
        let spec = CorpusSpec {
            target_bytes: 1 << 20,
            sessions: 1,
            ..small_spec(seed)
        };
        let projects = d.path().join("projects");
        fs::create_dir_all(&projects).unwrap();
        let mut g = Gen::new(projects, &spec);
        g.run().unwrap();
        assert_eq!(g.to_show, 0, "seed {seed}: not shown: {:#b}", g.to_show);
    }
}
