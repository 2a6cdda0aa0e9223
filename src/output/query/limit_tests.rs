//! The bounds in [`super::limits`]: inputs just under and just over each, the crash inputs
//! from chat, and the worst accepted inputs on a stack as small as a tokio worker's.

use serde_json::{json, Value};

use super::budget::weight;
use super::limits::*;
use super::Query;
use crate::output::OutputError;

/// Half a tokio worker thread's stack (2 MiB, the smallest any query runs on): the frames
/// above the query (actix, tokio, the turn handler, the renderer) keep the other half.
/// Measured: `!` x 256 needed more than 1 MiB before the prefix-operator limit.
const WORKER_STACK: usize = 1024 * 1024;

fn refusal(expression: &str) -> Option<String> {
    match Query::parse(expression) {
        Ok(_) => None,
        Err(OutputError::InvalidQuery { reason, .. }) => Some(reason),
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// `n` copies of `unit`.
fn times(unit: &str, n: usize) -> String {
    unit.repeat(n)
}

#[test]
fn limits_are_checked_just_under_and_just_over() {
    let nested = |n: usize| format!("{}a{}", times("(", n), times(")", n));
    let ops = MAX_QUERY_OPERATORS;
    // (expression, the limit named in the refusal, or None when it must parse)
    let cases: Vec<(String, Option<&str>)> = vec![
        // Numbers the crate's lexer would panic on (found by scripts/fuzz-long.sh).
        ("-²".to_owned(), Some("ASCII digits")),
        ("a[-٣]".to_owned(), Some("ASCII digits")),
        ("a[2147483647]".to_owned(), None),
        (
            "a[2147483648]".to_owned(),
            Some("numbers in an expression go up to 2147483647"),
        ),
        ("a[-2147483648]".to_owned(), Some("too large")),
        ("a[99999999999999999999999]".to_owned(), Some("too large")),
        ("a[1:99999999999]".to_owned(), Some("too large")),
        // Digits inside a name or a quoted part are not numbers.
        ("a99999999999".to_owned(), None),
        ("a[?b=='99999999999']".to_owned(), None),
        (format!("a{}", times(" ", MAX_QUERY_LENGTH - 1)), None),
        (
            format!("a{}", times(" ", MAX_QUERY_LENGTH)),
            Some("limit is 4096"),
        ),
        (nested(MAX_QUERY_NESTING), None),
        (nested(MAX_QUERY_NESTING + 1), Some("more than 32 deep")),
        (format!("{}a{}", times("[", 33), times("]", 33)), Some("32")),
        // Operators: `a.a` has one; a flat multi-select keeps the tree shallow.
        (format!("[{}]", vec!["a.b"; ops - 1].join(",")), None),
        (
            format!("[{}]", vec!["a.b"; ops].join(",")),
            Some("more than 256 operators"),
        ),
        // Chains that do not nest brackets but deepen the tree.
        (format!("a{}", times(".a", MAX_QUERY_DEPTH - 1)), None),
        (
            format!("a{}", times(".a", MAX_QUERY_DEPTH)),
            Some("limit is 64"),
        ),
        (format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS)), None),
        (
            format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS + 1)),
            Some("more than 32 ! and &"),
        ),
        (
            format!("{}a", times("!a != ", MAX_QUERY_PREFIX_OPERATORS)),
            None,
        ),
        (
            format!("a{}", times(" && a", MAX_QUERY_PREFIX_OPERATORS + 8)),
            None,
        ),
        (format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 - 1)), None),
        (
            format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 + 1)),
            Some("limit is 64"),
        ),
        (format!("a{}", times("[0]", MAX_QUERY_DEPTH - 1)), None),
        (
            format!("a{}", times("[0]", MAX_QUERY_DEPTH)),
            Some("limit is 64"),
        ),
        // Operators inside quotes and literals are text, not structure.
        (format!("'{}'", times("(", 1000)), None),
        (format!("\"{}\"", times("[", 1000)), None),
        (format!("`\"{}\"`", times("!", 1000)), None),
    ];
    for (expression, refused) in cases {
        let got = refusal(&expression);
        match refused {
            None => assert!(got.is_none(), "{expression:.60}: {got:?}"),
            Some(needle) => {
                let reason = got.unwrap_or_else(|| panic!("{expression:.60} parsed"));
                assert!(reason.contains(needle), "{expression:.60}: {reason}");
            }
        }
    }
}

/// The messages that crashed the bot: each is refused with a message naming a limit.
#[test]
fn the_crash_expressions_are_refused() {
    let crashes = [
        format!("{}a", times("!", 3000)),
        times("[", 3000),
        times("(", 3000),
        times("[?", 1500),
        format!("a{}", times(".a", 3000)),
        format!("a{}", times("[0]", 3000)),
        format!("a{}", times("[*].a", 1000)),
        format!("{}a", times("&", 3000)),
        format!("a{}", times("|a", 3000)),
    ];
    for expression in crashes {
        let reason = refusal(&expression).expect("refused");
        assert!(reason.contains("limit"), "{reason}");
    }
}

#[test]
fn the_refusal_does_not_echo_a_long_expression() {
    let error = Query::parse(&times("(", 5000)).expect_err("refused");
    assert!(error.to_string().len() < 300, "{error}");
}

/// Doubling chains stop at the work budget instead of allocating 2^n values.
#[test]
fn doubling_results_stop_at_the_budget() {
    let input = json!({"a": [1, 2, 3]});
    let doubling = format!("@{}", times("|[@,@]", 60));
    let query = Query::parse(&doubling).expect("parses");
    let error = query.search(&input).expect_err("over budget");
    assert!(error.to_string().contains("limit of"), "{error}");
    // A few doublings stay well inside the budget.
    let small = Query::parse("@|[@,@]|[@,@]").expect("parses");
    let result = small.search(&input).expect("within budget");
    assert_eq!(weight(&result), 1 + 2 + 4 * weight(&input));
}

#[test]
fn the_budget_grows_with_the_response() {
    // A projection over a large response passes; its charges are a small multiple of it.
    let items: Vec<Value> = (0..50_000).map(|i| json!({"Id": i, "Tags": [i]})).collect();
    let input = json!({"Items": items});
    let query = Query::parse("Items[].{I: Id, T: Tags[0]}").expect("parses");
    let result = query.search(&input).expect("within budget");
    assert_eq!(result.as_array().map(Vec::len), Some(50_000));
}

/// The worst expressions the limits accept, parsed, evaluated and dropped on a thread with
/// half a tokio worker's stack. Without the limits the same shapes a few times longer abort the
/// test binary with a stack overflow.
#[test]
fn the_worst_accepted_queries_fit_a_worker_stack() {
    let worst = vec![
        format!("{}a", times("!", MAX_QUERY_PREFIX_OPERATORS)),
        format!("{}a", times("&", MAX_QUERY_PREFIX_OPERATORS)),
        format!("a{}", times("[?!a]", MAX_QUERY_PREFIX_OPERATORS)),
        format!(
            "{}a{}",
            times("(", MAX_QUERY_NESTING),
            times(")", MAX_QUERY_NESTING)
        ),
        format!(
            "{}a{}",
            times("[", MAX_QUERY_NESTING),
            times("]", MAX_QUERY_NESTING)
        ),
        format!(
            "{}@{}",
            times("{a:", MAX_QUERY_NESTING),
            times("}", MAX_QUERY_NESTING)
        ),
        format!("a{}", times("[?a]", MAX_QUERY_DEPTH / 2 - 1)),
        format!("a{}", times("[*].a", MAX_QUERY_DEPTH / 2 - 1)),
        format!("a{}", times(".a", MAX_QUERY_DEPTH - 1)),
        // Refused after parsing: the parser and the drop of the tree still run.
        format!("a{}", times("[?a!=a]", MAX_QUERY_OPERATORS / 3)),
        format!("{}a", times("{a:", MAX_QUERY_NESTING)),
        format!("a{}", times("[?a]", MAX_QUERY_OPERATORS / 2)),
        format!("a{}", times("[*]", MAX_QUERY_OPERATORS / 2)),
        format!("a{}", times("[]", MAX_QUERY_OPERATORS)),
        format!("a{}", times(".a", MAX_QUERY_OPERATORS)),
        format!("a{}", times("|a", MAX_QUERY_OPERATORS)),
        format!("a{}", times("==a", MAX_QUERY_OPERATORS / 2)),
        format!("`{}1{}`", times("[", 127), times("]", 127)),
    ];
    let input = json!({"a": [{"a": [1]}, {"a": [2]}]});
    let outcome = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || {
            for expression in &worst {
                if let Ok(query) = Query::parse(expression) {
                    let _ = query.search(&input);
                }
            }
        })
        .expect("spawn")
        .join();
    assert!(outcome.is_ok());
}
