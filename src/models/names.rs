//! Name conversions shared by the engine: botocore's CamelCase → kebab-case rule and
//! "did you mean" suggestions by edit distance.

use std::sync::OnceLock;

use regex::Regex;

/// botocore's `xform_name(name, '-')`: `DescribeAlarms` → `describe-alarms`,
/// `ListWebACLs` → `list-web-acls`. A name that already contains `-` is returned unchanged.
pub fn xform_name(name: &str) -> String {
    static FIRST_CAP: OnceLock<Regex> = OnceLock::new();
    static END_CAP: OnceLock<Regex> = OnceLock::new();
    static PLURAL_ACRONYM: OnceLock<Regex> = OnceLock::new();
    if name.contains('-') {
        return name.to_owned();
    }
    let first_cap = FIRST_CAP.get_or_init(|| Regex::new("(.)([A-Z][a-z]+)").expect("valid regex"));
    let end_cap = END_CAP.get_or_init(|| Regex::new("([a-z0-9])([A-Z])").expect("valid regex"));
    let plural_acronym =
        PLURAL_ACRONYM.get_or_init(|| Regex::new("[A-Z]{2,}s$").expect("valid regex"));

    let mut name = name.to_owned();
    if let Some(found) = plural_acronym.find(&name) {
        let start = found.start();
        let lowered = found.as_str().to_lowercase();
        name = format!("{}-{}", &name[..start], lowered);
    }
    let step = first_cap.replace_all(&name, "${1}-${2}");
    end_cap.replace_all(&step, "${1}-${2}").to_lowercase()
}

/// Up to `limit` candidates close to `word` (edit distance within a third of its length, at
/// least 2), closest first; a candidate that starts with `word` also counts as close.
pub fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let threshold = (word.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|candidate| {
            let distance = edit_distance(word, candidate);
            let prefix = word.len() >= 3 && candidate.starts_with(word);
            (distance <= threshold || prefix).then_some((
                if prefix {
                    distance.min(threshold)
                } else {
                    distance
                },
                candidate,
            ))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, c)| c.to_owned())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xform_name_follows_botocore() {
        let cases = [
            ("DescribeAlarms", "describe-alarms"),
            ("ListWebACLs", "list-web-acls"),
            ("GatewayARNs", "gateway-arns"),
            ("UpdateShardCount", "update-shard-count"),
            ("GetHLSStreamingSessionURL", "get-hls-streaming-session-url"),
            ("DescribeDBInstances", "describe-db-instances"),
            ("already-kebab", "already-kebab"),
            ("S3Key", "s3-key"),
            ("MaxResults", "max-results"),
        ];
        for (input, expected) in cases {
            assert_eq!(xform_name(input), expected, "{input}");
        }
    }

    #[test]
    fn suggestions_rank_by_distance() {
        let candidates = [
            "describe-alarms",
            "describe-alarm-history",
            "delete-alarms",
            "put-metric-alarm",
        ];
        assert_eq!(
            suggest("describe-alarm", candidates.into_iter(), 2),
            ["describe-alarms", "describe-alarm-history"]
        );
        assert!(suggest("zzzz", candidates.into_iter(), 3).is_empty());
    }
}
