//! The plain name of a model as logs and price lists write it: what
//! providers and Claude Code add around a name (`anthropic/`, Bedrock's
//! `us.anthropic.` and `-v1:0`, Vertex's `@20250929`, `[1m]`) taken off.
//! Both the price table (keying its entries) and the lookup (reading a
//! logged name) use it, so they agree on what a name is.

/// Bedrock's cross-region inference prefixes.
const REGIONS: [&str; 7] = ["us.", "eu.", "apac.", "au.", "jp.", "global.", "us-gov."];

/// The plain model name: lower case, without provider prefixes, Bedrock
/// version suffixes, Vertex `@` dates or a bracketed context-size tag.
pub fn normalize(model: &str) -> String {
    let mut s = model.trim().to_ascii_lowercase();
    if let Some(open) = s.rfind('[')
        && s.ends_with(']')
    {
        s.truncate(open);
    }
    if let Some((_, last)) = s.rsplit_once('/') {
        s = last.to_owned();
    }
    for region in REGIONS {
        if let Some(rest) = s.strip_prefix(region)
            && rest.starts_with("anthropic.")
        {
            s = rest.to_owned();
            break;
        }
    }
    if let Some(rest) = s.strip_prefix("anthropic.") {
        s = rest.to_owned();
    }
    if let Some((head, tail)) = s.rsplit_once('@') {
        s = if is_date(tail) {
            format!("{head}-{tail}")
        } else {
            head.to_owned()
        };
    }
    // Bedrock's `-v1:0`; never a plain `-v3`, which is part of names such
    // as `deepseek-v3`.
    if let Some((head, tail)) = s.rsplit_once("-v")
        && let Some((major, minor)) = tail.split_once(':')
        && [major, minor]
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        s = head.to_owned();
    }
    s
}

/// The name without a trailing `-YYYYMMDD`.
pub fn strip_date(name: &str) -> &str {
    match name.rsplit_once('-') {
        Some((head, tail)) if is_date(tail) => head,
        _ => name,
    }
}

fn is_date(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_wrappings_come_off() {
        assert_eq!(
            normalize("claude-sonnet-4-5-20250929"),
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(normalize("anthropic/claude-opus-4-1"), "claude-opus-4-1");
        assert_eq!(
            normalize("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(
            normalize("vertex_ai/claude-sonnet-4-5@20250929"),
            "claude-sonnet-4-5-20250929"
        );
        assert_eq!(normalize("claude-opus-4-6@default"), "claude-opus-4-6");
        assert_eq!(normalize("Claude-Sonnet-4-5[1m]"), "claude-sonnet-4-5");
        assert_eq!(normalize("deepseek-v3"), "deepseek-v3");
        assert_eq!(normalize("fireworks_ai/kimi-k2-v2"), "kimi-k2-v2");
    }
}
