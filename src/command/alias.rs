//! Alias templates (B1): a command with `$name` parameters, saved under a short name, and its
//! expansion into the text of a command that is then parsed like a typed one. Owns the
//! syntax, its bounds and the up-front check of a template (it must be one parsable AWS
//! command that is not on the never-allowed list); never stores, authorizes or runs anything.
//!
//! Syntax: a parameter is `$` followed by a letter or `_`, then letters, digits and `_`,
//! anywhere inside a word of the template (`--filters Name=tag:team,Values=$team`); `$$` is a
//! literal `$` (`--qualifier $$LATEST`). Values are given as `name=value` or in the order the
//! parameters first appear in the template; each value replaces the parameter inside its
//! word, so a value with spaces stays one word.

use super::{parse, quote_word, tokenize, Command, CommandError, ParseContext};
use crate::models::Models;

/// Longest alias name, in characters.
pub const MAX_ALIAS_NAME_CHARS: usize = 32;
/// Longest template, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 1000;
/// Most distinct parameters a template may have.
pub const MAX_PARAMETERS: usize = 10;
/// Longest parameter name, in characters.
pub const MAX_PARAMETER_NAME_CHARS: usize = 32;
/// Longest expanded command, in bytes: values are checked while they are put in, so no input
/// makes an expansion grow past this.
pub const MAX_EXPANDED_BYTES: usize = 8 * 1024;

/// Why an alias name, template or the values given for it cannot be used. Each message says
/// what was wrong and how to write it instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AliasError {
    /// The name has other characters than letters, digits, `-` and `_`, or is too long.
    #[error("`{name}` cannot be an alias name: use 1 to {MAX_ALIAS_NAME_CHARS} letters, digits, `-` or `_`, starting with a letter or digit.")]
    BadName { name: String },
    /// The template is longer than [`MAX_TEMPLATE_CHARS`].
    #[error("The command is {chars} characters long; an alias holds at most {MAX_TEMPLATE_CHARS}. Shorten it.")]
    TooLong { chars: usize },
    /// A `$` that starts no parameter name (and is not `$$`).
    #[error("`{word}` has a `$` that starts no parameter. Write `$name` for a parameter (a letter or `_`, then letters, digits or `_`), or `$$` for a literal `$`.")]
    BadParameter { word: String },
    /// More distinct parameters than [`MAX_PARAMETERS`].
    #[error("The command has more than {MAX_PARAMETERS} parameters; an alias takes at most {MAX_PARAMETERS}.")]
    TooManyParameters,
    /// The template is no AWS command the bot can run (the parser's reason).
    #[error("The alias's command cannot be read: {0}")]
    Command(CommandError),
    /// The template is help, not a command.
    #[error("An alias must stand for one AWS command, not for help. Write the service, the operation and its options.")]
    NotACommand,
    /// `name=value` for a parameter given twice, or a positional value with none left.
    #[error("{0}")]
    Values(String),
    /// The expanded command would be longer than [`MAX_EXPANDED_BYTES`].
    #[error("With these values the command would be longer than {MAX_EXPANDED_BYTES} bytes. Give shorter values.")]
    ExpansionTooLong,
}

/// Whether `name` is a valid alias name: 1 to [`MAX_ALIAS_NAME_CHARS`] ASCII letters, digits,
/// `-` and `_`, starting with a letter or digit. Names are compared in lower case.
pub fn check_alias_name(name: &str) -> Result<String, AliasError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_ALIAS_NAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(AliasError::BadName {
            name: name.chars().take(MAX_ALIAS_NAME_CHARS + 8).collect(),
        })
    }
}

/// One piece of a template word: literal text or a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Parameter(String),
}

/// A checked template: its words split into literal text and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTemplate {
    words: Vec<Vec<Piece>>,
    /// Parameter names in the order they first appear.
    parameters: Vec<String>,
}

impl AliasTemplate {
    /// Reads and checks `text`: within the bounds, parameters well formed, and (with every
    /// parameter filled in) one AWS command the parser reads, not on the never-allowed list.
    /// Values only a parameter can make right (a number, an enum) are not held against it.
    pub fn parse(text: &str, models: &Models) -> Result<AliasTemplate, AliasError> {
        let chars = text.chars().count();
        if chars > MAX_TEMPLATE_CHARS {
            return Err(AliasError::TooLong { chars });
        }
        let words = tokenize(text).map_err(AliasError::Command)?;
        let mut parameters: Vec<String> = Vec::new();
        let mut pieces = Vec::with_capacity(words.len());
        for word in &words {
            let word_pieces = split_word(word)?;
            for piece in &word_pieces {
                if let Piece::Parameter(name) = piece {
                    if !parameters.contains(name) {
                        parameters.push(name.clone());
                    }
                }
            }
            pieces.push(word_pieces);
        }
        if parameters.len() > MAX_PARAMETERS {
            return Err(AliasError::TooManyParameters);
        }
        let template = AliasTemplate {
            words: pieces,
            parameters,
        };
        template.check_command(models)?;
        Ok(template)
    }

    /// The parameter names, in the order they first appear.
    pub fn parameters(&self) -> &[String] {
        &self.parameters
    }

    /// The command with every parameter filled in with a placeholder, parsed.
    fn check_command(&self, models: &Models) -> Result<(), AliasError> {
        let probe: Vec<(String, String)> = self
            .parameters
            .iter()
            .map(|name| (name.clone(), "x".to_owned()))
            .collect();
        let text = self.expand(&probe)?;
        let has_parameters = !self.parameters.is_empty();
        match parse(&text, models, ParseContext::Chat) {
            Ok(Command::Run(_) | Command::S3(_)) => Ok(()),
            Ok(Command::Help(_)) => Err(AliasError::NotACommand),
            // A form asks for what the alias leaves out.
            Err(CommandError::MissingRequired { .. }) => Ok(()),
            // A placeholder is no number or enum value: the real value is checked at run time.
            Err(
                CommandError::InvalidValue { .. }
                | CommandError::InvalidEnum { .. }
                | CommandError::OutOfRange { .. }
                | CommandError::InvalidRegion { .. }
                | CommandError::InvalidOutput { .. }
                | CommandError::InvalidQuery { .. }
                | CommandError::S3LocalPath { .. },
            ) if has_parameters => Ok(()),
            Err(error) => Err(AliasError::Command(error)),
        }
    }

    /// The text of the command with `values` (name, value) put in: every word quoted, so
    /// that [`tokenize`] gives the words back. Parameters without a value stay out of it: the
    /// caller asks for them first ([`AliasTemplate::missing`]). Bounded by
    /// [`MAX_EXPANDED_BYTES`].
    pub fn expand(&self, values: &[(String, String)]) -> Result<String, AliasError> {
        let mut text = String::new();
        for word in &self.words {
            let mut expanded = String::new();
            for piece in word {
                let part = match piece {
                    Piece::Text(text) => text.as_str(),
                    Piece::Parameter(name) => values
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or_default(),
                };
                if expanded.len() + part.len() > MAX_EXPANDED_BYTES {
                    return Err(AliasError::ExpansionTooLong);
                }
                expanded.push_str(part);
            }
            let quoted = quote_word(&expanded);
            if text.len() + quoted.len() + 1 > MAX_EXPANDED_BYTES {
                return Err(AliasError::ExpansionTooLong);
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&quoted);
        }
        Ok(text)
    }

    /// The parameters `values` gives none for, in template order.
    pub fn missing(&self, values: &[(String, String)]) -> Vec<String> {
        self.parameters
            .iter()
            .filter(|name| !values.iter().any(|(n, _)| n == *name))
            .cloned()
            .collect()
    }

    /// Reads the words after `run <alias>`: `name=value` for a parameter of this template,
    /// anything else a value for the next parameter not given yet, in template order.
    pub fn values(&self, words: &[String]) -> Result<Vec<(String, String)>, AliasError> {
        let mut named: Vec<(String, String)> = Vec::new();
        let mut positional: Vec<&String> = Vec::new();
        for word in words {
            match word.split_once('=') {
                Some((name, value)) if self.parameters.iter().any(|p| p == name) => {
                    if named.iter().any(|(n, _)| n == name) {
                        return Err(AliasError::Values(format!(
                            "`{name}` is given twice. Give each parameter once."
                        )));
                    }
                    named.push((name.to_owned(), value.to_owned()));
                }
                _ => positional.push(word),
            }
        }
        let mut values = named;
        let mut open = self
            .parameters
            .iter()
            .filter(|p| !values.iter().any(|(n, _)| n == *p))
            .cloned()
            .collect::<Vec<_>>()
            .into_iter();
        for word in positional {
            let Some(name) = open.next() else {
                return Err(AliasError::Values(format!(
                    "`{word}` is one value too many: this alias takes {}. Give values as name=value, or in that order.",
                    describe_parameters(&self.parameters)
                )));
            };
            values.push((name, word.clone()));
        }
        Ok(values)
    }
}

/// `$fn and $version`, or `no parameters`.
pub fn describe_parameters(parameters: &[String]) -> String {
    match parameters {
        [] => "no parameters".to_owned(),
        [one] => format!("`${one}`"),
        [rest @ .., last] => format!(
            "{} and `${last}`",
            rest.iter()
                .map(|p| format!("`${p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Splits one word into literal text and `$name` parameters (`$$` is a literal `$`).
fn split_word(word: &str) -> Result<Vec<Piece>, AliasError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            text.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                chars.next();
                text.push('$');
            }
            Some(&first) if first.is_ascii_alphabetic() || first == '_' => {
                let mut name = String::new();
                while let Some(&next) = chars.peek() {
                    if !(next.is_ascii_alphanumeric() || next == '_') {
                        break;
                    }
                    name.push(next);
                    chars.next();
                    if name.len() > MAX_PARAMETER_NAME_CHARS {
                        return Err(AliasError::BadParameter {
                            word: word.chars().take(60).collect(),
                        });
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Parameter(name));
            }
            _ => {
                return Err(AliasError::BadParameter {
                    word: word.chars().take(60).collect(),
                })
            }
        }
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Result<AliasTemplate, AliasError> {
        AliasTemplate::parse(text, Models::global())
    }

    fn words(text: &str) -> Vec<String> {
        tokenize(text).unwrap()
    }

    #[test]
    fn names_are_short_plain_words_compared_in_lower_case() {
        for (name, expected) in [
            ("fn-info", Some("fn-info")),
            ("Alarms_2", Some("alarms_2")),
            ("", None),
            ("-x", None),
            ("a b", None),
            ("é", None),
            (&"a".repeat(33), None),
        ] {
            assert_eq!(check_alias_name(name).ok().as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn parameters_are_read_in_order_inside_words_and_dollars_can_be_literal() {
        let t = template(
            "ec2 describe-instances --filters Name=tag:team,Values=$team --max-items $n --query '$$x'",
        )
        .unwrap();
        assert_eq!(t.parameters(), ["team", "n"]);
        let values = t.values(&words("n=5 platform")).unwrap();
        assert_eq!(
            t.expand(&values).unwrap(),
            "'ec2' 'describe-instances' '--filters' 'Name=tag:team,Values=platform' '--max-items' '5' '--query' '$x'"
        );
        assert!(t.missing(&[]).len() == 2);
    }

    #[test]
    fn a_value_with_spaces_or_quotes_stays_one_word() {
        let t = template("lambda get-function --function-name $fn").unwrap();
        let text = t.expand(&[("fn".into(), "it's a b".into())]).unwrap();
        assert_eq!(
            tokenize(&text).unwrap(),
            ["lambda", "get-function", "--function-name", "it's a b"]
        );
    }

    #[test]
    fn bad_templates_are_refused_with_what_to_do() {
        for (text, says) in [
            ("iam list-users", "never available from chat"),
            ("nosuch thing", "Unknown service"),
            ("lambda get-function --nope x", "Unknown option"),
            (
                "lambda get-function --function-name $",
                "starts no parameter",
            ),
            ("help", "not for help"),
            ("$service describe-alarms", "Unknown service"),
            (&"cloudwatch describe-alarms ".repeat(50), "at most 1000"),
        ] {
            let error = template(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
        let many: String = (0..11).map(|i| format!(" --x $p{i}")).collect();
        assert_eq!(
            template(&format!("cloudwatch describe-alarms{many}")).unwrap_err(),
            AliasError::TooManyParameters
        );
    }

    #[test]
    fn templates_missing_required_options_or_with_typed_parameters_are_accepted() {
        template("lambda get-function").unwrap();
        template("cloudwatch describe-alarms --max-records $n").unwrap();
        // Without a parameter, a wrong value is the template's own mistake.
        assert!(template("cloudwatch describe-alarms --max-records many").is_err());
    }

    #[test]
    fn values_are_checked_and_expansion_is_bounded() {
        let t = template("lambda get-function --function-name $fn").unwrap();
        assert!(t
            .values(&words("a b"))
            .unwrap_err()
            .to_string()
            .contains("one value too many"));
        assert!(t
            .values(&words("fn=a fn=b"))
            .unwrap_err()
            .to_string()
            .contains("given twice"));
        let t = template("cloudwatch describe-alarms --alarm-names $a$a$a$a$a$a$a$a").unwrap();
        let big = "x".repeat(MAX_EXPANDED_BYTES / 4);
        assert_eq!(
            t.expand(&[("a".into(), big)]),
            Err(AliasError::ExpansionTooLong)
        );
    }
}
