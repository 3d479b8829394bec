//! The simulated calendar: regular steps from a start date, grouped by calendar month.

use chrono::{Datelike, Months, NaiveDate};

/// One calendar month of the horizon.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub label: String,
    /// Index of its first step.
    pub first_step: usize,
    /// One past its last step.
    pub end_step: usize,
}

impl Month {
    /// Number of steps in the month.
    #[must_use]
    pub fn steps(&self) -> usize {
        self.end_step - self.first_step
    }
}

/// Regular steps over whole calendar months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// First day (midnight UTC).
    pub start: NaiveDate,
    /// Unix seconds of the start.
    pub start_s: i64,
    /// Step length in seconds; divides a day, so steps never straddle a month boundary.
    pub step_s: i64,
    /// Total number of steps.
    pub steps: usize,
    /// The months, in order.
    pub months: Vec<Month>,
}

impl Timeline {
    /// Steps of `step_s` from `start` for `horizon_months` calendar months.
    ///
    /// # Errors
    /// A message (for the caller to place in the file) when the step does not divide a
    /// day or the horizon is empty.
    pub fn new(start: NaiveDate, horizon_months: u32, step_s: i64) -> Result<Timeline, String> {
        if step_s <= 0 || 86_400 % step_s != 0 {
            return Err(format!(
                "a step of {step_s} s does not divide a day; use e.g. 30s, 1m, 5m, 15m or 1h"
            ));
        }
        if horizon_months == 0 || horizon_months > 120 {
            return Err(format!("{horizon_months} months is outside 1..=120"));
        }
        let end = start
            .checked_add_months(Months::new(horizon_months))
            .ok_or_else(|| "the horizon runs past the calendar".to_string())?;
        let steps_per_day = usize::try_from(86_400 / step_s).expect("invariant: positive step");
        let mut months = Vec::new();
        let mut first_step = 0usize;
        let mut day = start;
        while day < end {
            let next = first_of_next_month(day).min(end);
            let days =
                usize::try_from((next - day).num_days()).expect("invariant: months move forward");
            let end_step = first_step + days * steps_per_day;
            months.push(Month {
                label: format!("{:04}-{:02}", day.year(), day.month()),
                first_step,
                end_step,
            });
            first_step = end_step;
            day = next;
        }
        let start_s = start
            .and_hms_opt(0, 0, 0)
            .expect("invariant: midnight exists")
            .and_utc()
            .timestamp();
        Ok(Timeline {
            start,
            start_s,
            step_s,
            steps: first_step,
            months,
        })
    }

    /// The first `days` days of this timeline (all of it when shorter), its last month
    /// cut short: for quick runs and benchmarks of a slice of a horizon.
    #[must_use]
    pub fn first_days(&self, days: usize) -> Timeline {
        let steps_per_day = usize::try_from(86_400 / self.step_s).unwrap_or(1);
        let steps = (days * steps_per_day).min(self.steps);
        let months = self
            .months
            .iter()
            .filter(|m| m.first_step < steps)
            .map(|m| Month {
                end_step: m.end_step.min(steps),
                ..m.clone()
            })
            .collect();
        Timeline {
            steps,
            months,
            ..self.clone()
        }
    }

    /// Step length in seconds, as a float.
    #[must_use]
    pub fn step_seconds(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // a day at most
        let s = self.step_s as f64;
        s
    }

    /// Unix seconds at the start of step `k`.
    #[must_use]
    pub fn time_s(&self, k: usize) -> i64 {
        self.start_s + i64::try_from(k).unwrap_or(i64::MAX) * self.step_s
    }

    /// Index of the month holding step `k`.
    #[must_use]
    pub fn month_of(&self, k: usize) -> usize {
        self.months.partition_point(|m| m.end_step <= k)
    }
}

fn first_of_next_month(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).expect("invariant: day 1 exists");
    first
        .checked_add_months(Months::new(1))
        .expect("invariant: within the calendar")
}

/// Parses `30s`, `1m`, `5m`, `1h`, `1d` into seconds.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_step(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a step such as 30s, 1m, 5m or 1h"))?;
    let unit_s = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}` is not a step such as 30s, 1m, 5m or 1h")),
    };
    Ok(n * unit_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_calendar() {
        let start = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let t = Timeline::new(start, 3, 3600).unwrap();
        let labels: Vec<_> = t
            .months
            .iter()
            .map(|m| (m.label.as_str(), m.steps()))
            .collect();
        assert_eq!(
            labels,
            vec![("2027-01", 744), ("2027-02", 672), ("2027-03", 744)]
        );
        assert_eq!(t.steps, 2160);
        assert_eq!(t.month_of(743), 0);
        assert_eq!(t.month_of(744), 1);
    }

    #[test]
    fn a_mid_month_start_has_partial_months() {
        let start = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let t = Timeline::new(start, 1, 86_400).unwrap();
        let labels: Vec<_> = t
            .months
            .iter()
            .map(|m| (m.label.as_str(), m.steps()))
            .collect();
        assert_eq!(labels, vec![("2027-01", 17), ("2027-02", 14)]);
    }

    #[test]
    fn steps_parse_and_must_divide_a_day() {
        assert_eq!(parse_step("5m"), Ok(300));
        assert_eq!(parse_step("1h"), Ok(3600));
        assert!(parse_step("5 parsecs").is_err());
        let start = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(
            Timeline::new(start, 1, 7)
                .unwrap_err()
                .contains("does not divide a day")
        );
    }
}
