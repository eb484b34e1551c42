//! A fake Anthropic Messages API for Claude Code, and an OTLP/HTTP sink:
//! answers `POST /v1/messages` from a script of turns, in the streaming
//! SSE shape the real API uses (or one JSON message when not streaming),
//! and records every usage it served: the truth the harness checks
//! ccwatch against. Also takes `HEAD /` (Claude Code's reachability probe)
//! and whatever OTLP Claude Code pushes to `/v1/metrics` and `/v1/logs`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The usage of one response, with cache writes split by lifetime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub input: u64,
    pub cache_5m: u64,
    pub cache_1h: u64,
    pub cache_read: u64,
    pub output: u64,
}

impl Usage {
    pub const fn new(
        input: u64,
        cache_5m: u64,
        cache_1h: u64,
        cache_read: u64,
        output: u64,
    ) -> Usage {
        Usage {
            input,
            cache_5m,
            cache_1h,
            cache_read,
            output,
        }
    }

    pub fn cache_creation(&self) -> u64 {
        self.cache_5m + self.cache_1h
    }

    /// What the context holds after this response's prompt (the status-line
    /// formula): input + cache writes + cache reads.
    pub fn context(&self) -> u64 {
        self.input + self.cache_creation() + self.cache_read
    }

    fn json(&self, output: u64) -> Value {
        json!({
            "input_tokens": self.input,
            "cache_creation_input_tokens": self.cache_creation(),
            "cache_read_input_tokens": self.cache_read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_5m,
                "ephemeral_1h_input_tokens": self.cache_1h,
            },
            "output_tokens": output,
            "service_tier": "standard",
        })
    }
}

/// One content block of a scripted answer.
#[derive(Clone, Debug)]
pub enum Block {
    Text(String),
    Tool { name: String, input: Value },
}

/// A scripted answer to one request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub blocks: Vec<Block>,
    pub usage: Usage,
}

impl Reply {
    pub fn text(text: &str, usage: Usage) -> Reply {
        Reply {
            blocks: vec![Block::Text(text.to_owned())],
            usage,
        }
    }
}

/// What a request was for, as the script judged it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The main conversation.
    Main,
    /// A subagent's conversation.
    Subagent,
    /// The compaction summary.
    Compact,
    /// The session title.
    Title,
    /// Anything the script did not expect (answered with a short text).
    Other,
    /// Refused with the API's "prompt is too long" error (nothing served).
    TooLong,
}

/// One request as the script sees it.
pub struct Request<'a> {
    pub body: &'a Value,
}

impl Request<'_> {
    pub fn model(&self) -> &str {
        self.body["model"].as_str().unwrap_or("")
    }

    pub fn stream(&self) -> bool {
        self.body["stream"].as_bool().unwrap_or(false)
    }

    /// The system prompt's text, joined.
    pub fn system(&self) -> String {
        match &self.body["system"] {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }

    fn messages(&self) -> &[Value] {
        self.body["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The text of a message's text blocks, joined.
    fn text_of(message: &Value) -> String {
        match &message["content"] {
            Value::String(s) => s.clone(),
            Value::Array(blocks) => blocks
                .iter()
                .filter(|b| b["type"] == "text")
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }

    /// The text of the last user message.
    pub fn last_user_text(&self) -> String {
        self.messages()
            .iter()
            .rev()
            .find(|m| m["role"] == "user")
            .map(Self::text_of)
            .unwrap_or_default()
    }

    /// The newest user prompt carrying a tag `E2E:<name>`: the tag, and how
    /// many assistant messages came after it (the step of that script).
    pub fn tagged_prompt(&self) -> Option<(String, usize)> {
        let messages = self.messages();
        let (at, tag) = messages.iter().enumerate().rev().find_map(|(i, m)| {
            if m["role"] != "user" {
                return None;
            }
            let text = Self::text_of(m);
            let start = text.rfind("E2E:")?;
            let tag: String = text[start + 4..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            Some((i, tag))
        })?;
        let steps = messages[at..]
            .iter()
            .filter(|m| m["role"] == "assistant")
            .count();
        Some((tag, steps))
    }
}

pub type Script = dyn Fn(&Request) -> (Kind, Reply) + Send + Sync;

/// One response served: the truth.
#[derive(Clone, Debug)]
pub struct Served {
    pub kind: Kind,
    /// The tag of the prompt it answered (`""` for none).
    pub tag: String,
    pub model: String,
    pub usage: Usage,
    pub message_id: String,
    pub request_id: String,
    pub stream: bool,
    pub session: Option<String>,
}

/// One OTLP push received.
#[derive(Clone, Debug)]
pub struct OtlpPush {
    pub path: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The rate-limit headers of a subscription sign-in.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    pub five_hour: f64,
    pub five_hour_reset: i64,
    pub seven_day: f64,
    pub seven_day_reset: i64,
}

#[derive(Default)]
pub struct Record {
    pub served: Vec<Served>,
    pub requests: Vec<Value>,
    pub otlp: Vec<OtlpPush>,
    pub other_paths: Vec<String>,
}

struct Shared {
    /// Random per fake, so ids of different runs never meet (they are
    /// deduplication keys).
    run: String,
    script: Box<Script>,
    rate_limits: Option<RateLimits>,
    record: Mutex<Record>,
}

/// The running fake. Dropping it stops the server.
pub struct FakeApi {
    pub port: u16,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeApi {
    /// Serve `script` on `listener` (already bound, non-blocking).
    pub fn start(
        listener: std::net::TcpListener,
        script: Box<Script>,
        rate_limits: Option<RateLimits>,
    ) -> Result<FakeApi, String> {
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared {
            run: (0..8).map(|_| fastrand::alphanumeric()).collect(),
            script,
            rate_limits,
            record: Mutex::new(Record::default()),
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?
        };
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeApi {
            port,
            shared,
            runtime: Some(runtime),
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What was served and received so far.
    pub fn record<T>(&self, f: impl FnOnce(&Record) -> T) -> T {
        f(&self.shared.record.lock().unwrap())
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    if method == axum::http::Method::HEAD || (method == axum::http::Method::GET && path == "/") {
        return StatusCode::OK.into_response();
    }
    if path == "/v1/metrics" || path == "/v1/logs" || path == "/v1/traces" {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        shared.record.lock().unwrap().otlp.push(OtlpPush {
            path,
            content_type: content_type.clone(),
            body: body.to_vec(),
        });
        let answer = if content_type.contains("json") {
            "{}"
        } else {
            ""
        };
        return ([(header::CONTENT_TYPE, content_type)], answer).into_response();
    }
    if path != "/v1/messages" {
        shared
            .record
            .lock()
            .unwrap()
            .other_paths
            .push(format!("{method} {uri}"));
        return (StatusCode::NOT_FOUND, "not here").into_response();
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let session = headers
        .get("x-claude-code-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let req = Request { body: &request };
    let (kind, reply) = (shared.script)(&req);
    let tag = req.tagged_prompt().map(|(t, _)| t).unwrap_or_default();
    let model = req.model().to_owned();
    let stream = req.stream();
    if kind == Kind::TooLong {
        let mut record = shared.record.lock().unwrap();
        let request_id = format!("req_e2e{}{:04}", shared.run, record.served.len());
        record.served.push(Served {
            kind,
            tag,
            model,
            usage: Usage::default(),
            message_id: String::new(),
            request_id: request_id.clone(),
            stream,
            session,
        });
        record.requests.push(request.clone());
        let error = json!({"type": "error", "error": {"type": "invalid_request_error",
            "message": "prompt is too long: 203456 tokens > 200000 maximum"}});
        return (
            StatusCode::BAD_REQUEST,
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::HeaderName::from_static("request-id"), request_id),
            ],
            error.to_string(),
        )
            .into_response();
    }
    let (served, body_text) = {
        let mut record = shared.record.lock().unwrap();
        let n = record.served.len();
        let served = Served {
            kind,
            tag,
            model: model.clone(),
            usage: reply.usage,
            message_id: format!("msg_e2e{}{n:04}", shared.run),
            request_id: format!("req_e2e{}{n:04}", shared.run),
            stream,
            session,
        };
        record.served.push(served.clone());
        record.requests.push(request.clone());
        let text = if stream {
            sse(&served, &reply)
        } else {
            message(&served, &reply).to_string()
        };
        (served, text)
    };
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            },
        )
        .header("request-id", &served.request_id);
    if let Some(rl) = shared.rate_limits {
        response = response
            .header("anthropic-ratelimit-unified-status", "allowed")
            .header("anthropic-ratelimit-unified-5h-status", "allowed")
            .header(
                "anthropic-ratelimit-unified-5h-utilization",
                rl.five_hour.to_string(),
            )
            .header(
                "anthropic-ratelimit-unified-5h-reset",
                rl.five_hour_reset.to_string(),
            )
            .header("anthropic-ratelimit-unified-7d-status", "allowed")
            .header(
                "anthropic-ratelimit-unified-7d-utilization",
                rl.seven_day.to_string(),
            )
            .header(
                "anthropic-ratelimit-unified-7d-reset",
                rl.seven_day_reset.to_string(),
            )
            .header(
                "anthropic-ratelimit-unified-representative-claim",
                "five_hour",
            )
            .header("anthropic-ratelimit-unified-fallback-percentage", "0.5")
            .header(
                "anthropic-ratelimit-unified-reset",
                rl.five_hour_reset.to_string(),
            );
    }
    response
        .body(axum::body::Body::from(body_text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn content(served: &Served, reply: &Reply) -> Vec<Value> {
    reply
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| match b {
            Block::Text(t) => json!({"type": "text", "text": t}),
            Block::Tool { name, input } => json!({
                "type": "tool_use",
                "id": tool_id(served, i),
                "name": name,
                "input": input,
            }),
        })
        .collect()
}

fn tool_id(served: &Served, i: usize) -> String {
    format!("toolu_{}_{i}", served.message_id)
}

fn stop_reason(reply: &Reply) -> &'static str {
    if reply.blocks.iter().any(|b| matches!(b, Block::Tool { .. })) {
        "tool_use"
    } else {
        "end_turn"
    }
}

/// The non-streaming answer.
fn message(served: &Served, reply: &Reply) -> Value {
    json!({
        "id": served.message_id,
        "type": "message",
        "role": "assistant",
        "model": served.model,
        "content": content(served, reply),
        "stop_reason": stop_reason(reply),
        "stop_sequence": null,
        "usage": reply.usage.json(reply.usage.output),
    })
}

/// The streaming answer, event by event as the real API sends it.
fn sse(served: &Served, reply: &Reply) -> String {
    let mut events: Vec<(&str, Value)> = vec![(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": served.message_id, "type": "message", "role": "assistant",
            "model": served.model, "content": [], "stop_reason": null,
            "stop_sequence": null, "usage": reply.usage.json(1.min(reply.usage.output)),
        }}),
    )];
    events.push(("ping", json!({"type": "ping"})));
    for (i, block) in reply.blocks.iter().enumerate() {
        match block {
            Block::Text(text) => {
                events.push((
                    "content_block_start",
                    json!({"type": "content_block_start", "index": i,
                           "content_block": {"type": "text", "text": ""}}),
                ));
                // Two deltas, as a real stream splits text.
                let cut = text
                    .char_indices()
                    .nth(text.chars().count() / 2)
                    .map_or(0, |(b, _)| b);
                for part in [&text[..cut], &text[cut..]] {
                    events.push((
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": i,
                               "delta": {"type": "text_delta", "text": part}}),
                    ));
                }
            }
            Block::Tool { name, input } => {
                events.push((
                    "content_block_start",
                    json!({"type": "content_block_start", "index": i,
                           "content_block": {"type": "tool_use", "id": tool_id(served, i),
                                             "name": name, "input": {}}}),
                ));
                let partial = input.to_string();
                let cut = partial.len() / 2;
                let cut = (0..=cut)
                    .rev()
                    .find(|c| partial.is_char_boundary(*c))
                    .unwrap_or(0);
                for part in [&partial[..cut], &partial[cut..]] {
                    events.push((
                        "content_block_delta",
                        json!({"type": "content_block_delta", "index": i,
                               "delta": {"type": "input_json_delta", "partial_json": part}}),
                    ));
                }
            }
        }
        events.push((
            "content_block_stop",
            json!({"type": "content_block_stop", "index": i}),
        ));
    }
    let mut final_usage = reply.usage.json(reply.usage.output);
    if let Some(u) = final_usage.as_object_mut() {
        u.remove("service_tier");
    }
    events.push((
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": stop_reason(reply), "stop_sequence": null},
               "usage": final_usage}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    events
        .into_iter()
        .map(|(name, data)| format!("event: {name}\ndata: {data}\n\n"))
        .collect()
}
