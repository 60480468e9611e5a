//! The HTML report (`--report x.html`): one self-contained page.
//!
//! Everything is inline: the CSS is in the template (`templates/report.html`,
//! rendered with minijinja) and the charts are SVG drawn with plotters' SVG
//! backend. There is no JavaScript, no web font and no reference to anything
//! outside the file, so the page reads the same offline, in a mail attachment
//! or printed.
//!
//! The page shows the headline totals, charts and tables of recoverable,
//! barred and undetermined balances by rule (primary reason), event type,
//! lien position and event year, the table by outcome, the legal basis of
//! every rule that decided a loan, and the facts of the run.
//!
//! The charts are deterministic (the same report gives the same bytes) and
//! read in greyscale: recoverable is a dark solid fill, barred a mid-tone
//! fill with white diagonal hatching, undetermined a light solid fill, each
//! bar is outlined and labelled with its total. Pixel positions are computed
//! from the money amounts as `f64`; every number printed comes from the exact
//! amounts.

use super::{Group, Report};
use crate::money::{self, Money};
use crate::rules::Reason;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// The page template.
pub const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Width of every chart, in CSS pixels (charts scale down to the page).
const CHART_WIDTH: u32 = 1000;
/// Chart text size in pixels.
const FONT_PX: f64 = 13.0;
/// Estimated width of one character of chart text, in ems (no font metrics
/// are available without a font feature, so labels are laid out generously).
const CHAR_EM: f64 = 0.62;

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);
const FILL_RECOVERABLE: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
const FILL_BARRED: RGBColor = RGBColor(0xc2, 0x4e, 0x1b);
const FILL_UNDETERMINED: RGBColor = RGBColor(0xea, 0xd9, 0xa4);

/// The three balances a deficiency splits into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Recoverable,
    Barred,
    Undetermined,
}

impl Part {
    const ALL: [Part; 3] = [Part::Recoverable, Part::Barred, Part::Undetermined];
    fn name(self) -> &'static str {
        match self {
            Part::Recoverable => "recoverable",
            Part::Barred => "barred",
            Part::Undetermined => "undetermined",
        }
    }
    fn fill(self) -> RGBColor {
        match self {
            Part::Recoverable => FILL_RECOVERABLE,
            Part::Barred => FILL_BARRED,
            Part::Undetermined => FILL_UNDETERMINED,
        }
    }
    fn of(self, g: &Group) -> Money {
        match self {
            Part::Recoverable => g.recoverable,
            Part::Barred => g.barred,
            Part::Undetermined => g.undetermined,
        }
    }
}

fn f(m: Money) -> f64 {
    m.to_f64().unwrap_or(0.0)
}

fn de<E: std::fmt::Display>(e: E) -> String {
    format!("HTML report chart: {e}")
}

/// A plotters font of `px` CSS pixels (the SVG backend writes size / 1.24).
fn font(px: f64) -> TextStyle<'static> {
    ("sans-serif", px * 1.24).into_font().color(&INK)
}

fn text_width(s: &str, px: f64) -> i32 {
    (s.chars().count() as f64 * CHAR_EM * px).ceil() as i32
}

/// Groups digits by thousands: `1234567` -> `1,234,567`.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Money as `1,234,567.89` (truncated to the cent, like every report).
pub fn money_grouped(m: Money) -> String {
    let plain = money::fmt(m);
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain.as_str()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    format!("{sign}{}.{frac}", group_digits(int))
}

/// A count as `1,234`.
pub fn count_grouped(n: u64) -> String {
    group_digits(&n.to_string())
}

/// `part` as a percentage of `whole`, one decimal (`41.3%`), or an en dash.
fn percent(part: Money, whole: Money) -> String {
    match money::percent(part, whole) {
        Some(p) => format!("{p:.1}%"),
        None => "\u{2013}".into(),
    }
}

/// An axis or bar label: `0`, `950`, `12.5K`, `3.25M`, `1.2B`.
fn compact(v: f64) -> String {
    let (x, unit) = if v.abs() >= 1e9 {
        (v / 1e9, "B")
    } else if v.abs() >= 1e6 {
        (v / 1e6, "M")
    } else if v.abs() >= 1e3 {
        (v / 1e3, "K")
    } else {
        return format!("{v:.0}");
    };
    let s = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}{unit}")
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Fills the pixel rectangle `(x0, y0)-(x1, y1)` in the style of `part`.
fn draw_part(area: &Area, part: Part, x0: i32, y0: i32, x1: i32, y1: i32) -> Result<(), String> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    if x1 - x0 < 1 || y1 - y0 < 1 {
        return Ok(());
    }
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], part.fill().filled())).map_err(de)?;
    if part == Part::Barred {
        // Diagonal hatching, on a grid shared by every bar so it lines up.
        const STEP: i32 = 7;
        let hatch = ShapeStyle { color: WHITE.to_rgba(), filled: false, stroke_width: 2 };
        let mut c = (x0 + y0).div_euclid(STEP) * STEP;
        while c <= x1 + y1 {
            let xs = x0.max(c - y1);
            let xe = x1.min(c - y0);
            if xe > xs {
                area.draw(&PathElement::new(vec![(xs, c - xs), (xe, c - xe)], hatch)).map_err(de)?;
            }
            c += STEP;
        }
    }
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], INK.stroke_width(1))).map_err(de)
}

/// The legend: a swatch and a label for each part, from `(x, y)`.
fn draw_legend(area: &Area, x: i32, y: i32, labels: &[(Part, String)]) -> Result<(), String> {
    let mut x = x;
    for (part, label) in labels {
        draw_part(area, *part, x, y, x + 22, y + 14)?;
        area.draw(&Text::new(label.clone(), (x + 30, y + 7), font(FONT_PX).pos(Pos::new(HPos::Left, VPos::Center))))
            .map_err(de)?;
        x += 30 + text_width(label, FONT_PX) + 28;
    }
    Ok(())
}

/// Adds `role`, `aria-label` and a class to plotters' `<svg>` tag and drops
/// its `xmlns` (not needed inline in HTML, and the page names no address).
fn finish_svg(svg: String, label: &str) -> String {
    let label = label.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1).replacen(
        "<svg ",
        &format!("<svg class=\"chart\" role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

/// One bar of a chart.
struct Bar {
    label: String,
    parts: [f64; 3],
}

impl Bar {
    fn new(label: String, g: &Group) -> Bar {
        Bar { label, parts: Part::ALL.map(|p| f(p.of(g))) }
    }
    fn total(&self) -> f64 {
        self.parts.iter().sum()
    }
}

fn legend_labels() -> Vec<(Part, String)> {
    Part::ALL.iter().map(|p| (*p, p.name().to_string())).collect()
}

/// A horizontal stacked bar chart, one bar per category, top to bottom.
fn hbar_chart(aria: &str, bars: &[Bar]) -> Result<String, String> {
    const LEGEND_H: u32 = 34;
    const AXIS_H: u32 = 46;
    let n = bars.len().max(1);
    // Rows get tighter as they get more numerous, so long charts still fit
    // on a printed page.
    let row_h: u32 = if n <= 12 { 30 } else { 24 };
    let longest = bars.iter().map(|b| text_width(&b.label, FONT_PX)).max().unwrap_or(40);
    let label_w = (longest + 20).clamp(60, 380) as u32;
    let height = LEGEND_H + row_h * n as u32 + AXIS_H + 10;
    let max = bars.iter().map(Bar::total).fold(0.0, f64::max);
    let xmax = if max > 0.0 { max } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        draw_legend(&root, label_w as i32, 8, &legend_labels())?;
        let (_, body) = root.split_vertically(LEGEND_H);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(4)
            .margin_right(80)
            .margin_bottom(6)
            .x_label_area_size(AXIS_H)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0f64..xmax, 0f64..n as f64)
            .map_err(de)?;
        let fmt = |v: &f64| compact(*v);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .max_light_lines(0)
            .bold_line_style(GRID.stroke_width(1))
            .axis_style(MUTED.stroke_width(1))
            .x_label_formatter(&fmt)
            .label_style(font(FONT_PX).color(&MUTED))
            .axis_desc_style(font(FONT_PX).color(&MUTED))
            .x_desc("balance (US dollars)")
            .draw()
            .map_err(de)?;
        for (i, bar) in bars.iter().enumerate() {
            let top = (n - i) as f64 - 0.18;
            let bottom = (n - i) as f64 - 0.82;
            let mut x = 0.0;
            let (lx, _) = chart.backend_coord(&(0.0, 0.0));
            let (_, yc) = chart.backend_coord(&(0.0, (n - i) as f64 - 0.5));
            for (k, part) in Part::ALL.iter().enumerate() {
                let (px0, py0) = chart.backend_coord(&(x, top));
                x += bar.parts[k];
                let (px1, py1) = chart.backend_coord(&(x, bottom));
                draw_part(&root, *part, px0, py0, px1, py1)?;
            }
            let (ex, _) = chart.backend_coord(&(x, 0.0));
            root.draw(&Text::new(
                bar.label.clone(),
                (lx - 10, yc),
                font(FONT_PX).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(de)?;
            root.draw(&Text::new(compact(x), (ex + 6, yc), font(FONT_PX).pos(Pos::new(HPos::Left, VPos::Center))))
                .map_err(de)?;
        }
        root.present().map_err(de)?;
    }
    Ok(finish_svg(svg, aria))
}

/// A vertical stacked column chart, one column per category, left to right.
fn column_chart(aria: &str, bars: &[Bar]) -> Result<String, String> {
    const LEGEND_H: u32 = 34;
    const HEIGHT: u32 = 380;
    let n = bars.len().max(1);
    let max = bars.iter().map(Bar::total).fold(0.0, f64::max);
    // Head room for the totals printed above the columns.
    let ymax = if max > 0.0 { max * 1.08 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        draw_legend(&root, 90, 8, &legend_labels())?;
        let (_, body) = root.split_vertically(LEGEND_H);
        let mut chart = ChartBuilder::on(&body)
            .margin_top(6)
            .margin_right(20)
            .margin_bottom(6)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..n as f64, 0f64..ymax)
            .map_err(de)?;
        let fmt = |v: &f64| compact(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .max_light_lines(0)
            .bold_line_style(GRID.stroke_width(1))
            .axis_style(MUTED.stroke_width(1))
            .y_label_formatter(&fmt)
            .label_style(font(FONT_PX).color(&MUTED))
            .axis_desc_style(font(FONT_PX).color(&MUTED))
            .y_desc("balance (US dollars)")
            .draw()
            .map_err(de)?;
        let (left, _) = chart.backend_coord(&(0.0, 0.0));
        let (right, _) = chart.backend_coord(&(n as f64, 0.0));
        let col_w = f64::from(right - left) / n as f64;
        // Label every k-th column so that labels never touch.
        let widest = bars.iter().map(|b| text_width(&b.label, FONT_PX)).max().unwrap_or(30);
        let every = ((f64::from(widest + 8) / col_w).ceil() as usize).max(1);
        let show_totals = bars.iter().map(|b| text_width(&compact(b.total()), FONT_PX - 1.0)).max().unwrap_or(0) as f64
            <= col_w - 2.0;
        // Columns fill 70% of their slot, but never grow wider than 90 px.
        let half = (0.35f64).min(45.0 / col_w.max(1.0));
        for (i, bar) in bars.iter().enumerate() {
            let x0 = i as f64 + 0.5 - half;
            let x1 = i as f64 + 0.5 + half;
            let mut y = 0.0;
            for (k, part) in Part::ALL.iter().enumerate() {
                let (px0, py0) = chart.backend_coord(&(x0, y));
                y += bar.parts[k];
                let (px1, py1) = chart.backend_coord(&(x1, y));
                draw_part(&root, *part, px0, py1, px1, py0)?;
            }
            let (xc, base) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            let (_, top) = chart.backend_coord(&(i as f64 + 0.5, y));
            if i % every == 0 {
                root.draw(&Text::new(
                    bar.label.clone(),
                    (xc, base + 8),
                    font(FONT_PX).pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(de)?;
            }
            if show_totals {
                root.draw(&Text::new(
                    compact(y),
                    (xc, top - 5),
                    font(FONT_PX - 1.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(de)?;
            }
        }
        root.present().map_err(de)?;
    }
    Ok(finish_svg(svg, aria))
}

/// One full-width bar: how the gross deficiency splits, with percentages.
fn share_chart(t: &Group) -> Result<String, String> {
    const HEIGHT: u32 = 78;
    let whole = t.recoverable + t.barred + t.undetermined;
    let labels: Vec<(Part, String)> =
        Part::ALL.iter().map(|p| (*p, format!("{} {}", p.name(), percent(p.of(t), whole)))).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(de)?;
        draw_legend(&root, 0, 6, &labels)?;
        let total = f(whole);
        let width = f64::from(CHART_WIDTH - 2);
        let mut x: f64 = 1.0;
        for part in Part::ALL {
            let w = if total > 0.0 { f(part.of(t)) / total * width } else { 0.0 };
            draw_part(&root, part, x.round() as i32, 34, (x + w).round() as i32, 72)?;
            x += w;
        }
        if total <= 0.0 {
            root.draw(&Rectangle::new([(1, 34), (CHART_WIDTH as i32 - 1, 72)], GRID.stroke_width(1))).map_err(de)?;
        }
        root.present().map_err(de)?;
    }
    Ok(finish_svg(svg, "Share of the gross deficiency: recoverable, barred and undetermined"))
}

#[derive(Serialize)]
struct Card {
    label: String,
    value: String,
    unit: &'static str,
    note: String,
    class: &'static str,
}

#[derive(Serialize)]
struct Row {
    key: String,
    anchor: Option<String>,
    loans: String,
    gross: String,
    recoverable: String,
    barred: String,
    undetermined: String,
    recoverable_pct: String,
    agency_loans: String,
    agency_net_loss: String,
}

impl Row {
    fn of(key: String, anchor: Option<String>, g: &Group) -> Row {
        Row {
            key,
            anchor,
            loans: count_grouped(g.loans),
            gross: money_grouped(g.gross),
            recoverable: money_grouped(g.recoverable),
            barred: money_grouped(g.barred),
            undetermined: money_grouped(g.undetermined),
            recoverable_pct: percent(g.recoverable, g.recoverable + g.barred + g.undetermined),
            agency_loans: count_grouped(g.agency_loans),
            agency_net_loss: money_grouped(g.agency_net_loss),
        }
    }
}

#[derive(Serialize)]
struct Table {
    key_label: String,
    rows: Vec<Row>,
    total: Row,
    agency: bool,
}

#[derive(Serialize)]
struct Section {
    id: String,
    title: String,
    intro: &'static str,
    chart: Option<String>,
    /// Whether this grouping is charted (a chart is left out only when there
    /// are no loans).
    charted: bool,
    chart_caption: String,
    table: Table,
}

#[derive(Serialize)]
struct LegalRow {
    anchor: String,
    code: String,
    citation: &'static str,
    summary: String,
    review: bool,
    loans: String,
    gross: String,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

/// One loan of the deadline watch, formatted.
#[derive(Serialize)]
struct WatchRow {
    loan_id: String,
    outcome: &'static str,
    reason: String,
    anchor: String,
    amount: String,
    deadline: String,
    days_left: i64,
}

/// The deadline watch, shown first (README "Deadline watch").
#[derive(Serialize)]
struct WatchView {
    cards: Vec<Card>,
    upcoming: Vec<WatchRow>,
    upcoming_more: usize,
    lost: Vec<WatchRow>,
    lost_more: usize,
    horizon: u32,
    lost_days: u32,
}

fn watch_view(w: &super::watch::Watch) -> Option<WatchView> {
    use super::watch::{LIST_LIMIT, LOST_DAYS};
    w.as_of?;
    let row = |e: &super::watch::Entry| WatchRow {
        loan_id: e.loan_id.clone(),
        outcome: e.outcome.name(),
        reason: e.primary.code().into_owned(),
        anchor: anchor(&e.primary.code()),
        amount: money_grouped(e.amount),
        deadline: e.deadline.to_string(),
        days_left: w.days_left(e),
    };
    let mut cards: Vec<Card> = w
        .windows()
        .iter()
        .map(|x| Card {
            label: format!("Due within {} days", x.days),
            value: count_grouped(x.loans),
            unit: "loans",
            note: format!("{} at stake", money_grouped(x.amount)),
            class: "recoverable",
        })
        .collect();
    let lost = w.lost_total();
    cards.push(Card {
        label: "Lost this month".into(),
        value: count_grouped(lost.loans),
        unit: "loans",
        note: format!("{} now time-barred (deadline in the last {LOST_DAYS} days)", money_grouped(lost.amount)),
        class: "barred",
    });
    let upcoming: Vec<&super::watch::Entry> = w.upcoming().collect();
    let lost_list: Vec<&super::watch::Entry> = w.lost().collect();
    Some(WatchView {
        cards,
        upcoming_more: upcoming.len().saturating_sub(LIST_LIMIT),
        upcoming: upcoming.into_iter().take(LIST_LIMIT).map(row).collect(),
        lost_more: lost_list.len().saturating_sub(LIST_LIMIT),
        lost: lost_list.into_iter().take(LIST_LIMIT).map(row).collect(),
        horizon: w.days.last().copied().unwrap_or(0),
        lost_days: LOST_DAYS,
    })
}

#[derive(Serialize)]
struct Page {
    title: String,
    subtitle: String,
    tool_version: &'static str,
    watch: Option<WatchView>,
    cards: Vec<Card>,
    share_chart: String,
    sections: Vec<Section>,
    outcome_table: Table,
    legal: Vec<LegalRow>,
    facts: Vec<Fact>,
    inputs: Vec<(String, String)>,
    settings: Vec<(String, String)>,
    not_assessed: Vec<(String, String)>,
}

fn anchor(code: &str) -> String {
    let slug: String =
        code.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("rule-{slug}")
}

fn lien_label(key: &str) -> String {
    match key.parse::<u32>() {
        Ok(n) => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix} lien")
        }
        Err(_) => key.to_string(),
    }
}

fn table(key_label: &str, rows: Vec<Row>, totals: &Group, groups: &[(String, Group)]) -> Table {
    Table {
        key_label: key_label.to_string(),
        rows,
        total: Row::of("all loans".into(), None, totals),
        agency: totals.agency_loans > 0 || groups.iter().any(|(_, g)| g.agency_loans > 0),
    }
}

/// Renders the HTML report.
pub fn render(r: &Report) -> Result<String, String> {
    let t = &r.totals;
    let whole = t.recoverable + t.barred + t.undetermined;
    let dims = r.dimensions();
    let dim = |name: &str| dims.iter().find(|(n, _)| *n == name).map(|(_, g)| g.clone()).unwrap_or_default();

    let cards = vec![
        Card {
            label: "Loans assessed".into(),
            value: count_grouped(t.loans),
            unit: "",
            note: format!("{} rows read, {} rejected", count_grouped(r.rows.read), count_grouped(r.rows.rejected)),
            class: "loans",
        },
        Card {
            label: "Gross deficiency".into(),
            value: money_grouped(t.gross),
            unit: "USD",
            note: format!("of {} total debt", money_grouped(t.total_debt)),
            class: "gross",
        },
        Card {
            label: "Recoverable".into(),
            value: money_grouped(t.recoverable),
            unit: "USD",
            note: format!("{} of the deficiency", percent(t.recoverable, whole)),
            class: "recoverable",
        },
        Card {
            label: "Barred".into(),
            value: money_grouped(t.barred),
            unit: "USD",
            note: format!("{} of the deficiency", percent(t.barred, whole)),
            class: "barred",
        },
        Card {
            label: "Undetermined".into(),
            value: money_grouped(t.undetermined),
            unit: "USD",
            note: format!("{}: a person must decide", percent(t.undetermined, whole)),
            class: "undetermined",
        },
    ];

    // By rule: the chart puts the largest balances first; the table keeps
    // the report's order (the order rules are applied in).
    let reasons: Vec<(Reason, Group)> = r.by_reason.iter().map(|(k, g)| (*k, *g)).collect();
    let mut by_size = reasons.clone();
    by_size.sort_by(|a, b| {
        let (ta, tb) =
            (a.1.recoverable + a.1.barred + a.1.undetermined, b.1.recoverable + b.1.barred + b.1.undetermined);
        tb.cmp(&ta).then(b.1.loans.cmp(&a.1.loans)).then(a.0.cmp(&b.0))
    });
    let reason_bars: Vec<Bar> = by_size.iter().map(|(k, g)| Bar::new(k.code().into_owned(), g)).collect();
    let reason_groups = dim("by_reason");
    let reason_rows = reasons.iter().map(|(k, g)| Row::of(k.code().into_owned(), Some(anchor(&k.code())), g)).collect();

    let plain_rows =
        |groups: &[(String, Group)]| groups.iter().map(|(k, g)| Row::of(k.clone(), None, g)).collect::<Vec<_>>();
    let event_groups = dim("by_event_type");
    let lien_groups = dim("by_lien_position");
    let year_groups = dim("by_event_year");
    let outcome_groups = dim("by_outcome");
    let chart_or_none = |bars: &[Bar],
                         draw: fn(&str, &[Bar]) -> Result<String, String>,
                         aria: &str|
     -> Result<Option<String>, String> {
        if bars.is_empty() { Ok(None) } else { draw(aria, bars).map(Some) }
    };

    let event_bars: Vec<Bar> = event_groups.iter().map(|(k, g)| Bar::new(k.clone(), g)).collect();
    let lien_bars: Vec<Bar> = lien_groups.iter().map(|(k, g)| Bar::new(lien_label(k), g)).collect();
    let year_bars: Vec<Bar> = year_groups.iter().map(|(k, g)| Bar::new(k.clone(), g)).collect();

    let mut sections = vec![
        Section {
            id: "by-rule".into(),
            title: "By rule".into(),
            charted: true,
            intro: "Each loan counts under its primary reason: the rule (or the missing fact) that decided its outcome. The legal basis of every rule is listed at the end.",
            chart: chart_or_none(&reason_bars, hbar_chart, "Recoverable, barred and undetermined balance by rule")?,
            chart_caption: "Recoverable, barred and undetermined balance by primary reason, largest first.".into(),
            table: table("primary reason", reason_rows, t, &reason_groups),
        },
        Section {
            id: "by-event-type".into(),
            title: "By event type".into(),
            charted: true,
            intro: "What ended the security: a judicial or trustee's sale, a short sale, a deed in lieu, or a senior lien's sale.",
            chart: chart_or_none(
                &event_bars,
                hbar_chart,
                "Recoverable, barred and undetermined balance by event type",
            )?,
            chart_caption: "Recoverable, barred and undetermined balance by event type.".into(),
            table: table("event type", plain_rows(&event_groups), t, &event_groups),
        },
        Section {
            id: "by-lien-position".into(),
            title: "By lien position".into(),
            charted: true,
            intro: "The loan's lien position on the property (unknown where the input leaves it blank).",
            chart: chart_or_none(
                &lien_bars,
                hbar_chart,
                "Recoverable, barred and undetermined balance by lien position",
            )?,
            chart_caption: "Recoverable, barred and undetermined balance by lien position.".into(),
            table: table("lien position", plain_rows(&lien_groups), t, &lien_groups),
        },
        Section {
            id: "by-event-year".into(),
            title: "By event year".into(),
            charted: true,
            intro: "The calendar year of the sale or other event that ended the security.",
            chart: chart_or_none(
                &year_bars,
                column_chart,
                "Recoverable, barred and undetermined balance by event year",
            )?,
            chart_caption: "Recoverable, barred and undetermined balance by event year.".into(),
            table: table("event year", plain_rows(&year_groups), t, &year_groups),
        },
    ];
    // Groupings this page does not chart (added to the report later) still
    // get their table.
    const CHARTED: [&str; 5] = ["by_outcome", "by_reason", "by_event_type", "by_lien_position", "by_event_year"];
    for (name, groups) in dims.iter().filter(|(n, _)| !CHARTED.contains(n)) {
        let words = name.trim_start_matches("by_").replace('_', " ");
        let intro = match *name {
            "by_flag" => {
                "Each advisory flag with its loans and amounts; a loan counts under every flag it carries. \
                 do_not_collect: collect nothing beyond the recoverable amount; no_suit_time_barred: no suit or \
                 threat of suit; the form_1099 flags are reminders, not tax advice."
            }
            _ => "",
        };
        sections.push(Section {
            id: name.replace('_', "-"),
            title: format!("By {words}"),
            intro,
            chart: None,
            charted: false,
            chart_caption: String::new(),
            table: table(&words, plain_rows(groups), t, groups),
        });
    }

    let legal = reasons
        .iter()
        .map(|(k, g)| {
            let code = k.code().into_owned();
            LegalRow {
                anchor: anchor(&code),
                citation: k.citation(),
                summary: super::reason_summary(*k),
                review: k.is_review(),
                loans: count_grouped(g.loans),
                gross: money_grouped(g.gross),
                code,
            }
        })
        .collect();

    let mut facts = vec![
        Fact {
            label: "As of",
            value: r
                .as_of
                .map(|d| d.to_string())
                .unwrap_or_else(|| "not recorded (rebuilt from per-loan results files)".into()),
        },
        Fact { label: "Rows read", value: count_grouped(r.rows.read) },
        Fact { label: "Rows assessed", value: count_grouped(r.rows.assessed) },
        Fact { label: "Rows rejected", value: count_grouped(r.rows.rejected) },
        Fact { label: "Tool version", value: format!("deficiency {}", env!("CARGO_PKG_VERSION")) },
        Fact {
            label: "Holiday calendar",
            value: match &r.calendar {
                Some((v, a, b)) => format!("version {v}, years {a}\u{2013}{b}"),
                None => "not recorded (rebuilt from per-loan results files)".into(),
            },
        },
    ];
    if t.agency_loans > 0 {
        facts.push(Fact {
            label: "Agency net loss",
            value: format!(
                "{} on {} loans (as published by the agency)",
                money_grouped(t.agency_net_loss),
                count_grouped(t.agency_loans)
            ),
        });
    }

    let subtitle = match r.as_of {
        Some(d) => format!("Deadlines judged as of {d}"),
        None => format!("Merged from {} per-loan results file(s)", r.inputs.len()),
    };
    let page = Page {
        title: "Deficiency screening report".into(),
        subtitle,
        tool_version: env!("CARGO_PKG_VERSION"),
        watch: watch_view(&r.watch),
        cards,
        share_chart: share_chart(t)?,
        sections,
        outcome_table: table("outcome", plain_rows(&outcome_groups), t, &outcome_groups),
        legal,
        facts,
        inputs: r.inputs.iter().map(|i| (i.path.clone(), count_grouped(i.rows))).collect(),
        settings: r.settings.clone(),
        not_assessed: r.not_assessed.iter().map(|(k, n)| (k.clone(), count_grouped(*n))).collect(),
    };

    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| format!("HTML template: {e}"))?,
    );
    env.add_template("report.html", TEMPLATE).map_err(|e| format!("HTML template: {e}"))?;
    let tmpl = env.get_template("report.html").map_err(|e| format!("HTML template: {e}"))?;
    tmpl.render(minijinja::value::Serde(&page)).map_err(|e| format!("HTML template: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_is_grouped_by_thousands() {
        let d = |s: &str| Money::from_str(s).unwrap();
        assert_eq!(money_grouped(d("0")), "0.00");
        assert_eq!(money_grouped(d("999.5")), "999.50");
        assert_eq!(money_grouped(d("1000")), "1,000.00");
        assert_eq!(money_grouped(d("1234567.899")), "1,234,567.89");
        assert_eq!(money_grouped(d("-1234567.89")), "-1,234,567.89");
        assert_eq!(count_grouped(5000), "5,000");
        assert_eq!(count_grouped(12), "12");
    }

    #[test]
    fn compact_labels() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_500.0), "12.5K");
        assert_eq!(compact(3_250_000.0), "3.25M");
        assert_eq!(compact(20_000_000.0), "20M");
        assert_eq!(compact(1_200_000_000.0), "1.2B");
    }

    #[test]
    fn empty_report_renders() {
        let html = render(&Report::default()).unwrap();
        assert!(html.contains("<svg"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn agency_columns_and_not_assessed_are_shown() {
        let g = Group {
            loans: 3,
            gross: Money::from(1000),
            recoverable: Money::from(1000),
            agency_loans: 2,
            agency_net_loss: Money::from_str("12345.5").unwrap(),
            ..Group::default()
        };
        let mut r = Report { totals: g, ..Report::default() };
        r.by_event_year.insert(2019, g);
        r.not_assessed.insert("paid_off".into(), 42);
        let html = render(&r).unwrap();
        assert!(html.contains("agency net loss"));
        assert!(html.contains("12,345.50"));
        assert!(html.contains("Read but not assessed"));
        assert!(html.contains("paid_off"));
        let plain = render(&Report::default()).unwrap();
        assert!(!plain.contains("agency net loss"));
        assert!(!plain.contains("Read but not assessed"));
    }

    #[test]
    fn same_report_same_bytes() {
        let mut r = Report::default();
        r.by_event_year
            .insert(2020, Group { loans: 2, gross: Money::from(10), barred: Money::from(10), ..Group::default() });
        r.totals = Group { loans: 2, gross: Money::from(10), barred: Money::from(10), ..Group::default() };
        assert_eq!(render(&r).unwrap(), render(&r).unwrap());
    }
}
