//! The trend across scans: score and failed findings by severity, oldest first.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::rules::Severity;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub scan_id: String,
    pub finished_at: DateTime<Utc>,
    pub score: Option<f64>,
    pub failed: usize,
    pub failed_by_severity: BTreeMap<Severity, usize>,
}

/// One point per scan, keeping the last `last` and those since `since`.
pub fn trend(
    stored: &[crate::report::Report],
    last: Option<usize>,
    since: Option<DateTime<Utc>>,
) -> Vec<Point> {
    let mut points: Vec<Point> = stored
        .iter()
        .filter(|s| since.is_none_or(|t| s.scan.finished_at >= t))
        .map(|s| Point {
            scan_id: s.scan.id.clone(),
            finished_at: s.scan.finished_at,
            score: s.summary.score,
            failed: s.summary.failed_by_severity.values().sum(),
            failed_by_severity: s.summary.failed_by_severity.clone(),
        })
        .collect();
    if let Some(n) = last {
        points = points.split_off(points.len().saturating_sub(n));
    }
    points
}

/// The scores as a one-line sparkline (0–100 mapped onto eight blocks).
pub fn sparkline(points: &[Point]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    points
        .iter()
        .map(|p| {
            p.score
                .map_or(' ', |s| BLOCKS[((s / 100.0 * 7.0).round() as usize).min(7)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tests::stored;

    #[test]
    fn points_follow_the_scans_and_can_be_narrowed() {
        let scans = vec![
            stored("a", 1, 50.0),
            stored("b", 2, 75.0),
            stored("c", 3, 100.0),
        ];
        let all = trend(&scans, None, None);
        assert_eq!(
            all.iter().map(|p| p.scan_id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(trend(&scans, Some(2), None).len(), 2);
        assert_eq!(trend(&scans, Some(2), None)[0].scan_id, "b");
        let since = scans[1].scan.finished_at;
        assert_eq!(trend(&scans, None, Some(since)).len(), 2);
        assert_eq!(sparkline(&all), "▅▆█");
    }
}
