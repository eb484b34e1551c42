//! The HTTP face of the receiver: `POST /v1/metrics` and `POST /v1/logs`
//! as OTLP/HTTP says, answering in the encoding asked in. A bad body is
//! that request's 400, never the server's end.

use super::decode::{self, DecodeError, Encoding};
use super::ingest::{self, Outcome};
use super::store::TelemetryStore;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::StreamExt;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Largest body accepted, before and after gzip: Claude Code's pushes are
/// a few kilobytes, a collector's batches well under this.
pub const BODY_LIMIT: usize = 8 << 20;
/// How long a sender may take to deliver its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

pub type SharedTelemetry = Arc<Mutex<TelemetryStore>>;

/// What the handlers share.
#[derive(Clone)]
pub struct ReceiverState {
    pub store: SharedTelemetry,
    /// The bearer token senders must present, if any.
    pub token: Option<Arc<str>>,
    pub limit: usize,
    /// Woken after each request that changed the store.
    pub changed: Arc<tokio::sync::Notify>,
}

pub fn router(state: ReceiverState) -> Router {
    Router::new()
        .route("/v1/metrics", post(metrics))
        .route("/v1/logs", post(logs))
        .with_state(state)
}

/// `google.rpc.Status`, the body of an OTLP/HTTP error answer.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn encode<T: prost::Message + serde::Serialize>(encoding: Encoding, msg: &T) -> Vec<u8> {
    match encoding {
        Encoding::Protobuf => msg.encode_to_vec(),
        Encoding::Json => serde_json::to_vec(msg).unwrap_or_default(),
    }
}

fn answer(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response()
}

/// An error answer: the status code, and a `google.rpc.Status` saying why.
fn failure(status: StatusCode, encoding: Encoding, message: String) -> Response {
    // gRPC codes: 3 invalid argument, 8 resource exhausted, 16 unauthenticated.
    let code = match status {
        StatusCode::UNAUTHORIZED => 16,
        StatusCode::PAYLOAD_TOO_LARGE => 8,
        _ => 3,
    };
    let mut r = answer(
        status,
        encoding,
        encode(encoding, &RpcStatus { code, message }),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    r
}

/// Whether the request carries the token (compared in constant time, so
/// the answer's timing says nothing about how much of a guess was right).
fn authorized(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Bearer "))
        .unwrap_or("")
        .trim();
    given.as_bytes().ct_eq(token.as_bytes()).into()
}

/// The body, unless it is over `limit`, comes too slowly or breaks off:
/// then the status and words to answer with.
async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Vec<u8>, (StatusCode, String)> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("ccwatch takes OTLP bodies of at most {limit} bytes\n"),
        )
    };
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let read = async {
        let mut stream = body.into_data_stream();
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the body: {e}\n"),
                )
            })?;
            if out.len() + chunk.len() > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    };
    match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(result) => result,
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            "the body came too slowly\n".to_owned(),
        )),
    }
}

/// What every request goes through before its kind matters: the token,
/// the content type, the body, gzip, decoding.
async fn decoded<T>(
    state: &ReceiverState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Encoding, T), Response>
where
    T: prost::Message + serde::de::DeserializeOwned + Default,
{
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let encoding = Encoding::of(content_type);
    // The token first: a sender without it learns nothing else.
    if !authorized(headers, state.token.as_deref()) {
        return Err(failure(
            StatusCode::UNAUTHORIZED,
            encoding.unwrap_or(Encoding::Json),
            "a wrong or missing bearer token".into(),
        ));
    }
    let Some(encoding) = encoding else {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "ccwatch takes application/x-protobuf or application/json\n",
        )
            .into_response());
    };
    let raw = read_body(body, headers, state.limit)
        .await
        .map_err(IntoResponse::into_response)?;
    let content_encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let result = decode::inflate(&raw, content_encoding, state.limit)
        .and_then(|bytes| decode::message::<T>(encoding, &bytes));
    match result {
        Ok(msg) => Ok((encoding, msg)),
        Err(DecodeError::TooLarge) => Err(failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            encoding,
            format!("the body is over {} bytes once unzipped", state.limit),
        )),
        Err(DecodeError::UnsupportedEncoding(e)) => Err(failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            encoding,
            format!("content encoding {e:?} is not gzip"),
        )),
        Err(DecodeError::Malformed(why)) => Err(failure(StatusCode::BAD_REQUEST, encoding, why)),
    }
}

/// Add to the store under its lock, waking the engine when it changed.
fn ingest(state: &ReceiverState, add: impl FnOnce(&mut TelemetryStore) -> Outcome) -> Outcome {
    let Ok(mut store) = state.store.lock() else {
        return Outcome {
            rejected: 0,
            message: String::new(),
        };
    };
    let before = store.generation;
    let outcome = add(&mut store);
    if store.generation != before {
        state.changed.notify_one();
    }
    outcome
}

fn now() -> crate::record::Millis {
    chrono::Utc::now().timestamp_millis()
}

async fn metrics(
    State(state): State<ReceiverState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (encoding, req) = match decoded::<ExportMetricsServiceRequest>(&state, &headers, body).await
    {
        Ok(d) => d,
        Err(r) => return r,
    };
    let outcome = ingest(&state, |s| ingest::metrics(s, &req, peer_ip(peer), now()));
    let response = ExportMetricsServiceResponse {
        partial_success: (outcome.rejected > 0).then_some(ExportMetricsPartialSuccess {
            rejected_data_points: outcome.rejected,
            error_message: outcome.message,
        }),
    };
    answer(StatusCode::OK, encoding, encode(encoding, &response))
}

async fn logs(
    State(state): State<ReceiverState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (encoding, req) = match decoded::<ExportLogsServiceRequest>(&state, &headers, body).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let outcome = ingest(&state, |s| ingest::logs(s, &req, peer_ip(peer), now()));
    let response = ExportLogsServiceResponse {
        partial_success: (outcome.rejected > 0).then_some(ExportLogsPartialSuccess {
            rejected_log_records: outcome.rejected,
            error_message: outcome.message,
        }),
    };
    answer(StatusCode::OK, encoding, encode(encoding, &response))
}

/// The sender's address as a host label: an IPv4 peer on a dual-stack
/// socket reads as IPv4.
fn peer_ip(peer: SocketAddr) -> IpAddr {
    match peer.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        ip => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, value.parse().unwrap());
        h
    }

    #[test]
    fn the_token_must_match_exactly() {
        assert!(authorized(&HeaderMap::new(), None));
        assert!(authorized(&with_auth("Bearer s3cret"), Some("s3cret")));
        assert!(!authorized(&with_auth("Bearer s3cre"), Some("s3cret")));
        assert!(!authorized(&with_auth("Bearer s3cretX"), Some("s3cret")));
        assert!(!authorized(&with_auth("s3cret"), Some("s3cret")));
        assert!(!authorized(&HeaderMap::new(), Some("s3cret")));
    }

    #[test]
    fn error_answers_are_rpc_statuses_in_the_request_encoding() {
        let r = failure(StatusCode::BAD_REQUEST, Encoding::Json, "nope".into());
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        let proto = encode(
            Encoding::Protobuf,
            &RpcStatus {
                code: 3,
                message: "nope".into(),
            },
        );
        let back = <RpcStatus as prost::Message>::decode(proto.as_slice()).unwrap();
        assert_eq!((back.code, back.message.as_str()), (3, "nope"));
    }
}
