//! The pure parts of a Logs Insights query for chat: the query string (with or without the
//! error filter), the window of an alarm, log-group names checked as CloudWatch Logs accepts
//! them, the Logs Insights console link and the equivalent `aws logs start-query` command, and
//! the rows of an answer. No IO.

use crate::aws::logs::QueryResults;
use crate::notify::message::{AlarmNotification, AlarmTrigger};
use crate::render::LogRow;

/// How many entries a query returns.
pub(super) const QUERY_LIMIT: u32 = 30;

/// Show error logs keeps entries with these words in any case.
pub(super) const ERROR_FILTER: &str = "filter @message like /(?i)(error|exception|fail)/";

/// The window of a composite alarm, or of one whose trigger the message did not give: the
/// last 30 minutes before the change.
pub(super) const DEFAULT_LOOKBACK_MILLIS: i64 = 30 * 60 * 1000;

/// StartQuery takes at most this many log groups.
pub(super) const MAX_QUERY_LOG_GROUPS: usize = 50;

/// The query of Show logs, or of Show error logs (`errors_only`): the filter comes before the
/// sort so that the limit counts matching entries only.
pub(super) fn query_string(errors_only: bool) -> String {
    let mut parts = vec!["fields @timestamp, @logStream, @message"];
    if errors_only {
        parts.push(ERROR_FILTER);
    }
    let limit = format!("limit {QUERY_LIMIT}");
    parts.push("sort @timestamp asc");
    parts.push(&limit);
    parts.join(" | ")
}

/// (start, end) in milliseconds: from the start of the alarm's evaluation (the state change
/// time − Period × EvaluationPeriods; for a composite or unknown trigger 30 minutes before the
/// change) to `now_millis`.
pub(super) fn alarm_window(alarm: &AlarmNotification, now_millis: i64) -> (i64, i64) {
    let evaluated = match &alarm.trigger {
        AlarmTrigger::Metric(metric) => {
            i64::from(metric.metric.period_seconds) * i64::from(metric.evaluation_periods)
        }
        AlarmTrigger::Math(math) => {
            i64::from(math.period_seconds) * i64::from(math.evaluation_periods)
        }
        AlarmTrigger::Composite(_) | AlarmTrigger::Unknown => 0,
    };
    let lookback = match evaluated.saturating_mul(1000) {
        0 => DEFAULT_LOOKBACK_MILLIS,
        millis => millis,
    };
    let start = alarm.changed_at_millis.saturating_sub(lookback);
    // A change time ahead of this clock still gives a window of at least a second.
    (start, now_millis.max(start + 1000))
}

/// The window in whole seconds, as StartQuery takes it: the start rounded down, the end up.
pub(super) fn window_seconds(start_millis: i64, end_millis: i64) -> (i64, i64) {
    (
        start_millis.div_euclid(1000),
        end_millis.div_euclid(1000) + i64::from(end_millis.rem_euclid(1000) != 0),
    )
}

/// Whether CloudWatch Logs accepts `name` as a log group name: 1 to 512 of `[.-_/#A-Za-z0-9]`.
pub(super) fn is_log_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#'))
}

/// Comma-separated log group names (a tag value, a submitted form): trimmed, each once, in
/// order. The problem with the first name that is not a log group name, or with the count.
pub(super) fn parse_log_groups(text: &str) -> Result<Vec<String>, String> {
    let mut groups: Vec<String> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !is_log_group_name(name) {
            return Err(format!(
                "\"{}\" is not a log group name (letters, digits and . - _ / # only, at most 512).",
                name.chars().take(80).collect::<String>()
            ));
        }
        if !groups.iter().any(|g| g == name) {
            groups.push(name.to_owned());
        }
    }
    match groups.len() {
        0 => Err("Choose at least one log group.".to_owned()),
        n if n > MAX_QUERY_LOG_GROUPS => Err(format!(
            "A query reads at most {MAX_QUERY_LOG_GROUPS} log groups; {n} were given."
        )),
        _ => Ok(groups),
    }
}

/// The Logs Insights console page with this query, window and log groups. The console keeps
/// its state in the URL fragment, encoded as the console writes it (not documented by AWS;
/// reconstructed from links the console makes): `~(key~value~...)` objects, `'` before a
/// string, `*XX` for each escaped byte of a value, and the structure characters then escaped
/// once more (`~` → `$257E`, `(` → `$2528`, `)` → `$2529`, `'` → `$2527`).
pub(super) fn console_url(
    region: &str,
    log_groups: &[String],
    start_millis: i64,
    end_millis: i64,
    query: &str,
) -> String {
    const TILDE: &str = "$257E";
    const OPEN: &str = "$2528";
    const CLOSE: &str = "$2529";
    const QUOTE: &str = "$2527";
    let string = |value: &str| format!("{QUOTE}{}", console_escape(value));
    let mut detail = format!("{TILDE}{OPEN}");
    let fields = [
        ("end", string(&iso_millis(end_millis))),
        ("start", string(&iso_millis(start_millis))),
        ("timeType", string("ABSOLUTE")),
        ("tz", string("UTC")),
        ("editorString", string(query)),
        ("isLiveTail", "false".to_owned()),
    ];
    for (index, (key, value)) in fields.iter().enumerate() {
        if index > 0 {
            detail.push_str(TILDE);
        }
        detail.push_str(&format!("{key}{TILDE}{value}"));
    }
    detail.push_str(&format!("{TILDE}source{TILDE}{OPEN}"));
    for group in log_groups {
        detail.push_str(&format!("{TILDE}{}", string(group)));
    }
    detail.push_str(&format!("{CLOSE}{CLOSE}"));
    format!(
        "{}/cloudwatch/home?region={region}#logsV2:logs-insights$3FqueryDetail$3D{detail}",
        console_host(region)
    )
}

/// The console's address for a Region's partition.
fn console_host(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("https://{region}.console.amazonaws.cn")
    } else if region.starts_with("us-gov-") {
        "https://console.amazonaws-us-gov.com".to_owned()
    } else {
        format!("https://{region}.console.aws.amazon.com")
    }
}

/// A console value: letters, digits, `-` and `.` as they are; every other byte as `*xx`.
fn console_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("*{byte:02x}"));
        }
    }
    out
}

/// `2026-12-03T10:42:07.000Z`.
fn iso_millis(millis: i64) -> String {
    format!("{}Z", utc_text(millis, 'T'))
}

/// `2026-12-03 10:42:07.123` (with `separator` between date and time), in UTC.
fn utc_text(millis: i64, separator: char) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}{separator}{:02}:{:02}:{:02}.{:03}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        millis.rem_euclid(1000)
    )
}

/// The query as an AWS CLI command a user can copy, edit and send to the bot again.
pub(super) fn command_line(
    region: Option<&str>,
    log_groups: &[String],
    start_seconds: i64,
    end_seconds: i64,
    query: &str,
) -> String {
    let mut words = vec!["aws logs start-query".to_owned()];
    if let Some(region) = region {
        words.push(format!("--region {}", shell_quote(region)));
    }
    words.push("--log-group-names".to_owned());
    words.extend(log_groups.iter().map(|g| shell_quote(g)));
    words.push(format!("--start-time {start_seconds}"));
    words.push(format!("--end-time {end_seconds}"));
    words.push(format!("--query-string {}", shell_quote(query)));
    words.join(" ")
}

/// `word` as a POSIX shell (and the bot's own tokenizer) reads it back: as it is when it is
/// plain, else in single quotes with each `'` written `'\''`.
pub(super) fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':' | b'@' | b'#')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The rows of an answer: `@timestamp` (milliseconds since the epoch become UTC text, as the
/// service itself writes it), `@logStream` and `@message`.
pub(super) fn rows(results: &QueryResults) -> Vec<LogRow> {
    results
        .rows
        .iter()
        .map(|fields| {
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(field, _)| field == name)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default()
            };
            let timestamp = field("@timestamp");
            LogRow {
                timestamp: match timestamp.parse::<i64>() {
                    Ok(millis) => utc_text(millis, ' '),
                    Err(_) => timestamp,
                },
                stream: field("@logStream"),
                message: field("@message"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::tokenize;
    use crate::notify::message::{AlarmState, CompositeTrigger, MetricStat, MetricTrigger};

    fn alarm(trigger: AlarmTrigger) -> AlarmNotification {
        AlarmNotification {
            name: "api-5xx".into(),
            description: None,
            arn: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            new_state: AlarmState::Alarm,
            old_state: Some(AlarmState::Ok),
            reason: "Threshold crossed".into(),
            changed_at_millis: 1_764_758_520_000,
            trigger,
        }
    }

    fn metric(period: u32, periods: u32) -> AlarmTrigger {
        AlarmTrigger::Metric(MetricTrigger {
            metric: MetricStat {
                namespace: "AWS/Lambda".into(),
                metric_name: "Errors".into(),
                dimensions: vec![("FunctionName".into(), "orders".into())],
                stat: "Sum".into(),
                period_seconds: period,
                unit: None,
            },
            evaluation_periods: periods,
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: Some(1.0),
            treat_missing_data: None,
        })
    }

    #[test]
    fn the_query_filters_errors_before_sorting_and_limiting() {
        assert_eq!(
            query_string(false),
            "fields @timestamp, @logStream, @message | sort @timestamp asc | limit 30"
        );
        assert_eq!(
            query_string(true),
            "fields @timestamp, @logStream, @message | filter @message like /(?i)(error|exception|fail)/ | sort @timestamp asc | limit 30"
        );
    }

    #[test]
    fn the_window_starts_where_the_evaluation_started() {
        let now = 1_764_760_000_000;
        let changed = 1_764_758_520_000;
        assert_eq!(
            alarm_window(&alarm(metric(60, 5)), now),
            (changed - 300_000, now)
        );
        let composite = AlarmTrigger::Composite(CompositeTrigger {
            rule: "ALARM(a)".into(),
            triggering_children: vec![],
        });
        assert_eq!(
            alarm_window(&alarm(composite), now),
            (changed - DEFAULT_LOOKBACK_MILLIS, now)
        );
        let unknown = alarm(AlarmTrigger::Unknown);
        let start = changed - DEFAULT_LOOKBACK_MILLIS;
        assert_eq!(alarm_window(&unknown, changed - 10), (start, changed - 10));
        assert_eq!(alarm_window(&unknown, start - 5), (start, start + 1000));
        assert_eq!(window_seconds(1_500, 2_001), (1, 3));
        assert_eq!(window_seconds(1_000, 2_000), (1, 2));
    }

    #[test]
    fn log_group_names_are_checked_counted_and_kept_once() {
        assert_eq!(
            parse_log_groups(
                " /aws/lambda/a, API-Gateway-Execution-Logs_ab12/prod ,/aws/lambda/a,"
            )
            .unwrap(),
            ["/aws/lambda/a", "API-Gateway-Execution-Logs_ab12/prod"]
        );
        assert!(parse_log_groups("/a b")
            .unwrap_err()
            .contains("not a log group name"));
        assert!(parse_log_groups("/x;rm").is_err());
        assert!(parse_log_groups(" , ").is_err());
        let many: Vec<String> = (0..51).map(|i| format!("/g{i}")).collect();
        assert!(parse_log_groups(&many.join(","))
            .unwrap_err()
            .contains("at most 50"));
        assert!(!is_log_group_name(&"a".repeat(513)));
    }

    #[test]
    fn the_console_link_encodes_the_query_like_the_console() {
        let url = console_url(
            "eu-west-1",
            &["/aws/lambda/orders".into()],
            1_764_758_220_000,
            1_764_758_527_000,
            "fields @message | limit 30",
        );
        assert_eq!(
            url,
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D\
$257E$2528end$257E$25272025-12-03T10*3a42*3a07.000Z$257Estart$257E$25272025-12-03T10*3a37*3a00.000Z\
$257EtimeType$257E$2527ABSOLUTE$257Etz$257E$2527UTC\
$257EeditorString$257E$2527fields*20*40message*20*7c*20limit*2030$257EisLiveTail$257Efalse\
$257Esource$257E$2528$257E$2527*2faws*2flambda*2forders$2529$2529"
        );
        assert!(console_url("cn-north-1", &[], 0, 1000, "x")
            .starts_with("https://cn-north-1.console.amazonaws.cn/"));
    }

    #[test]
    fn the_command_reads_back_as_the_same_words() {
        let query = query_string(true);
        let line = command_line(
            Some("us-east-1"),
            &["/aws/lambda/orders".into(), "/ecs/it's".into()],
            1_764_758_220,
            1_764_758_528,
            &query,
        );
        assert!(line.starts_with("aws logs start-query --region us-east-1 --log-group-names /aws/lambda/orders '/ecs/it'\\''s' --start-time 1764758220 --end-time 1764758528 --query-string 'fields"), "{line}");
        let words = tokenize(&line).unwrap();
        assert_eq!(words[7], "/ecs/it's");
        assert_eq!(words.last().unwrap(), &query);
    }

    #[test]
    fn rows_take_the_three_fields_and_format_epoch_times() {
        let results = QueryResults {
            status: "Complete".into(),
            rows: vec![
                vec![
                    ("@timestamp".into(), "1764758527123".into()),
                    ("@logStream".into(), "s1".into()),
                    ("@message".into(), "ERROR boom".into()),
                    ("@ptr".into(), "x".into()),
                ],
                vec![("@timestamp".into(), "2025-12-03 10:42:07.000".into())],
            ],
        };
        let rows = rows(&results);
        assert_eq!(rows[0].timestamp, "2025-12-03 10:42:07.123");
        assert_eq!(
            (rows[0].stream.as_str(), rows[0].message.as_str()),
            ("s1", "ERROR boom")
        );
        assert_eq!(rows[1].timestamp, "2025-12-03 10:42:07.000");
        assert_eq!(rows[1].message, "");
    }
}
