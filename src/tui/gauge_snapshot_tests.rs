//! Screens of what issue 13 added, drawn into `TestBackend`: a 1M session
//! whose window came from the status line, with its learned auto-compact
//! marker, and the plan's limits in the status line (only with a hint).

use super::app::App;
use super::app::tests::{NOW, config};
use super::draw::draw;
use super::sessions::tests::view;
use crate::gauge::WindowSource;
use crate::gauge::auto_compact::AutoCompactSource;
use crate::hints::rate::{PlanLimits, PlanWindow};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const MIN: i64 = 60_000;

/// A 1M-window session at 150k, auto-compact learned at 800k.
fn one_m_session() -> App {
    let mut app = App::new(config(), NOW);
    let mut v = view(
        "6d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
        "/home/dev/src/webapp",
        15.0,
        NOW - MIN,
    );
    if let Some(c) = v.snap.context.as_mut() {
        c.tokens = 150_000;
        c.window = 1_000_000;
        c.percent = 15.0;
        c.window_source = WindowSource::Statusline;
        c.auto_compact_at = 800_000;
        c.auto_compact_source = AutoCompactSource::Learned;
    }
    v.series = vec![(NOW - 11 * MIN, 140_000), (NOW - MIN, 150_000)];
    app.upsert(v);
    app
}

fn screen(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    t.draw(|f| draw(f, app)).expect("drawing");
    t
}

fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_auto_compact_marker_sits_at_its_point_on_the_large_gauge() {
    let app = one_m_session();
    let t = screen(&app, 80, 24);
    insta::assert_snapshot!("one_m_session_80x24", t.backend());
    // The bar is the panel's width less " 15.0%": the marker at 80% of it.
    let gauge = rows(&t)
        .into_iter()
        .find(|r| r.starts_with('█') && r.contains("15.0%"))
        .expect("the gauge row");
    let bar: Vec<char> = gauge.chars().take_while(|c| *c != ' ').collect();
    let at = bar.iter().position(|c| *c == '┃').expect("a marker");
    assert_eq!(at, (bar.len() as f64 * 0.8).round() as usize);
    let text = rows(&t).join("\n");
    assert!(text.contains("150k / 1M tokens · compacts ~800k"), "{text}");
    assert!(
        !text.contains("guessed"),
        "a status-line window is no guess"
    );
    // 650k to go at the 909 tokens a minute of the last ten minutes.
    assert!(
        text.contains("auto-compact in 11h55m (650k left)"),
        "{text}"
    );
}

#[test]
fn plan_limits_show_only_with_a_hint() {
    let mut app = one_m_session();
    let without = rows(&screen(&app, 120, 40)).join("\n");
    assert!(!without.contains("5h "), "{without}");
    app.plan = Some(PlanLimits {
        five_hour: Some(PlanWindow {
            ratio: 0.42,
            resets_at: Some(NOW + 90 * MIN),
        }),
        seven_day: Some(PlanWindow {
            ratio: 0.12,
            resets_at: None,
        }),
        reported_at: NOW,
    });
    let t = screen(&app, 120, 40);
    insta::assert_snapshot!("plan_limits_120x40", t.backend());
    let with = rows(&t).join("\n");
    assert!(with.contains("5h ▰▰▱▱▱ 42% ↻"), "{with}");
    assert!(with.contains("7d ▰▱▱▱▱ 12%"), "{with}");
}

fn spend(period: crate::budget::BudgetPeriod, spent: f64, budget: f64) -> crate::budget::Spend {
    crate::budget::Spend {
        period,
        spent_usd: spent,
        budget_usd: budget,
        ratio: spent / budget,
        since: String::new(),
        resets: String::new(),
        starts_at: NOW - 600 * MIN,
        resets_at: NOW + 840 * MIN,
    }
}

#[test]
fn budgets_show_as_gauges_beside_the_plan_only_when_set() {
    use crate::budget::BudgetPeriod::{Daily, Weekly};
    let mut app = one_m_session();
    let without = rows(&screen(&app, 120, 40)).join("\n");
    assert!(!without.contains("day "), "{without}");
    app.spend = vec![spend(Daily, 16.0, 20.0), spend(Weekly, 58.0, 100.0)];
    let t = screen(&app, 120, 40);
    insta::assert_snapshot!("budgets_120x40", t.backend());
    let with = rows(&t).join("\n");
    assert!(with.contains("day ▰▰▰▰▱ $16.00/$20.00"), "{with}");
    assert!(with.contains("week ▰▰▰▱▱ $58.00/$100.00"), "{with}");
    // A narrow pane keeps the figures and drops the bars.
    let narrow = rows(&screen(&app, 80, 24)).join("\n");
    assert!(narrow.contains("day 80% · week 58%"), "{narrow}");
}

#[test]
fn a_budget_alert_and_a_near_auto_compact_alert_read_plainly() {
    use crate::alerts::limits::{LimitCrossing, LimitKind, Reading};
    use crate::alerts::{Crossing, CrossingKind};
    use crate::tui::app::Banner;
    let mut app = one_m_session();
    app.alert(crate::tui::app::Alert::Limit(LimitCrossing {
        level: 80,
        reading: Reading {
            kind: LimitKind::Budget(crate::budget::BudgetPeriod::Daily),
            percent: 80.0,
            resets_at: Some(NOW + 60 * MIN),
            spend: Some((16.0, 20.0)),
        },
    }));
    let t = screen(&app, 100, 24);
    insta::assert_snapshot!("budget_banner_100x24", t.backend());
    assert!(
        rows(&t)[0].starts_with(
            " ⚠ Your daily budget passed 80%: $16.00 of $20.00 · resets 12:06 · any key dismisses"
        ),
        "{}",
        rows(&t)[0]
    );
    app.alert(Banner {
        session_id: "6d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b".into(),
        project: "/home/dev/src/webapp".into(),
        crossing: Crossing {
            level: 80,
            percent: 79.0,
            tokens: 790_000,
            window: 1_000_000,
            kind: CrossingKind::AutoCompact { at: 800_000 },
        },
    });
    let top = rows(&screen(&app, 100, 24))[0].clone();
    assert!(
        top.starts_with(
            " ⚠ webapp 6d1f2a3b is 10k from auto-compact: 79.0% · 790k / 1M · compacts at 800k"
        ),
        "{top}"
    );
    app.alert(crate::tui::app::Alert::Limit(LimitCrossing {
        level: 80,
        reading: Reading {
            kind: LimitKind::RateLimit("five_hour"),
            percent: 82.0,
            resets_at: Some(NOW + 90 * MIN),
            spend: None,
        },
    }));
    let t = screen(&app, 60, 24);
    let r = rows(&t);
    assert_eq!(r[0].trim_end(), " ⚠ Your 5-hour limit passed 80%");
    assert_eq!(r[1].trim_end(), "   82% used · resets 12:36 · any key");
}
