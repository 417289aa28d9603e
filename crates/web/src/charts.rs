//! Charts drawn on the server as SVG: no script, no inline style (the
//! content security policy allows neither), colours from the style sheet by
//! class. Each chart names itself (`role="img"`, `<title>`, `<desc>`) and
//! its figures stay readable as text: every bar carries its value.

use canhgiac_domain::markup::escape;

/// Width of every chart's drawing, in its own units; the page scales it.
const WIDTH: f64 = 640.0;

/// One bar: its label, its value, and the value as people read it.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

impl Bar {
    pub fn count(label: impl Into<String>, value: i64) -> Self {
        Bar {
            label: label.into(),
            value,
            shown: canhgiac_domain::money::group_thousands(value),
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn open(title: &str, desc: &str, height: f64) -> String {
    format!(
        "<svg class=\"bieu-do\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{t}\" \
         preserveAspectRatio=\"xMinYMin meet\"><title>{t}</title><desc>{d}</desc>",
        t = escape(title),
        d = escape(desc)
    )
}

/// Horizontal bars, one per row, longest scale at the largest value.
pub fn bars(title: &str, rows: &[Bar]) -> String {
    const ROW: f64 = 26.0;
    const LABEL: f64 = 250.0;
    const ROOM: f64 = 300.0;
    let height = (rows.len().max(1) as f64) * ROW + 8.0;
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1) as f64;
    let desc: Vec<String> = rows.iter().map(|r| format!("{}: {}", r.label, r.shown)).collect();
    let mut out = open(title, &desc.join("; "), height);
    if rows.is_empty() {
        out.push_str("<text x=\"0\" y=\"20\" class=\"nhan-truc\">Không phát sinh</text>");
    }
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * ROW + 4.0;
        let w = if r.value > 0 {
            (r.value as f64 / max * ROOM).max(2.0)
        } else {
            0.0
        };
        out.push_str(&format!(
            "<g><title>{full}: {shown}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"nhan-truc\">{label}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" class=\"cot cot-0\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\" class=\"gia-tri\">{shown}</text></g>",
            full = escape(&r.label),
            shown = escape(&r.shown),
            lx = LABEL - 8.0,
            ty = y + 15.0,
            label = escape(&shorten(&r.label, 34)),
            bx = LABEL,
            h = ROW - 8.0,
            vx = LABEL + w + 6.0,
        ));
    }
    out.push_str("</svg>");
    out
}

/// One series of a column chart: its name and one value per category.
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

/// Columns per category (months), one per series side by side, with a
/// legend; `shown` writes a value as people read it.
pub fn columns(title: &str, categories: &[String], series: &[Series], shown: &dyn Fn(i64) -> String) -> String {
    const TOP: f64 = 28.0;
    const PLOT: f64 = 170.0;
    const LEFT: f64 = 8.0;
    let height = TOP + PLOT + 30.0;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut desc = Vec::new();
    for s in series {
        let parts: Vec<String> = categories
            .iter()
            .zip(&s.values)
            .map(|(c, v)| format!("{c}: {}", shown(*v)))
            .collect();
        desc.push(format!("{} — {}", s.name, parts.join(", ")));
    }
    let mut out = open(title, &desc.join("; "), height);
    // Legend.
    let mut lx = LEFT;
    for (i, s) in series.iter().enumerate() {
        out.push_str(&format!(
            "<rect x=\"{lx}\" y=\"4\" width=\"12\" height=\"12\" class=\"cot cot-{i}\"/>\
             <text x=\"{tx}\" y=\"14\" class=\"nhan-truc\">{name}</text>",
            tx = lx + 16.0,
            name = escape(&s.name)
        ));
        lx += 24.0 + s.name.chars().count() as f64 * 7.0;
    }
    if categories.is_empty() {
        out.push_str(&format!(
            "<text x=\"{LEFT}\" y=\"{}\" class=\"nhan-truc\">Không phát sinh</text></svg>",
            TOP + 20.0
        ));
        return out;
    }
    let slot = (WIDTH - LEFT) / categories.len() as f64;
    let n = series.len().max(1) as f64;
    let bar = ((slot - 10.0) / n).min(40.0);
    let base = TOP + PLOT;
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" class=\"truc\"/>"
    ));
    for (ci, c) in categories.iter().enumerate() {
        let x0 = LEFT + ci as f64 * slot + (slot - bar * n) / 2.0;
        for (si, s) in series.iter().enumerate() {
            let v = s.values.get(ci).copied().unwrap_or(0);
            let h = if v > 0 {
                (v as f64 / max * (PLOT - 16.0)).max(1.0)
            } else {
                0.0
            };
            let x = x0 + si as f64 * bar;
            out.push_str(&format!(
                "<g><title>{name}, {cat}: {val}</title>\
                 <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"cot cot-{si}\"/>\
                 <text x=\"{tx:.1}\" y=\"{vy:.1}\" text-anchor=\"middle\" class=\"gia-tri\">{val}</text></g>",
                name = escape(&s.name),
                cat = escape(c),
                val = escape(&shown(v)),
                y = base - h,
                w = (bar - 2.0).max(1.0),
                tx = x + bar / 2.0 - 1.0,
                vy = base - h - 3.0,
            ));
        }
        out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\" class=\"nhan-truc\">{c}</text>",
            x = LEFT + ci as f64 * slot + slot / 2.0,
            y = base + 16.0,
            c = escape(c)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "Tin, bài theo chủ đề",
            &[
                Bar::count("<b>Ma túy</b>", 10),
                Bar::count("Tội phạm", 5),
                Bar::count("Không", 0),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title>Tin, bài theo chủ đề</title>"));
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;Ma túy"));
        assert!(svg.contains("width=\"300.0\"") && svg.contains("width=\"150.0\""));
        assert!(svg.contains("width=\"0.0\""), "a zero draws no bar");
        assert!(!svg.contains("style="), "no inline style under the CSP");
    }

    #[test]
    fn columns_put_series_side_by_side() {
        let svg = columns(
            "Theo tháng",
            &["01/2024".into(), "02/2024".into()],
            &[
                Series {
                    name: "Kỳ này".into(),
                    values: vec![4, 8],
                },
                Series {
                    name: "Cùng kỳ năm trước".into(),
                    values: vec![2, 0],
                },
            ],
            &|v| v.to_string(),
        );
        assert_eq!(svg.matches("class=\"cot cot-0\"").count(), 3, "legend and two months");
        assert_eq!(svg.matches("class=\"cot cot-1\"").count(), 3);
        assert!(svg.contains("Cùng kỳ năm trước, 02/2024: 0"));
        let empty = columns("Trống", &[], &[], &|v| v.to_string());
        assert!(empty.contains("Không phát sinh"));
    }
}
