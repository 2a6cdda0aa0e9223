//! Tab completion for the console, from the models: service names first, then the service's
//! operations, then the operation's options and the global options, and the values of
//! `--output`. Pure: reads the line and the models, never the network.

use crate::models::Models;

/// What the console itself understands besides AWS commands.
pub(super) const BUILTINS: [&str; 4] = ["account", "exit", "help", "quit"];

/// The options every operation takes, as the grammar accepts them.
const GLOBAL_OPTIONS: [&str; 7] = [
    "--max-items",
    "--no-paginate",
    "--output",
    "--page-size",
    "--query",
    "--region",
    "--starting-token",
];

/// The values `--output` takes.
const OUTPUT_FORMATS: [&str; 4] = ["json", "table", "text", "yaml"];

/// The completions of the word under the cursor: where that word starts in `line`, and the
/// candidates (each ends with a space, as a shell completes a whole word). A word inside
/// quotes is not completed.
pub fn complete(models: &Models, line: &str, cursor: usize) -> (usize, Vec<String>) {
    let Some(before) = line.get(..cursor) else {
        return (cursor, Vec::new());
    };
    if before.chars().filter(|c| matches!(c, '\'' | '"')).count() % 2 == 1 {
        return (cursor, Vec::new());
    }
    let start = before
        .rfind(char::is_whitespace)
        .map_or(0, |space| space + 1);
    let current = &before[start..];
    let mut words: Vec<&str> = before[..start].split_whitespace().collect();
    if words.first() == Some(&"aws") {
        words.remove(0);
    }
    let mut candidates: Vec<String> = match words.as_slice() {
        [] => BUILTINS
            .iter()
            .map(|b| (*b).to_owned())
            .chain(models.services().map(|s| s.cli_name.to_owned()))
            .collect(),
        [service] => operations(models, service),
        [service, operation, .., previous] if *previous == "--output" => {
            let _ = (service, operation);
            OUTPUT_FORMATS.iter().map(|f| (*f).to_owned()).collect()
        }
        [service, operation, ..] if current.starts_with('-') => options(models, service, operation),
        _ => Vec::new(),
    };
    candidates.retain(|candidate| candidate.starts_with(current));
    candidates.sort();
    candidates.dedup();
    for candidate in &mut candidates {
        candidate.push(' ');
    }
    (start, candidates)
}

/// The operations of a service by their CLI names, and `help`; `s3`'s two aliases.
fn operations(models: &Models, service: &str) -> Vec<String> {
    if service == "s3" {
        return vec!["cp".to_owned(), "ls".to_owned()];
    }
    let Ok(model) = models.service(service) else {
        return Vec::new();
    };
    model
        .cli
        .operations
        .keys()
        .cloned()
        .chain(std::iter::once("help".to_owned()))
        .collect()
}

/// The operation's options (without the paging members the CLI hides) and the global options.
fn options(models: &Models, service: &str, cli_operation: &str) -> Vec<String> {
    let mut all: Vec<String> = GLOBAL_OPTIONS.iter().map(|o| (*o).to_owned()).collect();
    let Ok(model) = models.service(service) else {
        return all;
    };
    let Some(operation) = model.operation_by_cli_name(cli_operation) else {
        return all;
    };
    let hidden = model.hidden_members(operation);
    if let Some(options) =
        crate::command::command_option_names(&model, operation, service, cli_operation)
    {
        all.extend(
            options
                .iter()
                .filter(|(member, _)| !hidden.contains(member))
                .map(|(_, option)| format!("--{option}")),
        );
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completions(line: &str) -> Vec<String> {
        complete(Models::global(), line, line.len()).1
    }

    #[test]
    fn the_first_word_completes_to_services_and_builtins() {
        assert_eq!(completions("cloudw"), ["cloudwatch "]);
        assert_eq!(completions("aws cloudw"), ["cloudwatch "]);
        assert_eq!(completions("ex"), ["exit "]);
        assert!(completions("").len() > 300, "every service the CLI knows");
    }

    #[test]
    fn the_second_word_completes_to_the_services_operations() {
        let describe = completions("cloudwatch describe-alarm");
        for operation in [
            "describe-alarm-history ",
            "describe-alarms ",
            "describe-alarms-for-metric ",
        ] {
            assert!(describe.iter().any(|c| c == operation), "{describe:?}");
        }
        assert!(describe.iter().all(|c| c.starts_with("describe-alarm")));
        assert_eq!(
            completions("cloudwatch describe-alarms-f"),
            ["describe-alarms-for-metric "]
        );
        assert_eq!(completions("s3 l"), ["ls "]);
        assert_eq!(completions("no-such-service de"), Vec::<String>::new());
    }

    #[test]
    fn later_words_complete_options_and_output_formats() {
        let options = completions("cloudwatch describe-alarms --sta");
        assert_eq!(options, ["--starting-token ", "--state-value "]);
        assert_eq!(completions("logs describe-log-groups --reg"), ["--region "]);
        // The paging member the CLI manages itself is not offered.
        assert!(completions("logs describe-log-groups --next").is_empty());
        assert_eq!(
            completions("logs describe-log-groups --output t"),
            ["table ", "text "]
        );
        // A value is not completed, nor a word inside quotes.
        assert!(completions("logs describe-log-groups --log-group-name-prefix /a").is_empty());
        assert!(completions("logs describe-log-groups --query '--re").is_empty());
    }

    #[test]
    fn the_start_is_where_the_word_under_the_cursor_begins() {
        let line = "cloudwatch describe-alarms --stat --region us-east-1";
        let cursor = "cloudwatch describe-alarms --stat".len();
        let (start, candidates) = complete(Models::global(), line, cursor);
        assert_eq!(start, "cloudwatch describe-alarms ".len());
        assert_eq!(candidates, ["--state-value "]);
    }
}
