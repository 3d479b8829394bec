//! A small table renderer shared by the text and markdown exporters.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned (text).
    Left,
    /// Right-aligned (numbers).
    Right,
}

/// Rows of cells under headers.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these headers and alignments.
    #[must_use]
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| (*h).to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.chars().count())
                    .chain([self.headers[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn line(&self, cells: &[String], widths: &[usize], sep: &str) -> String {
        let padded: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let cell = cells.get(c).map_or("", String::as_str);
                match self.align[c] {
                    Align::Left => format!("{cell:<w$}"),
                    Align::Right => format!("{cell:>w$}"),
                }
            })
            .collect();
        padded.join(sep).trim_end().to_string()
    }

    /// Plain text, columns separated by two spaces.
    #[must_use]
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let mut out = self.line(&self.headers, &widths, "  ");
        out.push('\n');
        for row in &self.rows {
            out.push_str(&self.line(row, &widths, "  "));
            out.push('\n');
        }
        out
    }

    /// An HTML table (cells escaped; numbers right-aligned by class).
    #[must_use]
    pub fn to_html(&self) -> String {
        let class = |a: Align| match a {
            Align::Left => "",
            Align::Right => " class=\"num\"",
        };
        let mut out = String::from("<table>\n<thead><tr>");
        for (h, a) in self.headers.iter().zip(&self.align) {
            out.push_str(&format!("<th{}>{}</th>", class(*a), html_escape(h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for (c, a) in self.align.iter().enumerate() {
                let cell = row.get(c).map_or("", String::as_str);
                out.push_str(&format!("<td{}>{}</td>", class(*a), html_escape(cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    /// A GitHub-flavoured markdown table.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let escape = |s: &String| s.replace('|', "\\|");
        let mut out = format!(
            "| {} |\n|",
            self.headers
                .iter()
                .map(escape)
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for a in &self.align {
            out.push_str(match a {
                Align::Left => " --- |",
                Align::Right => " ---: |",
            });
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(escape).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }
}

/// A quantity for people: up to `decimals` places, trailing zeros dropped, thousands grouped.
#[must_use]
pub fn format_quantity(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    let (whole, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A unit price for people: `$` and up to ten decimals, trailing zeros dropped.
#[must_use]
pub fn format_unit_price(usd: f64) -> String {
    let text = format!("{usd:.10}");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    format!("${whole}.{frac:0<2}")
}

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_markdown_align() {
        let mut t = Table::new(&[("NAME", Align::Left), ("USD", Align::Right)]);
        t.row(vec!["a".into(), "$1.00".into()]);
        t.row(vec!["long name".into(), "$100.00".into()]);
        assert_eq!(
            t.to_text(),
            "NAME           USD\na            $1.00\nlong name  $100.00\n"
        );
        assert_eq!(
            t.to_markdown(),
            "| NAME | USD |\n| --- | ---: |\n| a | $1.00 |\n| long name | $100.00 |\n"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_quantity(1_100_000.0, 3), "1,100,000");
        assert_eq!(format_quantity(730.5, 3), "730.5");
        assert_eq!(format_unit_price(0.000_016_666_7), "$0.0000166667");
        assert_eq!(format_unit_price(0.2), "$0.20");
        assert_eq!(format_unit_price(0.0), "$0.00");
    }
}
