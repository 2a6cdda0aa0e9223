//! Splits command text into words the way a POSIX shell does (quotes and backslashes, no
//! expansion of any kind), with one departure for chat: an unquoted bracket continues its word
//! until it is closed. Never interprets the words.

use std::iter::Peekable;
use std::str::Chars;

use super::CommandError;

/// Brackets an unquoted value may nest before it is refused: twice what a `--query` may nest
/// (32), and deeper than any JSON value typed by hand.
pub const MAX_BRACKET_NESTING: usize = 64;

/// Splits `text` into words like a POSIX shell: whitespace separates words; `'...'` keeps
/// everything literally; `"..."` keeps everything but lets a backslash escape `"`, `\`, `$`
/// and `` ` ``; outside quotes a backslash makes the next character literal. Quoted and
/// unquoted parts next to each other form one word (`Key='a b'` is `Key=a b`), and `''` is
/// an empty word. Nothing is expanded: `$HOME`, `*` and `~` stay as written.
///
/// Unlike a shell, an unquoted `[`, `{` or `(` continues the word until it is closed, across
/// spaces and line breaks, so a JMESPath query or JSON value typed without quotes (over
/// several lines, as the AWS Chatbot documentation shows) is one word: see `bracket_run`.
pub fn tokenize(text: &str) -> Result<Vec<String>, CommandError> {
    let mut words = Vec::new();
    let mut current = String::new();
    // A word exists once any character or quote of it is seen, so `''` gives an empty word.
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err(CommandError::UnclosedQuote { quote: '\'' }),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped @ ('"' | '\\' | '$' | '`')) => current.push(escaped),
                            // A backslash before a newline joins the lines, as in a shell.
                            Some('\n') => {}
                            Some(other) => {
                                current.push('\\');
                                current.push(other);
                            }
                            None => return Err(CommandError::UnclosedQuote { quote: '"' }),
                        },
                        Some(c) => current.push(c),
                        None => return Err(CommandError::UnclosedQuote { quote: '"' }),
                    }
                }
            }
            '[' | '{' | '(' => {
                in_word = true;
                current.push(c);
                bracket_run(c, &mut chars, &mut current)?;
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(escaped) => {
                    in_word = true;
                    current.push(escaped);
                }
                // A trailing backslash has nothing to escape; keep it.
                None => {
                    in_word = true;
                    current.push('\\');
                }
            },
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

/// The rest of an unquoted bracketed value opened by `open` (already in `word`), up to the
/// bracket that closes it. Inside, whitespace (line breaks and NBSP included) is a plain space,
/// and quotes (`'`, `"`, `` ` ``) keep their meaning for the value itself rather than the
/// shell's: a quoted part is kept as written, quotes included, and brackets inside it do not
/// count (`[?Name=='a b']` stays as typed). A backslash keeps itself and the next character. A
/// closing bracket that does not match the innermost open one is kept as text.
///
/// One pass over the text, with at most [`MAX_BRACKET_NESTING`] open brackets remembered.
fn bracket_run(
    open: char,
    chars: &mut Peekable<Chars<'_>>,
    word: &mut String,
) -> Result<(), CommandError> {
    let mut closers = vec![closer(open)];
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => word.push(' '),
            '\'' | '"' | '`' => {
                word.push(c);
                let mut closed = false;
                while let Some(inner) = chars.next() {
                    word.push(inner);
                    if inner == '\\' {
                        if let Some(escaped) = chars.next() {
                            word.push(escaped);
                        }
                    } else if inner == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(CommandError::UnclosedQuote { quote: c });
                }
            }
            '\\' => {
                word.push(c);
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
            }
            '[' | '{' | '(' => {
                word.push(c);
                if closers.len() == MAX_BRACKET_NESTING {
                    return Err(unbalanced(
                        format!("Brackets nest more than {MAX_BRACKET_NESTING} deep"),
                        word,
                        closer(c),
                    ));
                }
                closers.push(closer(c));
            }
            c => {
                word.push(c);
                if closers.last() == Some(&c) {
                    closers.pop();
                    if closers.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
    }
    let close = closers.last().copied().unwrap_or(')');
    let open = match close {
        ']' => '[',
        '}' => '{',
        _ => '(',
    };
    let problem = match closers.len() {
        1 => format!("The {open} is never closed"),
        n => format!("{n} brackets are never closed (the innermost is {open})"),
    };
    Err(unbalanced(problem, word, close))
}

/// The bracket that closes `open`.
fn closer(open: char) -> char {
    match open {
        '[' => ']',
        '{' => '}',
        _ => ')',
    }
}

/// The refusal of an unbalanced value, showing its start (a value can be a whole message).
fn unbalanced(problem: String, word: &str, close: char) -> CommandError {
    const SHOWN: usize = 40;
    let mut shown: String = word.chars().take(SHOWN).collect();
    if word.chars().count() > SHOWN {
        shown.push('…');
    }
    CommandError::UnbalancedBracket {
        problem,
        word: shown,
        close,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_table() {
        let ok: Vec<(&str, Vec<&str>)> = vec![
            ("", vec![]),
            ("   ", vec![]),
            ("s3 ls", vec!["s3", "ls"]),
            ("  a\t b\u{a0}c ", vec!["a", "b", "c"]),
            (
                "sns publish --message \"hello world\"",
                vec!["sns", "publish", "--message", "hello world"],
            ),
            (
                "--cli-input-json '{\"a\": [1, 2]}'",
                vec!["--cli-input-json", "{\"a\": [1, 2]}"],
            ),
            ("a\"b c\"d", vec!["ab cd"]),
            ("\"\" x", vec!["", "x"]),
            ("\"say \\\"hi\\\" \\\\ \\n\"", vec!["say \"hi\" \\ \\n"]),
            ("\"\\$HOME \\`x\\`\"", vec!["$HOME `x`"]),
            ("'no \\escapes \"here\"'", vec!["no \\escapes \"here\""]),
            ("a\\ b", vec!["a b"]),
            ("a\\\nb", vec!["ab"]),
            ("a \\", vec!["a", "\\"]),
            ("$HOME * ~", vec!["$HOME", "*", "~"]),
            (
                "Key=k,Value=v Key=x,Value=\"y z\"",
                vec!["Key=k,Value=v", "Key=x,Value=y z"],
            ),
        ];
        for (input, expected) in ok {
            assert_eq!(tokenize(input).unwrap(), expected, "input {input:?}");
        }
        for (input, quote) in [("sns publish --message \"oops", '"'), ("'x", '\'')] {
            assert!(
                matches!(tokenize(input), Err(CommandError::UnclosedQuote { quote: q }) if q == quote),
                "input {input:?}"
            );
        }
    }

    /// The AWS Chatbot documentation's `--query`, typed over several lines without quotes.
    #[test]
    fn an_unquoted_bracket_continues_the_word_until_it_closes() {
        let seed = "cloudwatch describe-alarms --query \n @.{MetricAlarms:MetricAlarms[*].\n \
                    {AlarmName:AlarmName, StateValue:StateValue, \n Period:Period}} \n --region us-east-2";
        assert_eq!(
            tokenize(seed).unwrap(),
            [
                "cloudwatch",
                "describe-alarms",
                "--query",
                "@.{MetricAlarms:MetricAlarms[*].  {AlarmName:AlarmName, StateValue:StateValue,   Period:Period}}",
                "--region",
                "us-east-2"
            ]
        );
        let ok: Vec<(&str, Vec<&str>)> = vec![
            // Quotes inside keep their meaning for the value: kept, and brackets in them are text.
            (
                "--query MetricAlarms[?StateValue=='ALARM'].AlarmName x",
                vec![
                    "--query",
                    "MetricAlarms[?StateValue=='ALARM'].AlarmName",
                    "x",
                ],
            ),
            (
                "--query Alarms[?Name=='a ] b'] x",
                vec!["--query", "Alarms[?Name=='a ] b']", "x"],
            ),
            (
                "--query a[?b==`[1, 2]`] x",
                vec!["--query", "a[?b==`[1, 2]`]", "x"],
            ),
            (
                "--tags [{\"Key\": \"team\", \"Value\": \"a b\"}]",
                vec!["--tags", "[{\"Key\": \"team\", \"Value\": \"a b\"}]"],
            ),
            (
                "--query sort_by(MetricAlarms, &AlarmName)[].AlarmName",
                vec!["--query", "sort_by(MetricAlarms, &AlarmName)[].AlarmName"],
            ),
            // NBSP and tabs inside become plain spaces; after the close, words split again.
            ("[a,\u{a0}b]\tc", vec!["[a, b]", "c"]),
            // A stray closer outside, or a mismatched one inside, is text.
            ("a] [b)] c", vec!["a]", "[b)]", "c"]),
            // Quoted brackets are not a run.
            ("'[a' \"{b\" c", vec!["[a", "{b", "c"]),
        ];
        for (input, expected) in ok {
            assert_eq!(tokenize(input).unwrap(), expected, "input {input:?}");
        }
    }

    #[test]
    fn an_unclosed_bracket_is_refused_with_what_is_open() {
        let cases = [
            (
                "--query MetricAlarms[0",
                "The [ is never closed in `MetricAlarms[0`. Close it with `]`",
            ),
            (
                "--query @.{A: B[0] --region x",
                "The { is never closed in `@.{A: B[0] --region x`. Close it with `}`",
            ),
            (
                "x {a: [b",
                "2 brackets are never closed (the innermost is [) in `{a: [b`. Close it with `]`",
            ),
        ];
        for (input, expected) in cases {
            let error = tokenize(input).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{input:?}: {error}");
        }
        assert_eq!(
            tokenize("--query a[?b=='x]").unwrap_err(),
            CommandError::UnclosedQuote { quote: '\'' }
        );
    }

    #[test]
    fn bracket_nesting_is_bounded() {
        let deepest = format!(
            "{}{}",
            "[".repeat(MAX_BRACKET_NESTING),
            "]".repeat(MAX_BRACKET_NESTING)
        );
        assert_eq!(tokenize(&deepest).unwrap(), std::slice::from_ref(&deepest));
        let over = format!("[{deepest}]");
        let error = tokenize(&over).unwrap_err().to_string();
        assert!(
            error.starts_with("Brackets nest more than 64 deep in `[[[["),
            "{error}"
        );
        // A long value is shown by its start only.
        assert!(error.contains("…`"), "{error}");
    }
}
