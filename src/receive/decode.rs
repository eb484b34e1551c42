//! Request bodies into OTLP messages: which encoding the content type
//! names, gzip undone within the size limit, then protobuf (prost) or
//! OTLP/JSON (the proto crate's serde mapping: camelCase names, int64s as
//! strings or numbers, enums as numbers).

use serde::de::DeserializeOwned;
use std::io::Read;

/// The two OTLP/HTTP encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// From the request's `Content-Type` (parameters such as `charset`
    /// ignored).
    pub fn of(content_type: Option<&str>) -> Option<Encoding> {
        let essence = content_type?.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Why a body could not be read; each maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Over the size limit, before or after gzip.
    TooLarge,
    /// A `Content-Encoding` other than gzip or identity.
    UnsupportedEncoding(String),
    /// Not valid gzip, protobuf or OTLP/JSON.
    Malformed(String),
}

/// Undo the `Content-Encoding`, never producing more than `limit` bytes.
pub fn inflate(
    body: &[u8],
    content_encoding: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, DecodeError> {
    match content_encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("identity") => {
            if body.len() > limit {
                return Err(DecodeError::TooLarge);
            }
            Ok(body.to_vec())
        }
        Some("gzip") | Some("x-gzip") => {
            let mut out = Vec::new();
            let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
            flate2::read::GzDecoder::new(body)
                .take(cap)
                .read_to_end(&mut out)
                .map_err(|e| DecodeError::Malformed(format!("the gzip body is corrupt: {e}")))?;
            if out.len() > limit {
                return Err(DecodeError::TooLarge);
            }
            Ok(out)
        }
        Some(other) => Err(DecodeError::UnsupportedEncoding(other.to_owned())),
    }
}

/// One OTLP message from its bytes.
pub fn message<T>(encoding: Encoding, bytes: &[u8]) -> Result<T, DecodeError>
where
    T: prost::Message + DeserializeOwned + Default,
{
    match encoding {
        Encoding::Protobuf => T::decode(bytes)
            .map_err(|e| DecodeError::Malformed(format!("not an OTLP protobuf message: {e}"))),
        Encoding::Json => serde_json::from_slice(bytes)
            .map_err(|e| DecodeError::Malformed(format!("not an OTLP/JSON message: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn content_types_name_the_encoding() {
        assert_eq!(
            Encoding::of(Some("application/x-protobuf")),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            Encoding::of(Some("application/json; charset=utf-8")),
            Some(Encoding::Json)
        );
        assert_eq!(Encoding::of(Some("text/plain")), None);
        assert_eq!(Encoding::of(None), None);
    }

    #[test]
    fn gzip_is_undone_within_the_limit() {
        let plain = vec![b'x'; 1000];
        assert_eq!(inflate(&gzip(&plain), Some("gzip"), 1000).unwrap(), plain);
        assert_eq!(
            inflate(&gzip(&plain), Some("gzip"), 999),
            Err(DecodeError::TooLarge)
        );
        assert_eq!(inflate(&plain, None, 999), Err(DecodeError::TooLarge));
        assert!(matches!(
            inflate(b"not gzip", Some("gzip"), 1000),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            inflate(b"x", Some("br"), 1000),
            Err(DecodeError::UnsupportedEncoding(_))
        ));
    }

    /// Every push the real Claude Code made in the end-to-end run decodes,
    /// with its camelCase names, string nanoseconds and numeric intValues.
    #[test]
    fn claude_codes_json_pushes_decode() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/claude-code-2.1.197/otlp"
        );
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 10);
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("metrics") {
                let m: ExportMetricsServiceRequest = message(Encoding::Json, &bytes).unwrap();
                let points = &m.resource_metrics[0].scope_metrics[0].metrics[0];
                assert!(points.name.starts_with("claude_code."), "{name}");
            } else {
                let l: ExportLogsServiceRequest = message(Encoding::Json, &bytes).unwrap();
                let r = &l.resource_logs[0].scope_logs[0].log_records[0];
                assert!(r.time_unix_nano > 1_700_000_000_000_000_000, "{name}");
                assert!(!r.attributes.is_empty(), "{name}");
            }
        }
    }
}
