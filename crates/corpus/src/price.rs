//! What the generator's responses cost, worked out by the generator itself
//! from its own short price list, so that a generated corpus checks
//! ccwatch's pricing instead of repeating it.
//!
//! Prices are Anthropic's published ones (the same LiteLLM lists), held as
//! whole picodollars per token so that every cost is an exact integer.
//! Claude Code can also be routed to other providers' models: MiniMax's
//! are priced as ccwatch's built-in table (`data/prices.json`, from
//! LiteLLM) prices them, the figure most resellers agree on. Model names
//! are matched after the spec's normalising (`claude-opus-4.8` is
//! `claude-opus-4-8`), here written out as one more row.

use super::Tokens4;

/// What besides the four counts decides a response's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bill {
    pub model: &'static str,
    /// Cache writes with a 1-hour life (the rest live 5 minutes).
    pub write_1h: u64,
    pub fast: bool,
    pub web_searches: u64,
}

/// Picodollars per token (1 USD = 10^12), and per web search.
struct Price {
    model: &'static str,
    input: u64,
    output: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
    /// Fast-mode multiplier; 1 for models without fast mode.
    fast: u64,
}

const M: u64 = 1_000_000; // picodollars per token at $1 per million tokens
/// $10 per 1,000 searches.
const WEB_SEARCH: u64 = 10_000_000_000;

const PRICES: [Price; 6] = [
    Price {
        model: super::SONNET,
        input: 3 * M,
        output: 15 * M,
        write_5m: 3_750_000,
        write_1h: 6 * M,
        read: 300_000,
        fast: 1,
    },
    Price {
        model: super::HAIKU,
        input: M,
        output: 5 * M,
        write_5m: 1_250_000,
        write_1h: 2 * M,
        read: 100_000,
        fast: 1,
    },
    Price {
        model: super::OPUS,
        input: 15 * M,
        output: 75 * M,
        write_5m: 18_750_000,
        write_1h: 30 * M,
        read: 1_500_000,
        fast: 1,
    },
    Price {
        model: super::OPUS48,
        input: 5 * M,
        output: 25 * M,
        write_5m: 6_250_000,
        write_1h: 10 * M,
        read: 500_000,
        fast: 2,
    },
    Price {
        model: super::MINIMAX,
        input: 300_000,
        output: 1_200_000,
        write_5m: 375_000,
        write_1h: 600_000,
        read: 60_000,
        fast: 1,
    },
    // `minimax-m3`, below its 512k-token tier (prompts here stay under 200k).
    Price {
        model: super::MINIMAX_M3,
        input: 300_000,
        output: 1_200_000,
        write_5m: 375_000,
        write_1h: 600_000,
        read: 60_000,
        fast: 1,
    },
];

/// The cost of one response in picodollars (no prompt here reaches a
/// long-context tier).
pub(super) fn picodollars(t: &Tokens4, bill: &Bill) -> u64 {
    // Claude Code 2.1.x sometimes writes Opus 4.8 dotted; it is priced as
    // the dashed name (spec §6).
    let model = if bill.model == super::OPUS48_DOTTED {
        super::OPUS48
    } else {
        bill.model
    };
    let Some(p) = PRICES.iter().find(|p| p.model == model) else {
        return 0;
    };
    let write_1h = bill.write_1h.min(t.cache_creation);
    let tokens = t.input * p.input
        + t.output * p.output
        + (t.cache_creation - write_1h) * p.write_5m
        + write_1h * p.write_1h
        + t.cache_read * p.read;
    let speed = if bill.fast { p.fast } else { 1 };
    tokens * speed + bill.web_searches * WEB_SEARCH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let t = Tokens4 {
            input: 10,
            output: 100,
            cache_creation: 3_000,
            cache_read: 20_000,
        };
        let bill = Bill {
            model: super::super::OPUS48,
            write_1h: 2_000,
            fast: true,
            web_searches: 2,
        };
        // ($0.00005 + $0.0025 + $0.00625 + $0.02 + $0.01) × 2 + 2 × $0.01.
        assert_eq!(picodollars(&t, &bill), 97_600_000_000);
    }
}
