//! The sizes and durations a user types, on the command line and in the
//! config file alike, read one way with one wording for what is wrong.
//! Both `cli` and `config` use these; neither reaches into the other.

/// A byte size: a number with an optional K/M/G (or KiB/MiB/GiB) suffix,
/// all binary multiples.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 64MiB or 1048576"))?;
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}` has an unknown unit (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("`{s}` is not a usable size"))
}

/// "30m", "1h", "90s" (humantime syntax).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    // humantime's own message ("expected number at 0") is about its
    // parser, not about what the user typed.
    let d = humantime::parse_duration(s.trim())
        .map_err(|_| format!("`{s}` is not a duration like 30m, 1h or 90s"))?;
    if d.is_zero() {
        return Err(format!("`{s}` must be longer than zero"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("10k"), Ok(10 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn durations_are_humantime_and_never_zero() {
        assert_eq!(
            parse_duration("90s"),
            Ok(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration(" 1h "),
            Ok(std::time::Duration::from_secs(3600))
        );
        let zero = parse_duration("0s").unwrap_err();
        assert!(zero.contains("longer than zero"), "{zero}");
        let bad = parse_duration("soon").unwrap_err();
        assert!(bad.contains("not a duration like 30m"), "{bad}");
    }
}
