//! Turns the text of a Teams message into what the user meant to type: the bot's own mention
//! removed, HTML entities decoded, mobile smart punctuation undone. Splitting it into words is
//! the command engine's (`command::tokenize`). Pure functions only: no IO, no knowledge of AWS
//! commands.

use crate::teams::{ChannelAccount, Entity};

/// Normalises a message's text for command parsing.
///
/// 1. Removes the bot's own mention: the `text` of each `mention` entity whose `mentioned.id` is
///    the bot (`recipient`), compared ignoring case; if no entity names the bot, any
///    `<at>…</at>` holding the bot's name (or nothing) is removed instead, because some
///    deliveries lack the entity. Other people's mentions keep their name and lose the tags.
/// 2. Decodes HTML entities (`&amp;`, `&nbsp;`, `&#39;`, ...).
/// 3. Trims whitespace, NBSP and newlines at both ends.
/// 4. Turns `—`/`–` at the start of an unquoted word into `--`, and curly quotes used as
///    quotes into straight ones, inside quoted parts too, leaving apostrophes, dashes inside
///    words and whatever the user quoted with straight quotes alone (the rules are on
///    `undo_smart_punctuation`).
pub fn normalize(text: &str, entities: &[Entity], bot: Option<&ChannelAccount>) -> String {
    let mut text = text.to_owned();
    let mut removed_by_entity = false;
    if let Some(bot) = bot {
        for mention in entities.iter().filter_map(Entity::as_mention) {
            if mention.mentioned.id != bot.id {
                continue;
            }
            if let Some(mention_text) = mention.text.as_deref().filter(|t| !t.is_empty()) {
                if let Some((start, end)) = find_ignore_case(&text, mention_text) {
                    text.replace_range(start..end, "");
                    removed_by_entity = true;
                }
            }
        }
    }
    let bot_name = bot.and_then(|bot| bot.name.as_deref());
    text = strip_at_tags(
        &text,
        if removed_by_entity {
            None
        } else {
            Some(bot_name)
        },
    );
    let decoded = html_escape::decode_html_entities(&text).into_owned();
    let trimmed = decoded.trim_matches(|c: char| c.is_whitespace());
    undo_smart_punctuation(trimmed)
}

/// Case-insensitive search (character by character, Unicode lowercase) returning the byte range
/// of the first match in `haystack`.
fn find_ignore_case(haystack: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    if let Some(at) = haystack.find(needle) {
        return Some((at, at + needle.len()));
    }
    haystack.char_indices().find_map(|(start, _)| {
        let mut candidate = haystack[start..].char_indices();
        for expected in needle.chars() {
            let (_, actual) = candidate.next()?;
            if !actual.to_lowercase().eq(expected.to_lowercase()) {
                return None;
            }
        }
        let end = candidate
            .next()
            .map_or(haystack.len(), |(offset, _)| start + offset);
        Some((start, end))
    })
}

/// Rewrites `<at …>Name</at>` tags. When `remove_bot` is `Some(name)`, tags whose content is the
/// bot's name (ignoring case) or empty are removed entirely; all other tags become their content.
fn strip_at_tags(text: &str, remove_bot: Option<Option<&str>>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let Some((open, _)) = find_ignore_case(rest, "<at") else {
            out.push_str(rest);
            return out;
        };
        let after_open = &rest[open + 3..];
        // `<at>` or `<at attr=…>`, not `<atom>`.
        let is_tag = after_open.starts_with('>') || after_open.starts_with(char::is_whitespace);
        let tag_end = after_open.find('>');
        let close = find_ignore_case(after_open, "</at>").map(|(start, _)| start);
        match (is_tag, tag_end, close) {
            (true, Some(tag_end), Some(close)) if tag_end < close => {
                out.push_str(&rest[..open]);
                let name = &after_open[tag_end + 1..close];
                let is_bot = match remove_bot {
                    Some(bot_name) => {
                        let name = name.trim();
                        name.is_empty()
                            || bot_name.is_some_and(|bot| name.eq_ignore_ascii_case(bot.trim()))
                    }
                    None => false,
                };
                if !is_bot {
                    out.push_str(name);
                }
                rest = &after_open[close + "</at>".len()..];
                // Teams writes `<at>Tom</at>is`; keep the words apart.
                if !is_bot && rest.starts_with(|c: char| !c.is_whitespace()) {
                    out.push(' ');
                }
            }
            _ => {
                out.push_str(&rest[..open + 3]);
                rest = after_open;
            }
        }
    }
}

fn is_unicode_dash(c: char) -> bool {
    matches!(c, '\u{2014}' | '\u{2013}')
}

/// Curly double quotes: `“ ” „ ‟`.
fn is_curly_double(c: char) -> bool {
    matches!(c, '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}')
}

/// Curly single quotes: `‘ ’ ‚ ‛` (`’` is also the apostrophe).
fn is_curly_single(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// Whether a word starts after `previous`: at the start, after whitespace, or after a
/// character that opens a value (`=`, `(`, `[`, `{`, `,`, `:`).
fn starts_word(previous: Option<char>) -> bool {
    previous.is_none_or(|p| p.is_whitespace() || matches!(p, '=' | '(' | '[' | '{' | ',' | ':'))
}

/// See step 4 of [`normalize`]. The rules, for a phone keyboard that makes every quote curly:
/// - straight quotes (`"…"`, `'…'`) quote as typed, and what they hold is kept verbatim, curly
///   quotes and dashes included (`"It’s"` stays `It’s`);
/// - `“`, `„`, `‟` and `‘`, `‚`, `‛` always open a quoted part, and so do `”` and `’` at the
///   start of a word; the part is written with straight quotes, and curly quotes inside it
///   become straight too (`“Alarms[?Name==‘x’]”` is `"Alarms[?Name=='x']"`);
/// - a single-quoted part ends at the first curly or straight single quote that is not
///   followed by a letter or digit, so `‘it’s fine’` is `'it’s fine'`: the apostrophe inside
///   stays curly, since a straight one would end the quote;
/// - elsewhere `’` is an apostrophe and `”` an inch mark, kept as typed (`it’s`, `dogs’`, `12”`);
/// - `—`/`–` (or a run mixing them with `-`) at the start of an unquoted word is `--`.
fn undo_smart_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let word_start = starts_word(previous);
        if (c == '-' || is_unicode_dash(c))
            && previous.is_none_or(|p| p.is_whitespace() || p == '=')
        {
            // A run of dashes opening a word: `—x`, `–x`, `-—x`, `——x` all mean `--x`.
            let run = chars[i..]
                .iter()
                .take_while(|d| is_unicode_dash(**d) || **d == '-')
                .count();
            if chars[i..i + run].iter().any(|d| is_unicode_dash(*d)) {
                out.push_str("--");
            } else {
                out.extend(&chars[i..i + run]);
            }
            i += run;
            continue;
        }
        i = match c {
            '"' | '\'' => copy_straight_quoted(&chars, i, &mut out),
            '\u{201D}' | '\u{2019}' if !word_start => {
                out.push(c);
                i + 1
            }
            c if is_curly_double(c) => curly_quoted(&chars, i, '"', &mut out),
            c if is_curly_single(c) => curly_quoted(&chars, i, '\'', &mut out),
            c => {
                out.push(c);
                i + 1
            }
        };
    }
    out
}

/// Copies the straight-quoted part opening at `start` as typed, up to its closing quote (in
/// double quotes a backslash escapes the next character, as the tokenizer reads it); returns
/// the index after it. An unclosed part runs to the end, for the tokenizer to refuse.
fn copy_straight_quoted(chars: &[char], start: usize, out: &mut String) -> usize {
    let quote = chars[start];
    out.push(quote);
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if c == '\\' && quote == '"' {
            if let Some(&escaped) = chars.get(i) {
                out.push(escaped);
                i += 1;
            }
        } else if c == quote {
            break;
        }
    }
    i
}

/// Writes the curly-quoted part opening at `start` with `straight` quotes around it and curly
/// quotes inside made straight (except apostrophes in single quotes); returns the index after
/// it. An unclosed part runs to the end, for the tokenizer to refuse.
fn curly_quoted(chars: &[char], start: usize, straight: char, out: &mut String) -> usize {
    out.push(straight);
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let closes = if straight == '"' {
            is_curly_double(c) || c == '"'
        } else {
            (is_curly_single(c) || c == '\'') && !next.is_some_and(char::is_alphanumeric)
        };
        if closes {
            out.push(straight);
            return i + 1;
        }
        if c == '\\' && straight == '"' {
            out.push(c);
            if let Some(escaped) = next {
                out.push(escaped);
                i += 1;
            }
        } else if is_curly_double(c) {
            out.push('"');
        } else if is_curly_single(c) && straight == '"' {
            out.push('\'');
        } else if c == '\'' && straight == '\'' {
            // A straight apostrophe cannot stand in single quotes: close, escape, reopen.
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bot() -> ChannelAccount {
        ChannelAccount {
            id: "28:bot-app-id".into(),
            name: Some("AWS".into()),
            ..ChannelAccount::default()
        }
    }

    fn mention(id: &str, name: &str, text: &str) -> Entity {
        serde_json::from_value(json!({
            "type": "mention",
            "mentioned": {"id": id, "name": name},
            "text": text
        }))
        .unwrap()
    }

    #[test]
    fn normalize_table() {
        let bot_mention = mention("28:bot-app-id", "AWS", "<at>AWS</at>");
        let tom = mention("29:tom", "Tom", "<at>Tom</at>");
        let client_info: Entity =
            serde_json::from_value(json!({"type": "clientInfo", "locale": "en-US"})).unwrap();
        let cases: Vec<(&str, Vec<Entity>, &str)> = vec![
            // The ordinary channel message.
            (
                "<at>AWS</at> cloudwatch describe-alarms",
                vec![bot_mention.clone()],
                "cloudwatch describe-alarms",
            ),
            // Entity type and tag compared ignoring case.
            (
                "<AT>aws</AT> help",
                vec![mention("28:bot-app-id", "AWS", "<at>AWS</at>")],
                "help",
            ),
            // Personal chat: no mention at all.
            ("s3 ls", vec![client_info.clone()], "s3 ls"),
            // Only the bot's mention goes; Tom keeps his name (and a space after it).
            (
                "<at>AWS</at> ask <at>Tom</at>now",
                vec![bot_mention.clone(), tom.clone()],
                "ask Tom now",
            ),
            // A mention of someone else is never removed even when it comes first.
            (
                "<at>Tom</at> <at>AWS</at> help",
                vec![tom.clone(), bot_mention.clone()],
                "Tom  help",
            ),
            // Fallback: no entity, but a tag with the bot's name or an empty tag.
            ("<at>AWS</at> s3 ls", vec![], "s3 ls"),
            ("<at></at> s3 ls", vec![], "s3 ls"),
            ("<at id=\"0\">aws</at>\u{a0}s3 ls", vec![], "s3 ls"),
            // Entities decoded after the mention is gone; NBSP and newlines trimmed.
            (
                "<at>AWS</at>&nbsp;logs filter --pattern &quot;a &amp; b&quot;\n",
                vec![bot_mention.clone()],
                "logs filter --pattern \"a & b\"",
            ),
            ("\u{a0}\n help \n\u{a0}", vec![], "help"),
            (
                "ec2 describe-instances --filters Name=tag:x,Values=&lt;y&gt; &#39;z&#39;",
                vec![],
                "ec2 describe-instances --filters Name=tag:x,Values=<y> 'z'",
            ),
            // Smart punctuation from mobile keyboards.
            (
                "lambda get-function —function-name f",
                vec![],
                "lambda get-function --function-name f",
            ),
            (
                "lambda get-function –function-name f",
                vec![],
                "lambda get-function --function-name f",
            ),
            (
                "s3 ls -—recursive ——human-readable",
                vec![],
                "s3 ls --recursive --human-readable",
            ),
            (
                "sns publish --message “hello world”",
                vec![],
                "sns publish --message \"hello world\"",
            ),
            (
                "sns publish --message ‘it’s fine’",
                vec![],
                "sns publish --message 'it’s fine'",
            ),
            (
                "logs x --filter-pattern=“ERROR”",
                vec![],
                "logs x --filter-pattern=\"ERROR\"",
            ),
            // Curly quotes inside quoted values (every quote of a phone keyboard).
            (
                "cloudwatch describe-alarms --query “MetricAlarms[?StateValue==‘ALARM’].AlarmName”",
                vec![],
                "cloudwatch describe-alarms --query \"MetricAlarms[?StateValue=='ALARM'].AlarmName\"",
            ),
            (
                "x --query ‘Alarms[?Name==“a b”]’ --y „z“",
                vec![],
                "x --query 'Alarms[?Name==\"a b\"]' --y \"z\"",
            ),
            // Unquoted, as the tokenizer's bracket rule allows.
            (
                "x --query Alarms[?Name==‘prod’]",
                vec![],
                "x --query Alarms[?Name=='prod']",
            ),
            // A value quoted straight keeps its curly characters and dashes as typed.
            (
                "x --description \"It’s “fine” —really\" --y 'a ‘b’'",
                vec![],
                "x --description \"It’s “fine” —really\" --y 'a ‘b’'",
            ),
            (
                "x --m \"say \\\"‘hi’\\\"\" ‘z’",
                vec![],
                "x --m \"say \\\"‘hi’\\\"\" 'z'",
            ),
            // Apostrophes and inch marks outside quotes stay; inside curly double quotes an
            // apostrophe is straight, in single ones a straight one is escaped.
            (
                "x --m it’s --n dogs’ --o 12” --p “It’s” --q ‘it's’",
                vec![],
                "x --m it’s --n dogs’ --o 12” --p \"It's\" --q 'it'\\''s'",
            ),
            // A straight apostrophe inside curly double quotes is just text.
            ("x “it's”", vec![], "x \"it's\""),
            // Some keyboards open with the closing glyph; an unclosed quote is left for the
            // tokenizer to refuse.
            ("x ’a b’ ”c d”", vec![], "x 'a b' \"c d\""),
            ("x --m “oops", vec![], "x --m \"oops"),
            // Dashes inside words stay: dates, ranges and plain options.
            (
                "cloudwatch x --start-time 2024–01–02 -o",
                vec![],
                "cloudwatch x --start-time 2024–01–02 -o",
            ),
            // Something that only looks like a tag.
            ("<atom> x", vec![], "<atom> x"),
        ];
        for (input, entities, expected) in cases {
            assert_eq!(
                normalize(input, &entities, Some(&bot())),
                expected,
                "input {input:?}"
            );
        }
    }
}
