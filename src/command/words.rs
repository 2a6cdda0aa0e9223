//! The words of a command after dash normalisation: an option (`--name`, `-name`, `—name`,
//! `--name=value`) or a plain word (a value, the service, the operation).

/// A word of the command after dash normalisation: an option (name without dashes, and the
/// value given with `=`), or a plain word.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Word {
    Option {
        name: String,
        inline_value: Option<String>,
        /// The word as typed, for messages.
        raw: String,
    },
    Plain(String),
}

impl Word {
    pub(super) fn classify(raw: String) -> Word {
        let rest = raw.trim_start_matches(['-', '\u{2014}', '\u{2013}']);
        let has_dash = rest.len() < raw.len();
        // An option name starts with a letter, so `-1`, `-.5` and `-` stay values.
        if !has_dash || !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Word::Plain(raw);
        }
        let (name, inline_value) = match rest.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (rest.to_owned(), None),
        };
        Word::Option {
            name,
            inline_value,
            raw,
        }
    }

    pub(super) fn is_help(&self) -> bool {
        matches!(self, Word::Option { name, inline_value: None, .. } if name == "help")
    }
}
