//! One path of one option, hour by hour: the time series a report charts.

use serde::Serialize;

use crate::sim::StepRecord;

/// A path's steps gathered into hours (or kept per step when steps are an hour or longer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathSeries {
    /// The option.
    pub option: String,
    /// Its service.
    pub service: String,
    /// The path's index in the run.
    pub path: u64,
    /// Hours from the start of the horizon, at the start of each bucket.
    pub hours: Vec<f64>,
    /// Mean demand in the bucket, requests per second.
    pub demand_rps: Vec<f64>,
    /// Least capacity in the bucket, requests per second.
    pub capacity_rps: Vec<f64>,
    /// Most instances or tasks running in the bucket (concurrent executions for Lambda).
    pub running: Vec<f64>,
    /// Mean earned CPU-credit balance per instance in the bucket (0 without credits).
    pub credit_balance: Vec<f64>,
}

impl PathSeries {
    /// Gathers `steps` (of `step_s` seconds each) into hours.
    #[must_use]
    pub fn hourly(
        option: &str,
        service: &str,
        path: u64,
        step_s: f64,
        steps: &[StepRecord],
    ) -> PathSeries {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let per_bucket = ((3600.0 / step_s).floor() as usize).max(1);
        #[allow(clippy::cast_precision_loss)]
        let bucket_hours = per_bucket as f64 * step_s / 3600.0;
        let lambda = service == "lambda";
        let mut s = PathSeries {
            option: option.to_string(),
            service: service.to_string(),
            path,
            hours: Vec::new(),
            demand_rps: Vec::new(),
            capacity_rps: Vec::new(),
            running: Vec::new(),
            credit_balance: Vec::new(),
        };
        for (i, bucket) in steps.chunks(per_bucket).enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let n = bucket.len() as f64;
            #[allow(clippy::cast_precision_loss)]
            s.hours.push(i as f64 * bucket_hours);
            s.demand_rps
                .push(bucket.iter().map(|r| r.demand_rps).sum::<f64>() / n);
            s.capacity_rps.push(
                bucket
                    .iter()
                    .map(|r| r.capacity_rps)
                    .fold(f64::INFINITY, f64::min),
            );
            s.running.push(
                bucket
                    .iter()
                    .map(|r| if lambda { r.in_service } else { r.running })
                    .fold(0.0, f64::max),
            );
            s.credit_balance
                .push(bucket.iter().map(|r| r.credit_balance).sum::<f64>() / n);
        }
        s
    }

    /// What `running` counts, for an axis.
    #[must_use]
    pub fn units_label(&self) -> &'static str {
        match self.service.as_str() {
            "lambda" => "Concurrent executions",
            "fargate" => "Tasks running",
            _ => "Instances running",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_gather_into_hours() {
        let step = |k: usize| StepRecord {
            demand_rps: k as f64,
            served_rps: 0.0,
            capacity_rps: 100.0 - k as f64,
            running: if k == 70 { 3.0 } else { 2.0 },
            in_service: 2.0,
            credit_balance: 10.0,
            surplus_credits: 0.0,
            cost_usd: 0.0,
        };
        let steps: Vec<StepRecord> = (0..120).map(step).collect();
        let s = PathSeries::hourly("ec2", "ec2", 0, 60.0, &steps);
        assert_eq!(s.hours, [0.0, 1.0]);
        assert_eq!(s.demand_rps, [29.5, 89.5]);
        assert_eq!(s.capacity_rps, [41.0, -19.0]);
        assert_eq!(s.running, [2.0, 3.0]);
        assert_eq!(s.units_label(), "Instances running");
    }
}
