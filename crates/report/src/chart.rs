//! The annex chart: items per topic, one bar per outlet, as a PNG. The font
//! is vendored (DejaVu Sans), so nothing is looked up on the machine.

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::data::ReportData;
use crate::ReportError;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 640;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn ensure_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if register_font("sans-serif", FontStyle::Normal, FONT).is_err() {
            tracing_fallback();
        }
        let _ = register_font("sans-serif", FontStyle::Bold, FONT);
    });
}

fn tracing_fallback() {
    eprintln!("canhgiac: could not load the chart font");
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 78, 121),
    RGBColor(192, 80, 77),
    RGBColor(155, 187, 89),
    RGBColor(128, 100, 162),
    RGBColor(75, 172, 198),
    RGBColor(247, 150, 70),
];

/// Draws the chart and returns PNG bytes.
pub fn render(d: &ReportData) -> Result<Vec<u8>, ReportError> {
    ensure_font();
    let err = |e: &dyn std::fmt::Display| ReportError::Render(format!("biểu đồ: {e}"));
    let mut outlets: Vec<String> = Vec::new();
    for t in &d.topics {
        for o in &t.outlets {
            if !outlets.contains(&o.name) {
                outlets.push(o.name.clone());
            }
        }
    }
    let topics: Vec<&crate::data::TopicView> = d.topics.iter().collect();
    let max = topics
        .iter()
        .flat_map(|t| t.outlets.iter().map(|o| o.items))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let (chart_area, legend_area) = root.split_horizontally(WIDTH - 380);
        let groups = topics.len().max(1) as i32;
        let per = outlets.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&chart_area)
            .caption("Tin, bài theo chủ đề và cơ quan", ("sans-serif", 26))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0..(groups * (per + 1)), 0i64..(max + max / 8 + 1))
            .map_err(|e| err(&e))?;
        let labels: Vec<String> = topics.iter().map(|t| t.code.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|_| String::new())
            .y_desc("Số tin, bài")
            .label_style(("sans-serif", 18))
            .draw()
            .map_err(|e| err(&e))?;
        for (ti, t) in topics.iter().enumerate() {
            for (oi, name) in outlets.iter().enumerate() {
                let n = t.outlets.iter().find(|o| &o.name == name).map_or(0, |o| o.items);
                let x0 = ti as i32 * (per + 1) + oi as i32;
                let colour = COLOURS[oi % COLOURS.len()];
                chart
                    .draw_series(std::iter::once(Rectangle::new([(x0, 0), (x0 + 1, n)], colour.filled())))
                    .map_err(|e| err(&e))?;
                if n > 0 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            n.to_string(),
                            (x0, n + max / 40 + 1),
                            ("sans-serif", 16),
                        )))
                        .map_err(|e| err(&e))?;
                }
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    labels[ti].clone(),
                    (ti as i32 * (per + 1) + per / 2, -(max / 14) - 1),
                    ("sans-serif", 20),
                )))
                .map_err(|e| err(&e))?;
        }
        for (oi, name) in outlets.iter().enumerate() {
            let y = 80 + oi as i32 * 36;
            let colour = COLOURS[oi % COLOURS.len()];
            legend_area
                .draw(&Rectangle::new([(10, y), (34, y + 20)], colour.filled()))
                .map_err(|e| err(&e))?;
            let mut label = name.clone();
            if label.chars().count() > 30 {
                label = label.chars().take(29).collect::<String>() + "…";
            }
            legend_area
                .draw(&Text::new(label, (42, y + 2), ("sans-serif", 17)))
                .map_err(|e| err(&e))?;
        }
        if outlets.is_empty() {
            chart_area
                .draw(&Text::new("Không phát sinh", (300, 300), ("sans-serif", 28)))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    encode_png(&rgb)
}

/// The telecom chart: spam reports (messages and calls) per month of the
/// period, as a PNG; «Không phát sinh» when the operators reported none.
pub fn render_spam(d: &ReportData) -> Result<Vec<u8>, ReportError> {
    ensure_font();
    let err = |e: &dyn std::fmt::Display| ReportError::Render(format!("biểu đồ: {e}"));
    let months = &d.telecom.spam_by_month;
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let cols = months.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption("Phản ánh tin nhắn, cuộc gọi rác theo tháng", ("sans-serif", 26))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0..(cols * 3), 0i64..(max + max / 8 + 1))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| canhgiac_domain::money::group_thousands(*v))
            .y_desc("Số phản ánh")
            .label_style(("sans-serif", 18))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, (m, n)) in months.iter().enumerate() {
            let x0 = i as i32 * 3 + 1;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0), (x0 + 1, *n)],
                    COLOURS[0].filled(),
                )))
                .map_err(|e| err(&e))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    canhgiac_domain::money::group_thousands(*n),
                    (x0, n + max / 40 + 1),
                    ("sans-serif", 16),
                )))
                .map_err(|e| err(&e))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    crate::annex::month_label(m),
                    (x0, -(max / 14) - 1),
                    ("sans-serif", 18),
                )))
                .map_err(|e| err(&e))?;
        }
        if months.iter().all(|(_, n)| *n == 0) {
            root.draw(&Text::new("Không phát sinh", (500, 300), ("sans-serif", 28)))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    encode_png(&rgb)
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| ReportError::Render(e.to_string()))?;
        w.write_image_data(rgb)
            .map_err(|e| ReportError::Render(e.to_string()))?;
    }
    Ok(out)
}
