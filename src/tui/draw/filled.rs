//! The "what filled it" panel of the zoomed session: a bar stacked by
//! category, its legend, and the top items with their estimated tokens.
//! Fits 50 columns; the items take whatever rows are left.

use super::text::{cut, right, width};
use crate::attribution::Category;
use crate::format;
use crate::tui::filled::{Filled, FilledView, TurnRow, turn_window};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Flagged calls named in the panel; the rest are counted.
const FLAGS_SHOWN: usize = 2;

/// A letter and a colour per category, so the bar reads without colour.
fn mark(c: Category) -> (char, Color) {
    match c {
        Category::Baseline => ('B', Color::DarkGray),
        Category::Prompt => ('P', Color::Cyan),
        Category::Output => ('O', Color::Blue),
        Category::ToolResult => ('T', Color::Yellow),
        Category::Attachment => ('A', Color::Magenta),
        Category::Reminder => ('R', Color::Gray),
        Category::Hook => ('H', Color::LightMagenta),
        Category::CompactSummary => ('S', Color::Green),
        Category::Unlogged => ('?', Color::White),
        Category::Drop => ('-', Color::Red),
    }
}

/// Segment widths of a bar `w` wide: each category at least one cell when
/// it has any share, the rest in proportion.
fn segments(parts: &[(Category, u64)], w: usize) -> Vec<(Category, usize)> {
    let total: u64 = parts.iter().map(|p| p.1).sum();
    if total == 0 || w == 0 {
        return Vec::new();
    }
    let weights: Vec<u64> = parts.iter().map(|p| p.1).collect();
    let cells = crate::attribution::split::proportional(w as u64, &weights);
    parts
        .iter()
        .zip(cells)
        .map(|(p, c)| (p.0, c as usize))
        .filter(|(_, c)| *c > 0)
        .collect()
}

/// The panel; `timeline` is how far the turn timeline is scrolled up from
/// the newest turn when it is shown instead of the summary.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    theme: Theme,
    filled: &Filled,
    timeline: Option<usize>,
    utc_offset_secs: i32,
) {
    let title = if timeline.is_some() {
        " Turns · Δ and its largest item, estimated (t) "
    } else {
        " What filled it · estimated from sizes "
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.title()));
    let body = block.inner(area);
    f.render_widget(block, area);
    let w = body.width as usize;
    let h = body.height as usize;
    let lines: Vec<Line> = match (filled, timeline) {
        (Filled::None, _) => Vec::new(),
        (Filled::Loading(_), _) => vec![Line::styled("Reading the transcript…", theme.dim())],
        (Filled::Failed(_, why), _) => vec![Line::styled(cut(why, w), theme.notice())],
        (Filled::Ready(v), Some(back)) => turns(v, (w, h), back, theme, utc_offset_secs),
        (Filled::Ready(v), None) => lines(v, w, theme),
    };
    let shown: Vec<Line> = lines.into_iter().take(h).collect();
    f.render_widget(Paragraph::new(shown), body);
}

/// The turns that fit `rows`, oldest at the top, compactions marked,
/// `back` rows up from the newest; when scrolled up, the last row says
/// how many newer turns are below.
fn turns(
    v: &FilledView,
    (w, rows): (usize, usize),
    back: usize,
    theme: Theme,
    offset: i32,
) -> Vec<Line<'static>> {
    let all = v.turn_rows();
    if v.turns.is_empty() {
        return vec![Line::styled("No response yet.", theme.dim())];
    }
    let window = turn_window(all.len(), rows, back);
    let mut out: Vec<Line<'static>> = all[window.start..window.end]
        .iter()
        .map(|row| turn_row(v, *row, w, theme, offset))
        .collect();
    if window.below > 0 {
        let newer = all[window.end..]
            .iter()
            .filter(|r| matches!(r, TurnRow::Turn(_)))
            .count();
        let newer = format::count(newer as u64, "newer turn", "newer turns");
        out.push(Line::styled(
            cut(&format!("↓ {newer} (End: follow)"), w),
            theme.title(),
        ));
    }
    out
}

/// One row of the timeline.
fn turn_row(v: &FilledView, row: TurnRow, w: usize, theme: Theme, offset: i32) -> Line<'static> {
    match row {
        TurnRow::LeftOut => Line::styled(
            cut(
                &format!(
                    "… {} not kept",
                    format::count(v.turns_left_out as u64, "older turn", "older turns")
                ),
                w,
            ),
            theme.dim(),
        ),
        TurnRow::Compaction(i) => {
            let from = v.turns[i]
                .compaction
                .flatten()
                .map(|p| format!(" from {}", format::tokens(p)))
                .unwrap_or_default();
            Line::styled(cut(&format!("── compacted{from} ──"), w), theme.notice())
        }
        TurnRow::Turn(i) => {
            let t = &v.turns[i];
            let at = chrono::DateTime::from_timestamp_millis(t.at + i64::from(offset) * 1000)
                .map(|d| d.format("%H:%M").to_string())
                .unwrap_or_default();
            let delta = match t.delta {
                Some(d) if d < 0 => format!("−{}", format::tokens(d.unsigned_abs())),
                Some(d) => format!("+{}", format::tokens(d as u64)),
                None => "start".to_owned(),
            };
            let head = format!("{at} {:>6} {:>6} ", format::tokens(t.occupancy), delta);
            let item = t.top.as_ref().map(|(l, _)| l.as_str()).unwrap_or_default();
            let room = w.saturating_sub(width(&head));
            let style = if t.delta.is_some_and(|d| d < 0) {
                theme.notice()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(head, style),
                Span::styled(cut(item, room), theme.dim()),
            ])
        }
    }
}

fn lines(v: &FilledView, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if v.categories.is_empty() {
        out.push(Line::styled("No response yet.", theme.dim()));
        return out;
    }
    let spans: Vec<Span> = segments(&v.categories, w)
        .into_iter()
        .map(|(c, n)| {
            let (ch, color) = mark(c);
            Span::styled(
                ch.to_string().repeat(n),
                Style::new().fg(Color::Black).bg(color),
            )
        })
        .collect();
    out.push(Line::from(spans));
    // The legend: as many categories per line as fit.
    let total: u64 = v.categories.iter().map(|c| c.1).sum::<u64>().max(1);
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for (c, t) in &v.categories {
        let (ch, color) = mark(*c);
        let text = format!("{} {:.0}%", c.label(), *t as f64 * 100.0 / total as f64);
        let need = 2 + width(&text) + 2;
        if used + need > w && !line.is_empty() {
            out.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        line.push(Span::styled(ch.to_string(), Style::new().fg(color)));
        line.push(Span::raw(format!(" {text}  ")));
        used += need;
    }
    if !line.is_empty() {
        out.push(Line::from(line));
    }
    if v.dropped > 0 {
        out.push(Line::styled(
            format!(
                "dropped without a compaction: {}",
                format::tokens(v.dropped)
            ),
            theme.dim(),
        ));
    }
    if v.compacted {
        out.push(Line::styled(
            "compacted since: this is the cycle before",
            theme.dim(),
        ));
    }
    if !v.flags.is_empty() {
        out.push(Line::styled(
            format!("⚑ {} flagged (ccwatch audit lists them)", v.flags.len()),
            theme.notice(),
        ));
        for f in v.flags.iter().take(FLAGS_SHOWN) {
            out.push(Line::styled(cut(&format!("  {f}"), w), theme.notice()));
        }
    }
    if !v.top.is_empty() {
        out.push(Line::styled("Top items", theme.title()));
    }
    for (label, count, tokens) in &v.top {
        let tail = if *count > 1 {
            format!(" ×{count} ≈ {}", format::tokens(*tokens))
        } else {
            format!(" ≈ {}", format::tokens(*tokens))
        };
        let room = w.saturating_sub(width(&tail));
        out.push(Line::from(vec![
            Span::raw(cut(label, room)),
            Span::styled(
                right(&tail, w.saturating_sub(width(&cut(label, room)))),
                theme.dim(),
            ),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::{NOW, config};
    use crate::tui::app::{App, Mode};
    use crate::tui::sessions::tests::view;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn ready() -> FilledView {
        FilledView {
            session: "323dbc2a-5849-4465-bd7a-e3c4e932cf0a".into(),
            occupancy: Some(115_540),
            categories: vec![
                (Category::ToolResult, 61_200),
                (Category::Baseline, 21_400),
                (Category::Output, 14_900),
                (Category::Attachment, 9_800),
                (Category::Prompt, 4_100),
                (Category::CompactSummary, 4_140),
            ],
            dropped: 3_000,
            top: vec![
                ("Read src/ledger/dedup.rs".into(), 3, 24_100),
                ("Bash cargo test --locked --test context".into(), 4, 11_800),
                (
                    "WebFetch https://docs.rs/ratatui/latest/ratatui/widgets/struct.Paragraph.html"
                        .into(),
                    1,
                    7_700,
                ),
                ("Task Explore the parser".into(), 1, 5_200),
                ("file src/app.rs".into(), 1, 4_000),
                ("prompt".into(), 6, 4_100),
                ("assistant text".into(), 12, 3_900),
                ("Grep TODO in src".into(), 2, 900),
            ],
            compacted: false,
            flags: vec![
                "secret file · Read .env".into(),
                "risky command · Bash rm -rf target".into(),
                "outside host · WebFetch https://docs.rs/ratatui".into(),
            ],
            turns: vec![
                turn(0, 150_000, Some(8_000), None, Some("Bash cargo build")),
                turn(
                    1,
                    30_000,
                    None,
                    Some(Some(158_000)),
                    Some("compaction summary"),
                ),
                turn(
                    2,
                    52_000,
                    Some(22_000),
                    None,
                    Some("Read src/ledger/dedup.rs"),
                ),
                turn(3, 49_000, Some(-3_000), None, None),
                turn(
                    4,
                    115_540,
                    Some(66_540),
                    None,
                    Some("Bash cargo test --locked --test context"),
                ),
            ],
            turns_left_out: 0,
        }
    }

    /// A session of 40 turns (one compaction before the 21st), 1,960
    /// older ones not kept.
    fn long() -> FilledView {
        let mut v = ready();
        v.turns_left_out = 1_960;
        v.turns = (0..40)
            .map(|i| {
                let mut t = turn(
                    0,
                    10_000 + i as u64 * 1_000,
                    Some(1_000),
                    (i == 20).then_some(Some(150_000)),
                    Some(&format!("Read src/file{i:02}.rs")),
                );
                t.at = NOW - (40 - i) * 60_000;
                t
            })
            .collect();
        v
    }

    fn turn(
        i: i64,
        occupancy: u64,
        delta: Option<i64>,
        compaction: Option<Option<u64>>,
        top: Option<&str>,
    ) -> crate::tui::filled::TurnLine {
        crate::tui::filled::TurnLine {
            at: NOW - (5 - i) * 60_000,
            occupancy,
            delta,
            compaction,
            top: top.map(|t| (t.to_owned(), delta.unwrap_or(0).max(0) as u64)),
        }
    }

    fn zoomed(filled: Filled) -> App {
        let mut app = App::new(config(), NOW);
        app.upsert(view(
            "323dbc2a-5849-4465-bd7a-e3c4e932cf0a",
            "/home/dev/src/webapp",
            57.77,
            NOW - 40_000,
        ));
        app.mode = Mode::Zoom;
        app.filled = filled;
        app
    }

    fn screen(app: &App, (w, h): (u16, u16)) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| crate::tui::draw::draw(f, app)).unwrap();
        t
    }

    #[test]
    fn the_panel_fits_fifty_columns_and_a_wide_screen() {
        let app = zoomed(Filled::Ready(ready()));
        insta::assert_snapshot!("filled_50x30", screen(&app, (50, 30)).backend());
        insta::assert_snapshot!("filled_120x40", screen(&app, (120, 40)).backend());
    }

    #[test]
    fn the_bar_is_stacked_in_proportion_and_the_biggest_item_comes_first() {
        let app = zoomed(Filled::Ready(ready()));
        let t = screen(&app, (50, 30));
        let buf = t.backend().buffer();
        let rows: Vec<String> = (0..30)
            .map(|y| (0..50).map(|x| buf[(x, y)].symbol().to_owned()).collect())
            .collect();
        let title = rows
            .iter()
            .position(|r| r.contains("What filled it"))
            .expect("the panel is drawn");
        let bar = &rows[title + 1];
        // 61.2k of 115.54k over 50 cells is 26.5: the tool results lead.
        assert!(bar.starts_with(&"T".repeat(26)), "{bar}");
        assert_eq!(bar.chars().filter(|c| *c == 'B').count(), 9, "{bar}");
        let items = rows
            .iter()
            .position(|r| r.starts_with("Top items"))
            .unwrap();
        assert!(rows[items + 1].starts_with("Read src/ledger/dedup.rs"));
        assert!(
            rows[items + 1].ends_with("×3 ≈ 24.1k"),
            "{}",
            rows[items + 1]
        );
    }

    #[test]
    fn t_turns_the_panel_into_the_timeline_with_compactions_and_drops_marked() {
        use crate::tui::action::Action;
        let mut app = zoomed(Filled::Ready(ready()));
        assert!(app.apply(Action::Timeline));
        assert!(app.timeline);
        insta::assert_snapshot!("timeline_50x30", screen(&app, (50, 30)).backend());
        let mut listed = zoomed(Filled::Ready(ready()));
        listed.mode = Mode::List;
        assert!(
            !listed.apply(Action::Timeline),
            "t does nothing outside the zoom"
        );
    }

    /// Issue 16: scrolled up, the timeline shows older turns and says how
    /// many newer ones are below; the panel's height decides how many rows.
    #[test]
    fn a_scrolled_up_timeline_shows_older_turns_and_counts_the_newer_ones() {
        use crate::tui::action::Action;
        // 15 rows up in the stacked panel (13 rows); as far as it goes
        // (6 rows) beside the detail, where 37 of the 42 rows fit.
        let cases = [
            ("timeline_scrolled_50x30", (50, 30), 15, "file24", "file25"),
            ("timeline_scrolled_120x40", (120, 40), 6, "file33", "file34"),
        ];
        for (name, size, below, last, hidden) in cases {
            let mut app = zoomed(Filled::Ready(long()));
            app.apply(Action::Timeline);
            app.panel_rows = crate::tui::draw::timeline_rows(Rect::new(0, 0, size.0, size.1), &app);
            for _ in 0..15 {
                app.apply(Action::ScrollUp);
            }
            assert_eq!(app.timeline_back, below, "{name}");
            let t = screen(&app, size);
            insta::assert_snapshot!(name, t.backend());
            let text = format!("{:?}", t.backend().buffer());
            assert!(text.contains(&format!("↓ {below} newer turns")), "{text}");
            assert!(text.contains("compacted from 150k"), "{text}");
            assert!(text.contains(last), "{text}");
            assert!(!text.contains(hidden), "{text}");
        }
    }

    #[test]
    fn loading_and_failure_are_said_in_words() {
        let text = |f: Filled| {
            let t = screen(&zoomed(f), (50, 30));
            let buf = t.backend().buffer();
            (0..30)
                .map(|y| {
                    (0..50)
                        .map(|x| buf[(x, y)].symbol().to_owned())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(text(Filled::Loading("x".into())).contains("Reading the transcript…"));
        assert!(
            text(Filled::Failed(
                "x".into(),
                "/p/x.jsonl is not readable".into()
            ))
            .contains("/p/x.jsonl is not readable")
        );
    }
}
