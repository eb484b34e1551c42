//! The window's sources in their order, and what passes one over.

use super::*;
use crate::hints::hint::HINT_FORMAT;

const NOW: Millis = 1_800_000_000_000;

fn facts<'a>(model: &'a str, max_prompt: u64, cwd: &'a str) -> SessionFacts<'a> {
    SessionFacts {
        session_id: "s1",
        cwd,
        model,
        max_prompt,
        newest_at: NOW,
    }
}

fn hint(session: &str, model: &str, window: u64, time: Millis) -> Hint {
    Hint {
        format: HINT_FORMAT,
        session_id: session.into(),
        time,
        model_id: Some(model.into()),
        model_name: None,
        window: Some(window),
        used_percentage: None,
        current_tokens: None,
        cost_usd: None,
        exceeds_200k: None,
        version: None,
        five_hour: None,
        seven_day: None,
    }
}

fn with_hints(hints: Vec<Hint>) -> WindowPolicy {
    WindowPolicy {
        sources: GaugeSources {
            hints: Arc::new(HintBook {
                hints: hints
                    .into_iter()
                    .map(|h| (h.session_id.clone(), h))
                    .collect(),
            }),
            ..GaugeSources::default()
        },
        ..WindowPolicy::default()
    }
}

#[test]
fn the_sessions_own_hint_gives_the_true_window() {
    let p = with_hints(vec![hint("s1", "claude-opus-4-6[1m]", 1_000_000, NOW)]);
    assert_eq!(
        p.resolve(&facts("claude-opus-4-6", 150_000, "")),
        (1_000_000, WindowSource::Statusline)
    );
}

#[test]
fn another_sessions_hint_changes_nothing() {
    let p = with_hints(vec![hint("s2", "claude-opus-4-6[1m]", 1_000_000, NOW)]);
    assert_eq!(
        p.resolve(&facts("claude-opus-4-6", 150_000, "")),
        (200_000, WindowSource::Default)
    );
}

#[test]
fn a_hint_far_behind_the_transcript_or_for_another_model_is_passed_over() {
    let stale = with_hints(vec![hint(
        "s1",
        "claude-opus-4-6[1m]",
        1_000_000,
        NOW - HINT_LAG_MS - 1,
    )]);
    assert_eq!(
        stale.resolve(&facts("claude-opus-4-6", 150_000, "")).1,
        WindowSource::Default
    );
    // Switched to Sonnet since the hint was written.
    let other = with_hints(vec![hint("s1", "claude-opus-4-6[1m]", 1_000_000, NOW)]);
    assert_eq!(
        other.resolve(&facts("claude-sonnet-4-5-20250929", 150_000, "")),
        (200_000, WindowSource::Default)
    );
}

#[test]
fn a_source_the_transcript_contradicts_is_passed_over() {
    let p = with_hints(vec![hint("s1", "claude-sonnet-4-5", 200_000, NOW)]);
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5", 250_000, "")),
        (1_000_000, WindowSource::Observed)
    );
}

#[test]
fn an_override_wins_over_everything() {
    let mut p = with_hints(vec![hint("s1", "claude-opus-4-6[1m]", 1_000_000, NOW)]);
    p.overrides = vec![("opus".into(), 500_000)];
    assert_eq!(
        p.resolve(&facts("claude-opus-4-6", 10, "")),
        (500_000, WindowSource::Override)
    );
}

#[test]
fn the_model_table_knows_models_without_a_200k_window() {
    let p = WindowPolicy::default();
    assert_eq!(
        p.resolve(&facts("claude-opus-4-8", 10, "")),
        (1_000_000, WindowSource::Model)
    );
    assert_eq!(
        p.resolve(&facts("claude-opus-4-6", 10, "")),
        (200_000, WindowSource::Default)
    );
}

#[test]
fn settings_say_1m_for_the_model_they_name_and_200k_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let projects = tmp.path().join("claude/projects");
    std::fs::create_dir_all(&projects).unwrap();
    std::fs::write(
        tmp.path().join("claude/settings.json"),
        r#"{"model":"opus[1m]"}"#,
    )
    .unwrap();
    let p = WindowPolicy {
        sources: GaugeSources::for_roots(&[ProjectsDir(projects)], HintBook::default()),
        ..WindowPolicy::default()
    };
    assert_eq!(
        p.resolve(&facts("claude-opus-4-6", 10, "/nowhere")),
        (1_000_000, WindowSource::Settings)
    );
    // The settings name Opus; a Sonnet session is not theirs.
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5", 10, "/nowhere")),
        (200_000, WindowSource::Default)
    );
    // A project that says plain `sonnet`: 200k, from the settings.
    let proj = tmp.path().join("proj");
    std::fs::create_dir_all(proj.join(".claude")).unwrap();
    std::fs::write(proj.join(".claude/settings.json"), r#"{"model":"sonnet"}"#).unwrap();
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5", 10, proj.to_str().unwrap())),
        (200_000, WindowSource::Settings)
    );
}

// ---- gauge names (issue 11 audit) ----

#[test]
fn a_dotted_or_prefixed_name_finds_the_model_table() {
    let p = WindowPolicy::default();
    for model in [
        "claude-opus-4.7",
        "anthropic/claude-opus-4-7",
        "claude-opus-4-7",
    ] {
        assert_eq!(
            p.resolve(&facts(model, 150_000, "")),
            (1_000_000, WindowSource::Model),
            "{model}"
        );
    }
}

#[test]
fn a_hint_names_the_session_however_the_transcript_spells_the_model() {
    let p = with_hints(vec![hint("s1", "claude-opus-4-6[1m]", 1_000_000, NOW)]);
    for model in [
        "claude-opus-4.6",
        "anthropic/claude-opus-4-6",
        "claude-opus-4-6",
    ] {
        assert_eq!(
            p.resolve(&facts(model, 150_000, "")),
            (1_000_000, WindowSource::Statusline),
            "{model}"
        );
    }
    // Still not another model's.
    assert_eq!(
        p.resolve(&facts("claude-opus-4.5", 150_000, "")).1,
        WindowSource::Default
    );
}

#[test]
fn a_settings_model_names_the_session_however_the_transcript_spells_it() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    std::fs::create_dir_all(proj.join(".claude")).unwrap();
    std::fs::write(
        proj.join(".claude/settings.json"),
        r#"{"model":"claude-sonnet-4-5[1m]"}"#,
    )
    .unwrap();
    let p = WindowPolicy {
        sources: GaugeSources::for_roots(&[], HintBook::default()),
        ..WindowPolicy::default()
    };
    let cwd = proj.to_str().unwrap();
    for model in ["claude-sonnet-4.5", "claude-sonnet-4-5-20250929"] {
        assert_eq!(
            p.resolve(&facts(model, 150_000, cwd)),
            (1_000_000, WindowSource::Settings),
            "{model}"
        );
    }
}

#[test]
fn a_tag_in_the_logged_name_says_1m_in_any_case() {
    let p = WindowPolicy::default();
    assert_eq!(
        p.resolve(&facts("anthropic/claude-opus-4.6[1M]", 10, "")),
        (1_000_000, WindowSource::Model)
    );
}

#[test]
fn an_override_is_the_window_even_under_a_larger_prompt() {
    let mut p = WindowPolicy {
        overrides: vec![("sonnet".into(), 100_000)],
        ..WindowPolicy::default()
    };
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5", 150_010, "")),
        (100_000, WindowSource::Override)
    );
    // And it is found however the name is spelt.
    p.overrides = vec![("sonnet-4-5".into(), 100_000)];
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4.5", 10, "")),
        (100_000, WindowSource::Override)
    );
}

#[test]
fn the_observed_window_is_1m_exactly() {
    let p = WindowPolicy::default();
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5", 1_200_010, "")),
        (1_000_000, WindowSource::Observed)
    );
    // Whatever source speaks under a larger prompt, the window stays 1M.
    let h = with_hints(vec![hint("s1", "claude-sonnet-4-5[1m]", 1_000_000, NOW)]);
    assert_eq!(
        h.resolve(&facts("claude-sonnet-4-5", 1_200_010, "")).0,
        1_000_000
    );
    assert_eq!(
        p.resolve(&facts("claude-sonnet-4-5[1m]", 1_200_010, "")).0,
        1_000_000
    );
}
