//! The nesting bound on TOML text, checked before `toml_edit` parses it. `toml_edit` stops at
//! 80 levels itself, but its parser combinators take so much stack per level in a debug build
//! that 80 levels do not fit in 1 MiB; this cheap, non-recursive scan refuses deep text first.

/// Open `[` and `{` at any one point (a `[[table]]` header counts two). The config file needs
/// three at most (a guardrail statement: an array of inline tables holding arrays); 16 leaves
/// room for any hand-written file and keeps `toml_edit` far from its own limit.
pub const MAX_TOML_NESTING: usize = 16;

/// Where the text first nests deeper than [`MAX_TOML_NESTING`]: the byte offset of the bracket
/// and the message to show there. Strings and comments are skipped the way TOML reads them; a
/// malformed file passes here and is reported by the parser.
pub fn check_nesting(text: &str) -> Result<(), (usize, String)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"\"\"\"") || rest.starts_with(b"'''") {
            let delimiter = &rest[..3];
            let escapes = delimiter[0] == b'"';
            i += 3;
            while i < bytes.len() && !bytes[i..].starts_with(delimiter) {
                i += if escapes && bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 3;
            continue;
        }
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    i += if quote == b'"' && bytes[i] == b'\\' {
                        2
                    } else {
                        1
                    };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_TOML_NESTING {
                    return Err((
                        i,
                        format!(
                            "arrays and inline tables nest more than {MAX_TOML_NESTING} deep; \
                             the limit is {MAX_TOML_NESTING}. Flatten the value."
                        ),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// One way of nesting text, for tests of a depth limit: `prefix`, then `open` repeated, the
/// innermost `inner`, and `close` as often; each repetition opens `levels` levels.
#[cfg(test)]
pub(crate) struct Nesting {
    pub prefix: &'static str,
    pub open: &'static str,
    pub inner: &'static str,
    pub close: &'static str,
    pub levels: usize,
}

/// For each way of nesting, the text exactly `limit` levels deep (accepted, `true`) and the
/// text one repetition deeper (refused, `false`).
#[cfg(test)]
pub(crate) fn nesting_cases(limit: usize, nestings: &[Nesting]) -> Vec<(String, bool)> {
    let text = |nesting: &Nesting, repetitions: usize| {
        format!(
            "{}{}{}{}",
            nesting.prefix,
            nesting.open.repeat(repetitions),
            nesting.inner,
            nesting.close.repeat(repetitions)
        )
    };
    nestings
        .iter()
        .flat_map(|nesting| {
            let at_limit = limit / nesting.levels;
            [
                (text(nesting, at_limit), true),
                (text(nesting, at_limit + 1), false),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_bounded_outside_strings_and_comments() {
        let nestings = [("[", "]"), ("{a=", "}")].map(|(open, close)| Nesting {
            prefix: "x = ",
            open,
            inner: "1",
            close,
            levels: 1,
        });
        let mut cases = nesting_cases(MAX_TOML_NESTING, &nestings);
        cases.extend([
            (format!("x = \"{}\"", "[".repeat(100)), true),
            (format!("x = '{}'", "{".repeat(100)), true),
            (format!("x = \"\"\"\n{}\n\"\"\"", "[".repeat(100)), true),
            (format!("x = '''{}'''", "[".repeat(100)), true),
            (format!("# {}\nx = 1", "[".repeat(100)), true),
            (format!("x = \"\\\"{}\"", "[".repeat(100)), true),
            ("[[a.b]]\n[[a.b]]\n[c]\n".to_owned(), true),
            (format!("x = {}", "[".repeat(3000)), false),
        ]);
        for (text, accepted) in cases {
            let outcome = check_nesting(&text);
            assert_eq!(outcome.is_ok(), accepted, "{text:.60}: {outcome:?}");
        }
    }
}
