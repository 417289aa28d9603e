//! The narrative: a minijinja template the agency can edit, producing
//! Markdown, with helpers for Vietnamese numbers, money and dates.

use canhgiac_domain::{numbers, Date, Dong};
use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, State};

use crate::data::ReportData;
use crate::ReportError;

/// The template shipped with the program.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/bao-cao.md.j2");

/// Instructions a template may run. The default template over a busy
/// half-year uses a few tens of thousands; an agency's template with a
/// runaway loop stops here with an error instead of holding a worker.
pub const TEMPLATE_FUEL: u64 = 5_000_000;

/// The rendered narrative.
pub struct Narrative {
    /// The trích yếu under the title.
    pub summary: String,
    /// The body, as Markdown.
    pub body: String,
    /// The instructions the template ran, out of [`TEMPLATE_FUEL`].
    pub fuel_used: u64,
}

/// Escapes what Markdown would read as markup, so data stays text.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn int(v: &Value) -> Result<i64, Error> {
    i64::try_from(v.clone()).map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("không phải số: {v}")))
}

fn date_of(v: &Value) -> Result<Date, Error> {
    let s = v.as_str().unwrap_or_default();
    Date::parse(s).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.message))
}

/// `gần 100` for 94, `gần 70` for 68: the seed's way of giving large
/// counts. Exact below 20, on round numbers, or when more than a tenth away.
pub fn approx(n: i64) -> String {
    if n < 20 {
        return numbers::count(n.max(0) as u64);
    }
    let step = if n < 100 {
        10
    } else if n < 1000 {
        50
    } else {
        100
    };
    let up = (n + step - 1) / step * step;
    if up == n || (up - n) * 10 > up {
        n.to_string()
    } else {
        format!("gần {up}")
    }
}

fn compare_text(now: i64, before: Option<i64>, year: i32) -> String {
    match before {
        Some(b) if b > 0 => match numbers::change_percent(now.max(0) as u64, b as u64) {
            Some(0) => format!(", bằng cùng kỳ năm {year}"),
            Some(p) if p > 0 => format!(", tăng {p}% so với cùng kỳ năm {year}"),
            Some(p) => format!(", giảm {}% so với cùng kỳ năm {year}", -p),
            None => String::new(),
        },
        _ => String::new(),
    }
}

fn first_char(s: &str, upper: bool) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if upper => f.to_uppercase().chain(c).collect(),
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn environment(data: &ReportData) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    // No source excerpts in errors: minijinja's excerpt printer subtracts
    // columns that can run backwards and panics (found by the `template`
    // fuzz target); the message keeps the line number.
    env.set_debug(false);
    // Every value printed from data is escaped for Markdown; helpers that
    // build markup return safe strings.
    env.set_formatter(|out, state, value| {
        if value.is_safe() || value.as_str().is_none() {
            return minijinja::escape_formatter(out, state, value);
        }
        out.write_str(&escape_markdown(value.as_str().unwrap_or_default()))
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "write"))
    });
    env.add_filter("count", |v: Value| -> Result<String, Error> {
        Ok(numbers::count(int(&v)?.max(0) as u64))
    });
    env.add_filter("approx", |v: Value| -> Result<String, Error> { Ok(approx(int(&v)?)) });
    env.add_filter("money", |v: Value| -> Result<String, Error> {
        Dong::new(int(&v)?)
            .map(Dong::short)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.message))
    });
    env.add_filter("money_full", |v: Value| -> Result<String, Error> {
        Dong::new(int(&v)?)
            .map(Dong::full)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.message))
    });
    env.add_filter("date", |v: Value| -> Result<String, Error> {
        Ok(date_of(&v)?.to_string())
    });
    env.add_filter("date_text", |v: Value| -> Result<String, Error> {
        Ok(date_of(&v)?.vn_text())
    });
    env.add_filter("date_long", |v: Value| -> Result<String, Error> {
        Ok(date_of(&v)?.vn_long())
    });
    env.add_filter("capfirst", |s: String| first_char(&s, true));
    env.add_filter("lowerfirst", |s: String| first_char(&s, false));
    let year = data.report.previous_year;
    env.add_function("compare", move |now: Value, before: Value| -> Result<String, Error> {
        let b = if before.is_none() || before.is_undefined() {
            None
        } else {
            Some(int(&before)?)
        };
        Ok(compare_text(int(&now)?, b, year))
    });
    let figures = data.figures.clone();
    env.add_function(
        "fig",
        move |_state: &State, id: String, text: Option<Value>| -> Result<Value, Error> {
            let f = figures.get(&id).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("mẫu dùng số liệu «{id}» không tồn tại"),
                )
            })?;
            let shown = match text {
                Some(t) => t.to_string(),
                None => numbers::count(f.value.max(0) as u64),
            };
            Ok(Value::from_safe_string(format!(
                "[{}](#fig-{id})",
                escape_markdown(&shown)
            )))
        },
    );
    env
}

/// Renders `template` (or the default) over the data.
pub fn render(data: &ReportData, template: Option<&str>) -> Result<Narrative, ReportError> {
    let mut env = environment(data);
    let source = template.unwrap_or(DEFAULT_TEMPLATE).to_owned();
    env.add_template_owned("report", source)
        .map_err(|e| ReportError::Template(e.to_string()))?;
    let tmpl = env
        .get_template("report")
        .map_err(|e| ReportError::Template(e.to_string()))?;
    let captured = tmpl
        .render_captured(minijinja::Value::from_serialize(data))
        .map_err(|e| {
            if e.kind() == ErrorKind::OutOfFuel {
                ReportError::Template(format!(
                    "mẫu báo cáo chạy quá {TEMPLATE_FUEL} bước (có vòng lặp quá lớn?); hãy sửa mẫu"
                ))
            } else {
                ReportError::Template(e.to_string())
            }
        })?;
    let body = captured.output().to_owned();
    let summary = captured
        .state()
        .lookup("summary")
        .map(|v| v.to_string())
        .unwrap_or_default()
        .replace('\\', "");
    let fuel_used = captured.state().fuel_levels().map_or(0, |(used, _)| used);
    Ok(Narrative {
        summary: summary.split_whitespace().collect::<Vec<_>>().join(" "),
        body,
        fuel_used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approx_follows_the_seed() {
        assert_eq!(approx(94), "gần 100");
        assert_eq!(approx(68), "gần 70");
        assert_eq!(approx(50), "50");
        assert_eq!(approx(5), "05");
        assert_eq!(approx(61), "61");
        assert_eq!(approx(480), "gần 500");
        assert_eq!(approx(0), "0");
    }

    #[test]
    fn comparisons() {
        assert_eq!(compare_text(112, Some(100), 2023), ", tăng 12% so với cùng kỳ năm 2023");
        assert_eq!(compare_text(90, Some(100), 2023), ", giảm 10% so với cùng kỳ năm 2023");
        assert_eq!(compare_text(100, Some(100), 2023), ", bằng cùng kỳ năm 2023");
        assert_eq!(compare_text(100, None, 2023), "");
    }

    #[test]
    fn markdown_escape() {
        assert_eq!(escape_markdown("*a* [b](c) <x>"), "\\*a\\* \\[b\\](c) \\<x\\>");
    }
}
