//! What a chart derives from its datapoints without drawing: the periods an alarm was in ALARM
//! (from the datapoints against the threshold), and the text sparkline a card shows when no
//! image fits. Pure.

/// The sparkline's eight levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A slot of the window without a datapoint.
const GAP: char = ' ';

/// Whether `value` breaches `threshold` under CloudWatch's `operator`
/// (`GreaterThanThreshold`, ...); unknown operators (anomaly bands) never breach.
pub fn breaches(operator: &str, value: f64, threshold: f64) -> bool {
    match operator {
        "GreaterThanThreshold" => value > threshold,
        "GreaterThanOrEqualToThreshold" => value >= threshold,
        "LessThanThreshold" => value < threshold,
        "LessThanOrEqualToThreshold" => value <= threshold,
        _ => false,
    }
}

/// The periods (`from`, `to`) the alarm was in ALARM as its datapoints tell it: CloudWatch
/// goes to ALARM when `evaluation_periods` datapoints in a row breach and leaves it at the
/// first one that does not. Each datapoint stands for `[time, time + period)`; a run of
/// breaching datapoints shades from the end of the evaluation window that tripped the alarm
/// (its `evaluation_periods`-th datapoint) to the end of its last breaching datapoint.
/// `points` must be in time order.
pub fn alarm_periods(
    points: &[(i64, f64)],
    threshold: f64,
    operator: &str,
    period: i64,
    evaluation_periods: u32,
) -> Vec<(i64, i64)> {
    let period = period.max(1);
    let needed = evaluation_periods.max(1) as usize;
    let mut periods: Vec<(i64, i64)> = Vec::new();
    let mut run: Vec<i64> = Vec::new();
    let close = |run: &mut Vec<i64>, periods: &mut Vec<(i64, i64)>| {
        if run.len() >= needed {
            let from = run[needed - 1];
            let to = run[run.len() - 1] + period;
            periods.push((from, to));
        }
        run.clear();
    };
    for &(time, value) in points {
        let contiguous = run.last().is_none_or(|last| time - last <= period);
        if !contiguous || !breaches(operator, value, threshold) {
            close(&mut run, &mut periods);
        }
        if breaches(operator, value, threshold) {
            run.push(time);
        }
    }
    close(&mut run, &mut periods);
    periods
}

/// Adds `extra` to `periods` and merges what overlaps or touches, in time order.
pub fn merge_periods(mut periods: Vec<(i64, i64)>, extra: Option<(i64, i64)>) -> Vec<(i64, i64)> {
    periods.extend(extra.filter(|(from, to)| from < to));
    periods.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (from, to) in periods {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The runs of `points` (in time order) without missing datapoints: a new run starts where
/// the step to the next point is more than twice the data's usual (smallest) step.
pub(crate) fn segments(points: &[(i64, f64)]) -> Vec<&[(i64, f64)]> {
    let step = points
        .windows(2)
        .map(|pair| pair[1].0 - pair[0].0)
        .filter(|step| *step > 0)
        .min();
    let Some(step) = step else {
        return vec![points];
    };
    let mut runs = Vec::new();
    let mut from = 0;
    for (index, pair) in points.windows(2).enumerate() {
        if pair[1].0 - pair[0].0 > 2 * step {
            runs.push(&points[from..=index]);
            from = index + 1;
        }
    }
    runs.push(&points[from..]);
    runs
}

/// The datapoints as `slots` characters across the window `start..end`: each slot shows the
/// highest value that falls in it on eight levels between the lowest and the highest value,
/// or a gap where there is none. Empty when there are no finite datapoints.
pub fn sparkline(points: &[(i64, f64)], start: i64, end: i64, slots: usize) -> String {
    let span = (end - start).max(1);
    let slots = slots.max(1);
    let mut highest: Vec<Option<f64>> = vec![None; slots];
    for &(time, value) in points {
        if !value.is_finite() || time < start || time > end {
            continue;
        }
        let offset = i128::from(time - start) * slots as i128 / i128::from(span);
        let slot = (offset as usize).min(slots - 1);
        highest[slot] = Some(highest[slot].map_or(value, |v: f64| v.max(value)));
    }
    let values = highest.iter().flatten();
    let low = values.clone().copied().fold(f64::INFINITY, f64::min);
    let high = values.copied().fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() {
        return String::new();
    }
    let range = high - low;
    highest
        .iter()
        .map(|slot| match slot {
            None => GAP,
            Some(_) if range <= f64::EPSILON => LEVELS[3],
            Some(value) => {
                let level = ((value - low) / range * (LEVELS.len() - 1) as f64).round();
                LEVELS[(level as usize).min(LEVELS.len() - 1)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_796_288_400;

    fn minutes(values: &[f64]) -> Vec<(i64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (T + 60 * i as i64, *v))
            .collect()
    }

    #[test]
    fn operators_compare_as_cloudwatch_does() {
        assert!(breaches("GreaterThanThreshold", 81.0, 80.0));
        assert!(!breaches("GreaterThanThreshold", 80.0, 80.0));
        assert!(breaches("GreaterThanOrEqualToThreshold", 80.0, 80.0));
        assert!(breaches("LessThanThreshold", 1.0, 2.0));
        assert!(breaches("LessThanOrEqualToThreshold", 2.0, 2.0));
        assert!(!breaches(
            "LessThanLowerOrGreaterThanUpperThreshold",
            1e9,
            0.0
        ));
    }

    #[test]
    fn one_breaching_datapoint_in_one_period_alarms_for_its_period() {
        let points = minutes(&[10.0, 90.0, 10.0, 95.0, 96.0, 10.0]);
        let periods = alarm_periods(&points, 80.0, "GreaterThanThreshold", 60, 1);
        assert_eq!(
            periods,
            [(T + 60, T + 120), (T + 180, T + 300)],
            "each run of breaches, to the end of its last period"
        );
    }

    #[test]
    fn an_alarm_needs_its_evaluation_periods_in_a_row() {
        // Two breaches, then three: only the run of three trips an alarm of three periods,
        // from its third datapoint on.
        let points = minutes(&[90.0, 90.0, 10.0, 90.0, 91.0, 92.0, 93.0, 10.0]);
        let periods = alarm_periods(&points, 80.0, "GreaterThanThreshold", 60, 3);
        assert_eq!(periods, [(T + 5 * 60, T + 7 * 60)]);
    }

    #[test]
    fn a_gap_in_the_data_ends_a_run() {
        let points = vec![(T, 90.0), (T + 60, 90.0), (T + 600, 90.0), (T + 660, 90.0)];
        let periods = alarm_periods(&points, 80.0, "GreaterThanThreshold", 60, 2);
        assert_eq!(periods, [(T + 60, T + 120), (T + 660, T + 720)]);
    }

    #[test]
    fn low_alarms_shade_below_the_threshold() {
        let points = minutes(&[5.0, 1.0, 0.0, 5.0]);
        let periods = alarm_periods(&points, 2.0, "LessThanThreshold", 60, 1);
        assert_eq!(periods, [(T + 60, T + 180)]);
    }

    #[test]
    fn the_current_episode_merges_with_what_the_data_shows() {
        let merged = merge_periods(
            vec![(T, T + 120), (T + 600, T + 660)],
            Some((T + 630, T + 900)),
        );
        assert_eq!(merged, [(T, T + 120), (T + 600, T + 900)]);
        assert_eq!(merge_periods(vec![], Some((T, T))), []);
    }

    #[test]
    fn the_line_breaks_where_datapoints_are_missing() {
        let points = vec![
            (T, 1.0),
            (T + 60, 2.0),
            (T + 600, 3.0),
            (T + 660, 4.0),
            (T + 720, 5.0),
        ];
        let runs = segments(&points);
        assert_eq!(runs, [&points[..2], &points[2..]]);
        assert_eq!(segments(&points[..1]), [&points[..1]]);
        assert_eq!(segments(&minutes(&[1.0, 2.0, 3.0])).len(), 1);
    }

    #[test]
    fn a_sparkline_spans_the_window_with_gaps_for_missing_data() {
        let points = vec![(T, 0.0), (T + 60, 50.0), (T + 180, 100.0)];
        assert_eq!(sparkline(&points, T, T + 240, 4), "▁▅ █");
        assert_eq!(sparkline(&[], T, T + 240, 4), "");
        assert_eq!(sparkline(&[(T, 7.0), (T + 60, 7.0)], T, T + 120, 2), "▄▄");
        // Points outside the window and non-finite values are left out.
        assert_eq!(
            sparkline(&[(T - 1, 1.0), (T, f64::NAN), (T + 60, 3.0)], T, T + 120, 2),
            " ▄"
        );
    }
}
