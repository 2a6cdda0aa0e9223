//! Splits command text into words the way a POSIX shell does (quotes and backslashes, no
//! expansion of any kind). Never interprets the words.

use super::CommandError;

/// Splits `text` into words like a POSIX shell: whitespace separates words; `'...'` keeps
/// everything literally; `"..."` keeps everything but lets a backslash escape `"`, `\`, `$`
/// and `` ` ``; outside quotes a backslash makes the next character literal. Quoted and
/// unquoted parts next to each other form one word (`Key='a b'` is `Key=a b`), and `''` is
/// an empty word. Nothing is expanded: `$HOME`, `*` and `~` stay as written.
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
}
