//! Whether the bytes after a file's last newline are already a line (spec
//! §2, v2): one or more complete JSON objects back to back, possibly
//! followed by `\r` or spaces. Claude Code leaves some files that way for
//! good, so their last record would otherwise never be read.
//!
//! A line being written is seen many times before its newline arrives, and
//! may be megabytes long, so the check must not re-read it from the start
//! each time: `ObjectScan` follows the bytes as they arrive (only nesting,
//! strings and escapes, which is all that decides where an object ends) and
//! the full JSON check runs only when the scan says the objects just closed.

use serde::de::IgnoredAny;

/// The UTF-8 byte order mark a file's first line may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a growing line stands, structurally, after the bytes fed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectScan {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Something other than an object (or whitespace, or a BOM) appeared
    /// between objects: not a line we may read before its newline.
    broken: bool,
    /// At least one object has been opened.
    seen: bool,
}

impl ObjectScan {
    /// Follow `bytes`, which continue those fed before.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.broken {
            return;
        }
        for &b in bytes {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' if self.depth > 0 => self.in_string = true,
                b'{' => {
                    self.depth += 1;
                    self.seen = true;
                }
                b'[' if self.depth > 0 => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                _ if self.depth > 0 => {}
                // Between objects only whitespace (and a BOM) may appear.
                b' ' | b'\t' | b'\r' | 0xEF | 0xBB | 0xBF => {}
                _ => {
                    self.broken = true;
                    return;
                }
            }
        }
    }

    /// Every object opened so far has closed: the bytes may be a line.
    pub fn closed(&self) -> bool {
        self.seen && !self.broken && self.depth == 0 && !self.in_string
    }
}

/// Are these bytes (a line without its newline) one or more complete JSON
/// values back to back, nothing else but whitespace? Cheap unless they end
/// in `}`, which a line cut short rarely does.
pub fn is_complete(line: &[u8]) -> bool {
    let line = line.strip_prefix(BOM).unwrap_or(line);
    let trimmed = line.trim_ascii_end();
    if !trimmed.ends_with(b"}") || !trimmed.trim_ascii_start().starts_with(b"{") {
        return false;
    }
    let mut values = serde_json::Deserializer::from_slice(trimmed).into_iter::<IgnoredAny>();
    let mut any = false;
    for value in values.by_ref() {
        if value.is_err() {
            return false;
        }
        any = true;
    }
    any
}

/// The same question for a line followed as it grows: the structural scan
/// must agree before the JSON check is paid for.
pub fn scanned_complete(scan: &ObjectScan, line: &[u8]) -> bool {
    scan.closed() && is_complete(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(pieces: &[&str]) -> bool {
        let mut scan = ObjectScan::default();
        let mut all = Vec::new();
        for p in pieces {
            scan.feed(p.as_bytes());
            all.extend_from_slice(p.as_bytes());
        }
        scanned_complete(&scan, &all)
    }

    #[test]
    fn whole_objects_are_complete_fragments_are_not() {
        assert!(is_complete(br#"{"a":1}"#));
        assert!(is_complete(b"{\"a\":1}{\"b\":[2]}\r"));
        assert!(is_complete(b"\xEF\xBB\xBF{\"a\":1}  "));
        assert!(!is_complete(br#"{"a":"x}"#));
        assert!(!is_complete(br#"{"a":1"#));
        assert!(!is_complete(br#"{"a":1}{"b""#));
        assert!(!is_complete(b""));
        assert!(!is_complete(b"\r"));
        assert!(!is_complete(br#"{"a":tru}"#));
    }

    #[test]
    fn the_scan_follows_strings_escapes_and_nesting_across_pieces() {
        assert!(scanned(&[r#"{"a":"}\"{"#, r#"","b":[{"c":1}]}"#]));
        assert!(!scanned(&[r#"{"a":"}"#]));
        assert!(!scanned(&[r#"{"a":{"b":1}"#]));
        assert!(scanned(&[r#"{"a":1}"#, "\r"]));
        assert!(!scanned(&["x", r#"{"a":1}"#]));
        assert!(!scanned(&[r#"{"a":1}x"#]));
    }
}
