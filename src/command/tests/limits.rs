//! The nesting bounds on option values and `--query`, and the deepest accepted values on a
//! worker-sized stack.

use super::*;

/// The nesting bounds on option values (shorthand and JSON) and on `--query`: inputs just
/// under and just over each, and the messages that crashed the bot before the bounds.
#[test]
fn nesting_limits_refuse_with_the_limit_named() {
    use crate::command::shorthand::MAX_SHORTHAND_DEPTH;
    use crate::command::values::MAX_JSON_VALUE_DEPTH;
    let hashes = |n: usize| format!("Name={}b{}", "{a=".repeat(n), "}".repeat(n));
    let lists = |n: usize| format!("Name={}b{}", "[".repeat(n), "]".repeat(n));
    let json = |n: usize| format!("'{}1{}'", "[".repeat(n), "]".repeat(n));
    let shorthand_limit = "more than 32 levels deep, the limit";
    let json_limit = "more than 32 levels deep, the limit; flatten the value";
    let query_limit = "the limit is";
    let bracket_limit = "Brackets nest more than 64 deep";
    let cases: Vec<(String, Option<&str>)> = vec![
        (
            format!("--dimensions {}", hashes(MAX_SHORTHAND_DEPTH)),
            None,
        ),
        (
            format!("--dimensions {}", hashes(MAX_SHORTHAND_DEPTH + 1)),
            Some(shorthand_limit),
        ),
        (format!("--dimensions {}", lists(MAX_SHORTHAND_DEPTH)), None),
        (
            format!("--dimensions {}", lists(MAX_SHORTHAND_DEPTH + 1)),
            Some(shorthand_limit),
        ),
        // The JSON list of dimensions is one level itself.
        (
            format!("--dimensions {}", json(MAX_JSON_VALUE_DEPTH - 1)),
            None,
        ),
        (
            format!("--dimensions {}", json(MAX_JSON_VALUE_DEPTH)),
            Some(json_limit),
        ),
        // The messages that aborted the process. Unquoted, the tokenizer's bracket bound
        // refuses them before shorthand parsing; quoted, the shorthand bound does.
        (
            format!("--dimensions Name={}", "{a=".repeat(1000)),
            Some(bracket_limit),
        ),
        (
            format!("--dimensions Name={}", "[".repeat(3000)),
            Some(bracket_limit),
        ),
        (
            format!("--dimensions 'Name={}'", "{a=".repeat(1000)),
            Some(shorthand_limit),
        ),
        (
            format!("--dimensions 'Name={}'", "[".repeat(3000)),
            Some(shorthand_limit),
        ),
        (format!("--dimensions {}", json(3000)), Some("invalid JSON")),
        (
            format!("--query '{}a'", "!".repeat(3000)),
            Some(query_limit),
        ),
        (format!("--query '{}'", "[".repeat(3000)), Some(query_limit)),
        (format!("--query '{}'", "(".repeat(3000)), Some(query_limit)),
        (
            format!("--query '{}'", "[?".repeat(1500)),
            Some(query_limit),
        ),
        (
            format!("--query 'a{}'", ".a".repeat(3000)),
            Some(query_limit),
        ),
        (
            format!("--query 'a{}'", "[0]".repeat(3000)),
            Some(query_limit),
        ),
    ];
    for (options, refused) in cases {
        let input = format!("cloudwatch list-metrics {options}");
        let outcome = run(&input).err().map(|e| e.to_string());
        let shown = &input[..input.len().min(80)];
        match refused {
            // Under the limit the value may still be wrong for the model, but not too deep.
            None => assert!(
                outcome.as_deref().is_none_or(|e| !e.contains("limit")),
                "{shown}: {outcome:?}"
            ),
            Some(needle) => {
                let message = outcome.unwrap_or_else(|| panic!("{shown}: accepted"));
                assert!(message.contains(needle), "{shown}: {message}");
            }
        }
    }
}

/// The deepest values the bounds accept go through the whole grammar on half a tokio worker's
/// stack (a debug build's frames are the largest).
#[test]
fn the_deepest_accepted_values_fit_a_worker_stack() {
    use crate::command::shorthand::MAX_SHORTHAND_DEPTH;
    use crate::command::values::MAX_JSON_VALUE_DEPTH;
    let n = MAX_SHORTHAND_DEPTH;
    let inputs = vec![
        format!(
            "cloudwatch list-metrics --dimensions Name={}b{}",
            "{a=".repeat(n),
            "}".repeat(n)
        ),
        format!(
            "cloudwatch list-metrics --dimensions Name={}b{}",
            "[".repeat(n),
            "]".repeat(n)
        ),
        format!(
            "cloudwatch list-metrics --dimensions '{}1{}'",
            "[".repeat(MAX_JSON_VALUE_DEPTH - 1),
            "]".repeat(MAX_JSON_VALUE_DEPTH - 1)
        ),
        // serde_json's own limit: parsed (and dropped) before the bot's depth check.
        format!(
            "cloudwatch list-metrics --dimensions '{}1{}'",
            "[".repeat(127),
            "]".repeat(127)
        ),
        format!(
            "cloudwatch list-metrics --dimensions '[{}\"a\":1{}]'",
            "{\"a\":".repeat(MAX_JSON_VALUE_DEPTH - 2),
            "}".repeat(MAX_JSON_VALUE_DEPTH - 1)
        ),
    ];
    let outcome = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            for input in &inputs {
                let _ = run(input);
            }
        })
        .expect("spawn")
        .join();
    assert!(outcome.is_ok());
}
