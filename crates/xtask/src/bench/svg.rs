//! The latency plot: p50 and p99 against concurrency, one line per measured series, drawn by
//! hand as SVG (log scales on both axes).

use std::fmt::Write as _;

use super::Row;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 260.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLOURS: &[&str] =
    &["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

/// The series: rows grouped by name without their concurrency suffix, with two or more points.
fn series(rows: &[Row]) -> Vec<(String, Vec<&Row>)> {
    let mut all: Vec<(String, Vec<&Row>)> = Vec::new();
    for row in rows.iter().filter(|r| r.p50_us.is_some() && r.p99_us.is_some()) {
        let name = row.series.clone().unwrap_or_else(|| row.name.clone());
        match all.iter_mut().find(|(n, _)| *n == name) {
            Some((_, points)) => points.push(row),
            None => all.push((name, vec![row])),
        }
    }
    all.retain(|(_, points)| points.len() >= 2);
    for (_, points) in &mut all {
        points.sort_by_key(|r| r.concurrency);
    }
    all
}

fn log_scale(value: f64, low: f64, high: f64, from: f64, to: f64) -> f64 {
    let (v, l, h) = (value.max(low).ln(), low.ln(), high.ln());
    from + (v - l) / (h - l).max(1e-9) * (to - from)
}

/// The SVG document.
pub fn plot(rows: &[Row]) -> String {
    let series = series(rows);
    let points = || series.iter().flat_map(|(_, p)| p.iter());
    let max_c = points().map(|r| r.concurrency as f64).fold(2.0, f64::max);
    let lat = || points().flat_map(|r| [r.p50_us.unwrap_or(1.0), r.p99_us.unwrap_or(1.0)]);
    let (low, high) = (lat().fold(f64::MAX, f64::min).max(1.0) / 1.5, lat().fold(10.0, f64::max) * 1.5);
    let x = |c: u64| log_scale(c as f64, 1.0, max_c, LEFT, WIDTH - RIGHT);
    let y = |us: f64| log_scale(us, low, high, HEIGHT - BOTTOM, TOP);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{LEFT}\" y=\"18\" font-size=\"13\">Latency against concurrency (solid p50, dashed p99; log scales)</text>\n"
    );
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP);
    let _ = writeln!(svg, "<path d=\"M{x0},{y1} V{y0} H{x1}\" stroke=\"black\" fill=\"none\"/>");
    let mut tick = 1.0;
    while tick <= high {
        if tick >= low {
            let ty = y(tick);
            let _ = writeln!(svg, "<line x1=\"{x0}\" x2=\"{x1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick} µs</text>", x0 - 4.0, ty + 4.0);
        }
        tick *= 10.0;
    }
    let mut concurrencies: Vec<u64> = points().map(|r| r.concurrency).collect();
    concurrencies.sort_unstable();
    concurrencies.dedup();
    for c in concurrencies {
        let _ =
            writeln!(svg, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{c}</text>", x(c), y0 + 16.0);
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">requests in flight</text>",
        (x0 + x1) / 2.0,
        y0 + 34.0
    );
    for (i, (name, rows)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        for (dash, pick) in [("", true), (" stroke-dasharray=\"5,4\"", false)] {
            let path: Vec<String> = rows
                .iter()
                .map(|r| {
                    let us = if pick { r.p50_us } else { r.p99_us }.unwrap_or(1.0);
                    format!("{:.1},{:.1}", x(r.concurrency), y(us))
                })
                .collect();
            let _ = writeln!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                path.join(" ")
            );
        }
        let ly = TOP + 16.0 * i as f64 + 10.0;
        let _ = writeln!(svg, "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>", x1 + 10.0, x1 + 30.0, x1 + 34.0, ly + 4.0, escape(name));
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
