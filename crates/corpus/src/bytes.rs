//! Byte-level building blocks of the generated JSON: project paths and
//! their directory names, the filler text pool, numbers and timestamps
//! written without allocation, and the spaced-out variant of a line.

use super::*;

pub(super) fn project_cwd(p: usize) -> String {
    match p % 3 {
        0 => format!("/home/dev/src/proj-{p}"),
        1 => format!("/home/dev/src/proj_{p}.web"),
        _ => format!("/home/dev/work/Proj {p}"),
    }
}

/// The directory name Claude Code uses for a cwd: non-alphanumerics become `-`.
pub(super) fn encode_cwd(cwd: &str) -> String {
    cwd.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// JSON-string-safe filler: words, punctuation, `\n`/`\t`/`\"` escapes and
/// some multi-byte UTF-8 (accents, dashes, CJK, an emoji).
pub(super) fn make_pool(rng: &mut fastrand::Rng) -> Vec<u8> {
    const WORDS: [&str; 40] = [
        "fn", "let", "mut", "self", "return", "impl", "struct", "the", "a", "to", "of", "and",
        "in", "is", "for", "error", "value", "result", "config", "session", "token", "file",
        "path", "line", "parse", "read", "write", "test", "assert", "match", "Some", "None", "Ok",
        "Err", "String", "Vec", "u64", "async", "await", "crate",
    ];
    const PUNCT: [&str; 24] = [
        ", ",
        ". ",
        "; ",
        "(",
        ")",
        " { ",
        " }",
        " = ",
        "::",
        " -> ",
        "_",
        "/",
        ": ",
        " // ",
        "[",
        "]",
        "\\n",
        "\\n    ",
        "\\t",
        "\\\"",
        "é",
        " — ",
        "日本語",
        "🦀",
    ];
    let mut v = Vec::with_capacity(POOL_LEN + 64);
    while v.len() < POOL_LEN {
        v.extend_from_slice(WORDS[rng.usize(0..WORDS.len())].as_bytes());
        if rng.u32(0..3) == 0 {
            v.extend_from_slice(PUNCT[rng.usize(0..PUNCT.len())].as_bytes());
        } else {
            v.push(b' ');
        }
    }
    // Plain ASCII tail so a cut can always move forward to a safe position.
    v.extend_from_slice(&[b'x'; 32]);
    v
}

/// A cut at `p` splits neither a UTF-8 character nor a two-byte escape.
pub(super) fn safe_cut(pool: &[u8], p: usize) -> bool {
    (p == 0 || pool[p - 1] != b'\\') && (p >= pool.len() || (pool[p] & 0xc0) != 0x80)
}

pub(super) fn push_num(b: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

pub(super) fn push_pad(b: &mut Vec<u8>, v: u64, width: usize) {
    let start = b.len();
    push_num(b, v);
    while b.len() - start < width {
        b.insert(start, b'0');
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub(super) fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u64, d as u64)
}

/// `2026-11-20T17:59:03.120Z`.
pub(super) fn ts_bytes(ms: i64) -> Vec<u8> {
    let (y, mo, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let r = ms.rem_euclid(DAY_MS) as u64;
    let mut b = Vec::with_capacity(24);
    push_pad(&mut b, y.max(0) as u64, 4);
    b.push(b'-');
    push_pad(&mut b, mo, 2);
    b.push(b'-');
    push_pad(&mut b, d, 2);
    b.push(b'T');
    push_pad(&mut b, r / 3_600_000, 2);
    b.push(b':');
    push_pad(&mut b, r / 60_000 % 60, 2);
    b.push(b':');
    push_pad(&mut b, r / 1_000 % 60, 2);
    b.push(b'.');
    push_pad(&mut b, r % 1_000, 3);
    b.push(b'Z');
    b
}

/// Re-serialise compact JSON the way other tools do: a space after every
/// `:` and `,` outside strings. Still valid JSON with the same values.
pub(super) fn spacify(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + line.len() / 8);
    let (mut in_str, mut esc) = (false, false);
    for &c in line {
        out.push(c);
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b':' || c == b',' {
            out.push(b' ');
        }
    }
    out
}
