//! Charts of a finished report, with plotters: SVG (for the HTML report) and PNG.
//!
//! Every chart draws numbers already in a report model ([`CompareReport`],
//! [`SweepReport`], [`PathSeries`]); nothing here computes a statistic. Each chart is drawn
//! by one function generic over the plotters backend, so the SVG and the PNG are the same
//! drawing. PNG text uses DejaVu Sans, compiled into the binary (`assets/fonts`), so no
//! system font library is needed.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::CompareReport;
use super::series::PathSeries;
use super::table::format_quantity;
use crate::error::{Error, Result};
use crate::sweep::SweepReport;

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 540);
/// The font family the charts use, registered from the bundled font.
const FONT: &str = "sans-serif";

/// Series colours (colour-blind-safe "Tableau 10" order).
const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// One chart in both formats.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `monthly-fan`.
    pub name: &'static str,
    /// What it shows, for captions and alt text.
    pub title: String,
    /// SVG text.
    pub svg: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}

type Drawn = std::result::Result<(), String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Draws a chart as SVG and as PNG: the body is expanded once per backend (plotters'
/// backends are different types), with `$root` a `&DrawingArea` of each.
macro_rules! chart {
    ($name:expr, $title:expr, |$root:ident| $body:block) => {{
        register_font()?;
        let name: &'static str = $name;
        let fail = |e: String| Error::Invalid(format!("cannot draw the {name} chart: {e}"));
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            let $root = &area;
            let drawn: Drawn = (|| $body)();
            drawn.map_err(fail)?;
            area.present().map_err(|e| fail(e.to_string()))?;
        }
        let mut rgb = vec![0u8; SIZE.0 as usize * SIZE.1 as usize * 3];
        {
            let area = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
            let $root = &area;
            let drawn: Drawn = (|| $body)();
            drawn.map_err(fail)?;
            area.present().map_err(|e| fail(e.to_string()))?;
        }
        Ok(Chart {
            name,
            title: $title,
            svg,
            png: encode_png(&rgb).map_err(fail)?,
        })
    }};
}

fn register_font() -> Result<()> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        )
        .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(
            "the bundled font assets/fonts/DejaVuSans.ttf is not a valid font".to_string(),
        ))
    }
}

fn encode_png(rgb: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, SIZE.0, SIZE.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// Dollars for an axis: whole dollars from $100, cents below.
fn usd_axis(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("${}", format_quantity(v, 0))
    } else {
        format!("${v:.2}")
    }
}

/// The largest value of `values` with 5% headroom (1 when there is nothing to show).
fn top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if max > 0.0 { max * 1.05 } else { 1.0 }
}

/// The legend of a chart's series, in a framed box at `position`.
fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    font_size: u32,
    position: SeriesLabelPosition,
) -> Drawn
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .label_font((FONT, font_size))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(err)
}

/// Every chart the report has data for.
///
/// # Errors
/// [`Error::Invalid`] when plotters cannot draw (not expected for finite data).
pub fn charts(
    report: &CompareReport,
    sweep: Option<&SweepReport>,
    series: Option<&PathSeries>,
) -> Result<Vec<Chart>> {
    let mut out = vec![
        monthly_distribution(report)?,
        monthly_fan(report)?,
        components(report)?,
    ];
    if let Some(s) = sweep {
        out.push(break_even(s)?);
    }
    if let Some(s) = series {
        out.push(path_series(s)?);
    }
    Ok(out)
}

/// Box per option: p5–p95 box, p50 line, p99 whisker, mean dot.
fn monthly_distribution(r: &CompareReport) -> Result<Chart> {
    let title = format!(
        "Average monthly cost per option over {} path{} (box p5–p95, line p50, whisker p99, dot mean)",
        r.paths,
        if r.paths == 1 { "" } else { "s" }
    );
    let names: Vec<String> = r.options.iter().map(|o| o.name.clone()).collect();
    let y_max = top(r
        .options
        .iter()
        .map(|o| o.monthly_usd.p99.max(o.monthly_usd.mean)));
    #[allow(clippy::cast_precision_loss)]
    let n = names.len() as f64;
    chart!("monthly-distribution", title.clone(), |root| {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption("Monthly cost distribution by option", (FONT, 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(names.len())
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| usd_axis(*v))
            .x_desc("Option")
            .y_desc("USD per month (average month)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(err)?;
        for (i, o) in r.options.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = i as f64;
            let c = color(i);
            let s = &o.monthly_usd;
            chart
                .draw_series([
                    Rectangle::new([(x - 0.3, s.p5), (x + 0.3, s.p95)], c.mix(0.35).filled()),
                    Rectangle::new([(x - 0.3, s.p5), (x + 0.3, s.p95)], c.stroke_width(2)),
                ])
                .map_err(err)?;
            chart
                .draw_series([
                    PathElement::new(vec![(x - 0.3, s.p50), (x + 0.3, s.p50)], c.stroke_width(3)),
                    PathElement::new(vec![(x, s.p95), (x, s.p99)], c.stroke_width(1)),
                    PathElement::new(vec![(x - 0.1, s.p99), (x + 0.1, s.p99)], c.stroke_width(1)),
                ])
                .map_err(err)?;
            chart
                .draw_series([Circle::new((x, s.mean), 4, BLACK.filled())])
                .map_err(err)?;
        }
        Ok(())
    })
}

/// Per option: the p5–p95 band of each month's cost and its median.
fn monthly_fan(r: &CompareReport) -> Result<Chart> {
    let months: Vec<String> = r
        .options
        .first()
        .map(|o| o.months.iter().map(|m| m.month.clone()).collect())
        .unwrap_or_default();
    let y_max = top(r
        .options
        .iter()
        .flat_map(|o| o.months.iter().map(|m| m.usd.p95)));
    #[allow(clippy::cast_precision_loss)]
    let last = (months.len().max(2) - 1) as f64;
    let title = "Monthly cost over the horizon: median and p5–p95 band per option".to_string();
    chart!("monthly-fan", title, |root| {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Monthly cost over the horizon (p5–p95 band, median line)",
                (FONT, 22),
            )
            .margin(12)
            .margin_right(36)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..last, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(months.len().min(12))
            .x_label_formatter(&|x| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let i = x.round() as usize;
                months.get(i).cloned().unwrap_or_default()
            })
            .y_label_formatter(&|v| usd_axis(*v))
            .x_desc("Calendar month")
            .y_desc("USD in the month")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(err)?;
        for (i, o) in r.options.iter().enumerate() {
            let c = color(i);
            #[allow(clippy::cast_precision_loss)]
            let upper = o
                .months
                .iter()
                .enumerate()
                .map(|(m, s)| (m as f64, s.usd.p95));
            #[allow(clippy::cast_precision_loss)]
            let lower = o
                .months
                .iter()
                .enumerate()
                .rev()
                .map(|(m, s)| (m as f64, s.usd.p5));
            let band: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart
                .draw_series([Polygon::new(band, c.mix(0.18).filled())])
                .map_err(err)?;
            #[allow(clippy::cast_precision_loss)]
            let median: Vec<(f64, f64)> = o
                .months
                .iter()
                .enumerate()
                .map(|(m, s)| (m as f64, s.usd.p50))
                .collect();
            chart
                .draw_series(LineSeries::new(median, c.stroke_width(3)))
                .map_err(err)?
                .label(o.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                });
        }
        legend(&mut chart, 13, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// Stacked horizontal bars: each option's average month split by cost component.
fn components(r: &CompareReport) -> Result<Chart> {
    let months = r.horizon_months.max(1);
    let mut names: Vec<String> = Vec::new();
    for o in &r.options {
        for c in o.components.keys() {
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let per_month = |usd: f64| usd / months as f64;
    let x_max = top(r
        .options
        .iter()
        .map(|o| o.components.values().map(|v| per_month(*v)).sum::<f64>()));
    #[allow(clippy::cast_precision_loss)]
    let n = r.options.len() as f64;
    let labels: Vec<String> = r.options.iter().map(|o| o.name.clone()).collect();
    let title = "Cost breakdown of the average month by component (mean over paths)".to_string();
    chart!("components", title, |root| {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Where the money goes: average month by component",
                (FONT, 22),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(130)
            .build_cartesian_2d(0f64..x_max * 1.6, -0.5f64..n - 0.5)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(labels.len())
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|v| usd_axis(*v))
            .x_desc("USD per month")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(err)?;
        for (k, name) in names.iter().enumerate() {
            let c = color(k);
            let mut bars = Vec::new();
            for (i, o) in r.options.iter().enumerate() {
                let Some(usd) = o.components.get(name) else {
                    continue;
                };
                let before: f64 = names[..k]
                    .iter()
                    .filter_map(|n| o.components.get(n))
                    .map(|v| per_month(*v))
                    .sum();
                #[allow(clippy::cast_precision_loss)]
                let y = i as f64;
                bars.push(Rectangle::new(
                    [(before, y - 0.35), (before + per_month(*usd), y + 0.35)],
                    c.filled(),
                ));
            }
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled()));
        }
        legend(&mut chart, 11, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// Expected monthly cost of each option against load (log scale), infeasible points
/// crossed out.
fn break_even(s: &SweepReport) -> Result<Chart> {
    let x_min = s
        .points
        .first()
        .map_or(0.1, |p| p.mean_requests_per_second.max(1e-6));
    let x_max = s
        .points
        .last()
        .map_or(1.0, |p| p.mean_requests_per_second.max(x_min * 1.01));
    let y_max = top(s
        .points
        .iter()
        .flat_map(|p| p.options.iter().map(|c| c.monthly_usd_mean)));
    let title = format!(
        "Break-even: expected monthly cost by average load. {}",
        s.summary
    );
    chart!("break-even", title, |root| {
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(root)
            .caption("Break-even: expected monthly cost by load", (FONT, 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d((x_min..x_max).log_scale(), 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|v| {
                if *v >= 10.0 {
                    format_quantity(*v, 0)
                } else if *v >= 1.0 {
                    format!("{v:.1}")
                } else {
                    format!("{v:.2}")
                }
            })
            .y_label_formatter(&|v| usd_axis(*v))
            .x_desc("Average requests per second (log scale)")
            .y_desc("USD per month (expected)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(err)?;
        for (i, o) in s.info.options.iter().enumerate() {
            let c = color(i);
            let line: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|p| (p.mean_requests_per_second, p.options[i].monthly_usd_mean))
                .collect();
            chart
                .draw_series(LineSeries::new(line, c.stroke_width(3)))
                .map_err(err)?
                .label(o.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))
                });
            chart
                .draw_series(s.points.iter().map(|p| {
                    let xy = (p.mean_requests_per_second, p.options[i].monthly_usd_mean);
                    if p.options[i].feasible {
                        Circle::new(xy, 4, c.filled()).into_dyn()
                    } else {
                        Cross::new(xy, 6, RED.stroke_width(2)).into_dyn()
                    }
                }))
                .map_err(err)?;
        }
        legend(&mut chart, 13, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// A representative path of one option, hour by hour: demand against capacity,
/// instances or tasks, and the CPU credit balance.
fn path_series(s: &PathSeries) -> Result<Chart> {
    let title = format!(
        "{} on path {}: demand and capacity, instances and CPU credits, hour by hour",
        s.option, s.path
    );
    let hours = s.hours.last().copied().unwrap_or(1.0).max(1.0);
    chart!("path-series", title, |root| {
        root.fill(&WHITE).map_err(err)?;
        let root = root
            .titled(
                &format!("{}: path {} hour by hour", s.option, s.path),
                (FONT, 22),
            )
            .map_err(err)?;
        let panels = root.split_evenly((3, 1));
        let panel = |area: &DrawingArea<_, Shift>,
                     y_desc: &str,
                     lines: &[(&str, &[f64], RGBColor)]|
         -> Drawn {
            let y_max = top(lines.iter().flat_map(|(_, v, _)| v.iter().copied()));
            let mut chart = ChartBuilder::on(area)
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(80)
                .build_cartesian_2d(0f64..hours, 0f64..y_max)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("Hours from the start")
                .y_desc(y_desc)
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 13))
                .draw()
                .map_err(err)?;
            for (name, values, c) in lines {
                let c = *c;
                let points: Vec<(f64, f64)> = s
                    .hours
                    .iter()
                    .copied()
                    .zip(values.iter().copied())
                    .collect();
                chart
                    .draw_series(LineSeries::new(points, c.stroke_width(2)))
                    .map_err(err)?
                    .label(*name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                    });
            }
            legend(&mut chart, 12, SeriesLabelPosition::UpperRight)?;
            Ok(())
        };
        panel(
            &panels[0],
            "Requests per second",
            &[
                ("demand (hourly mean)", &s.demand_rps, color(0)),
                ("capacity (hourly minimum)", &s.capacity_rps, color(1)),
            ],
        )?;
        panel(
            &panels[1],
            s.units_label(),
            &[("running (hourly maximum)", &s.running, color(2))],
        )?;
        panel(
            &panels[2],
            "CPU credits per instance",
            &[("earned balance (hourly mean)", &s.credit_balance, color(4))],
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::{self, RunConfig};
    use crate::report::compare::RunInfo;
    use crate::sweep::{LoadRange, sweep};

    fn drawn() -> Vec<Chart> {
        let plan = crate::testing::plan(crate::testing::MC);
        let config = RunConfig {
            paths: 6,
            seed: 1,
            shard: None,
        };
        let run = mc::run(&plan, &config, &|| {});
        let report = CompareReport::new(&RunInfo::of(&plan), &run, None);
        let swept = sweep(
            &plan,
            &LoadRange::parse("0.5..2", 3).unwrap(),
            &RunConfig { paths: 2, ..config },
            &|| {},
        );
        let (recorded, _) = mc::record_path(&plan, 1, 0);
        let o = &recorded.options[1];
        let series = PathSeries::hourly(&o.name, o.service, 0, 60.0, &o.steps);
        charts(&report, Some(&swept), Some(&series)).unwrap()
    }

    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }

    #[test]
    fn every_chart_has_axes_series_and_a_non_blank_png() {
        let charts = drawn();
        let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "monthly-distribution",
                "monthly-fan",
                "components",
                "break-even",
                "path-series"
            ]
        );
        for chart in &charts {
            let doc = roxmltree::Document::parse(&chart.svg).unwrap();
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg", "{}", chart.name);
            assert_eq!(root.attribute("width"), Some("960"));
            let texts = texts(&doc);
            // axis descriptions with units
            let axis = match chart.name {
                "monthly-distribution" => "USD per month (average month)",
                "monthly-fan" => "USD in the month",
                "components" => "USD per month",
                "break-even" => "Average requests per second (log scale)",
                _ => "Requests per second",
            };
            assert!(texts.iter().any(|t| t == axis), "{}: {texts:?}", chart.name);
            // dollars formatted on money axes
            if chart.name != "path-series" {
                assert!(texts.iter().any(|t| t.starts_with('$')), "{}", chart.name);
            }
            // series: polylines (lines) or filled rectangles (boxes, bars)
            let lines = doc
                .descendants()
                .filter(|n| n.has_tag_name("polyline"))
                .count();
            let rects = doc.descendants().filter(|n| n.has_tag_name("rect")).count();
            assert!(
                lines + rects > 5,
                "{}: {lines} lines, {rects} rects",
                chart.name
            );
            // the PNG decodes at the same size and is not blank
            let decoder = png::Decoder::new(std::io::Cursor::new(&chart.png));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!((info.width, info.height), SIZE);
            let pixels = &buf[..info.buffer_size()];
            let inked = pixels.chunks(3).filter(|p| p != &[255, 255, 255]).count();
            let colours: std::collections::BTreeSet<&[u8]> = pixels.chunks(3).collect();
            assert!(
                inked * 50 > pixels.len() / 3,
                "{}: {inked} inked pixels",
                chart.name
            );
            assert!(
                colours.len() > 20,
                "{}: {} colours",
                chart.name,
                colours.len()
            );
        }
        // the legends name every option
        let fan = roxmltree::Document::parse(&charts[1].svg).unwrap();
        let labels = texts(&fan);
        for name in ["ec2", "lightsail", "fargate", "lambda", "beanstalk"] {
            assert!(
                labels.iter().any(|t| t == name),
                "{name} missing from {labels:?}"
            );
        }
        // months label the fan chart's axis
        assert!(labels.iter().any(|t| t == "2027-02"));
    }
}
