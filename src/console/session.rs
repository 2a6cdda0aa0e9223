//! One console session: what each typed line does. A line is parsed by the same grammar as
//! chat; a command missing required options asks for them one by one (the chat form as
//! prompts), a command that changes something asks "Run it? [y/N]" (the chat confirmation),
//! and the run goes through `exec`: the same permission path, audit and output as
//! `aws-chatops exec`. The terminal is a trait so the flow is tested without one.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::aws::Engine;
use crate::command::{self, render_command_line, Command, CommandError, HelpRequest, Invocation};
use crate::exec::{exec_line, ExecEnv, ExecError, ExecIdentity};
use crate::models::Models;
use crate::policy::{ChannelAuthorizer, LocalOperator, Requester};
use crate::prompt::{apply_submission, form_fields, is_read_only, FieldKind, FormField};

/// What the person at the terminal did at a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line, without its line break.
    Line(String),
    /// Ctrl-C: abandon what is being typed (or the form being filled in).
    Interrupted,
    /// Ctrl-D or the end of input: leave.
    End,
}

/// The terminal the session talks to.
pub trait Terminal {
    /// Reads one line after `prompt`, with `initial` already typed.
    fn read_line(&mut self, prompt: &str, initial: &str) -> Input;
    /// Prints to standard output.
    fn out(&mut self, text: &str);
    /// Prints to standard error.
    fn err(&mut self, text: &str);
}

/// Whether the session goes on after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Exit,
}

/// Who the session's commands run as.
pub enum Identity {
    /// The ambient AWS credentials; no configuration, no audit (the never-allowed list
    /// still applies), as `aws-chatops exec` without `--as`.
    Local(LocalOperator),
    /// A Teams user in a configured channel, as `exec --as … --channel …`.
    Channel {
        authorizer: Box<ChannelAuthorizer>,
        requester: Requester,
        channel: String,
        /// The account to use when the channel has several (`account <name>` changes it).
        account: Option<String>,
    },
}

/// The words that open the console's usage text.
pub const USAGE: &str = "\
Type an AWS CLI command without `aws`, e.g. `cloudwatch describe-alarms --state-value ALARM`.
Tab completes services, operations and options. A command missing required options asks for
them; a command that changes something asks before it runs. Results print as the AWS CLI
prints them.
  help                     this text (`<service> help` for a service's operations)
  account [<name or id>]   the account to use when the channel has several
  exit, quit, Ctrl-D       leave
";

/// The console's state between lines.
pub struct Session {
    engine: Arc<Engine>,
    env: ExecEnv,
    identity: Identity,
    runtime: tokio::runtime::Handle,
}

impl Session {
    /// A session running its calls on `runtime` (the console blocks on each call in turn), a
    /// handle of a multi-thread runtime: a current-thread runtime's handle cannot drive IO.
    pub fn new(
        engine: Arc<Engine>,
        env: ExecEnv,
        identity: Identity,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self {
            engine,
            env,
            identity,
            runtime,
        }
    }

    /// The prompt before each command.
    pub fn prompt(&self) -> String {
        match &self.identity {
            Identity::Local(_) => "aws> ".to_owned(),
            Identity::Channel {
                channel, account, ..
            } => match account {
                Some(account) => format!("aws ({channel}, {account})> "),
                None => format!("aws ({channel})> "),
            },
        }
    }

    /// Handles one typed line.
    pub fn handle(&mut self, line: &str, terminal: &mut dyn Terminal) -> Flow {
        let line = line.trim();
        let line = line
            .strip_prefix("aws ")
            .map(str::trim_start)
            .unwrap_or(line);
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (None, _) => return Flow::Continue,
            (Some("exit" | "quit"), None) => return Flow::Exit,
            (Some("help"), None) => {
                terminal.out(USAGE);
                return Flow::Continue;
            }
            (Some("account"), name) => {
                self.choose_account(name, terminal);
                return Flow::Continue;
            }
            _ => {}
        }
        let models = Models::global();
        let invocation = match command::parse(line, models, command::ParseContext::Terminal) {
            Ok(Command::Run(invocation)) => invocation,
            Ok(Command::S3(alias)) => alias.equivalent_invocation(),
            Ok(Command::Help(HelpRequest::General)) => {
                terminal.out(USAGE);
                return Flow::Continue;
            }
            Ok(Command::Help(_)) => {
                self.run(line, terminal);
                return Flow::Continue;
            }
            Err(CommandError::MissingRequired {
                invocation,
                missing,
            }) => {
                let missing: Vec<String> = missing.into_iter().map(|m| m.member).collect();
                let Some(complete) = fill_in(models, &invocation, &missing, terminal) else {
                    terminal.out("Cancelled: nothing was run.\n");
                    return Flow::Continue;
                };
                let line = render_command_line(&complete, models);
                let line = line.strip_prefix("aws ").unwrap_or(&line).to_owned();
                if self.confirmed(&complete, &line, terminal) {
                    self.run(&line, terminal);
                }
                return Flow::Continue;
            }
            Err(error) => {
                terminal.err(&format!("{}\n", ExecError::from(error)));
                return Flow::Continue;
            }
        };
        if self.confirmed(&invocation, line, terminal) {
            self.run(line, terminal);
        }
        Flow::Continue
    }

    /// `account` shows the account in use; `account <name>` chooses one.
    fn choose_account(&mut self, name: Option<&str>, terminal: &mut dyn Terminal) {
        let Identity::Channel { account, .. } = &mut self.identity else {
            terminal.err("The console runs with your own AWS credentials: the account is theirs. Start it with --as and --channel to act in a channel's accounts.\n");
            return;
        };
        match name {
            Some(name) => {
                *account = Some(name.to_owned());
                terminal.out(&format!("Commands now run in the account {name}.\n"));
            }
            None => match account {
                Some(name) => terminal.out(&format!("Commands run in the account {name}.\n")),
                None => terminal.out("No account chosen: the channel's only account is used; a channel with several asks you to choose with `account <name>`.\n"),
            },
        }
    }

    /// A command that changes something runs only after "y"; reads run at once.
    fn confirmed(&self, invocation: &Invocation, line: &str, terminal: &mut dyn Terminal) -> bool {
        if is_read_only(&invocation.service, &invocation.operation) {
            return true;
        }
        let who = match &self.identity {
            Identity::Local(_) => "with your AWS credentials".to_owned(),
            Identity::Channel {
                channel,
                account,
                requester,
                ..
            } => {
                let user = requester
                    .user_object_id
                    .as_deref()
                    .unwrap_or("the requester");
                match account {
                    Some(account) => {
                        format!("as {user} in channel {channel}, account {account}")
                    }
                    None => format!("as {user} in channel {channel}"),
                }
            }
        };
        terminal.out(&format!(
            "This changes something:\n  aws {line}\n  runs {who}.\n"
        ));
        match terminal.read_line("Run it? [y/N] ", "") {
            Input::Line(answer) if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") => true,
            _ => {
                terminal.out("Not run.\n");
                false
            }
        }
    }

    /// Runs the command line through `exec` and prints what it gives, as `exec` prints it.
    fn run(&self, line: &str, terminal: &mut dyn Terminal) {
        let identity = match &self.identity {
            Identity::Local(operator) => ExecIdentity::Local(operator),
            Identity::Channel {
                authorizer,
                requester,
                account,
                ..
            } => ExecIdentity::Channel {
                authorizer,
                requester: requester.clone(),
                account: account.clone(),
            },
        };
        let result = self
            .runtime
            .block_on(exec_line(&self.engine, &self.env, line, &identity));
        match result {
            Ok(text) => terminal.out(&text),
            // The CLI prints service errors after an empty line.
            Err(error @ ExecError::Call(_)) => terminal.err(&format!("\n{error}\n")),
            Err(error) => terminal.err(&format!("{error}\n")),
        }
    }
}

/// Asks for the `missing` members one prompt at a time, as the chat form would (its fields,
/// hints and choices); the complete invocation, or `None` when the person cancels. A value
/// the grammar refuses is asked for again with the reason.
fn fill_in(
    models: &Models,
    invocation: &Invocation,
    missing: &[String],
    terminal: &mut dyn Terminal,
) -> Option<Invocation> {
    let fields: Vec<FormField> = form_fields(models, invocation, missing)
        .into_iter()
        .filter(|field| missing.contains(&field.member))
        .collect();
    terminal.out(&format!(
        "{} {} needs {}. Ctrl-C cancels.\n",
        invocation.service,
        invocation.cli_operation,
        if fields.len() == 1 {
            "one more option".to_owned()
        } else {
            format!("{} more options", fields.len())
        }
    ));
    let mut answers: Map<String, Value> = Map::new();
    let mut to_ask: Vec<usize> = (0..fields.len()).collect();
    // Bounded: a person who keeps giving refused values is asked again each time, but the
    // loop ends with Ctrl-C or end of input.
    loop {
        for &index in &to_ask {
            let field = &fields[index];
            terminal.out(&format!("{}: {}\n", field.label, describe(field)));
            let previous = answers
                .get(&field.member)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            loop {
                match terminal.read_line(&format!("{}> ", field.label), &previous) {
                    Input::Line(value) if value.trim().is_empty() => {
                        terminal.err(&format!(
                            "{} is required: type a value, or Ctrl-C to cancel.\n",
                            field.label
                        ));
                    }
                    Input::Line(value) => {
                        answers.insert(field.member.clone(), Value::String(value));
                        break;
                    }
                    Input::Interrupted | Input::End => return None,
                }
            }
        }
        match apply_submission(models, invocation, &fields, &answers) {
            Ok(complete) => return Some(complete),
            Err(error) => {
                terminal.err(&format!("{error}\n"));
                // Ask again for the field the refusal names, else for every field.
                let named = fields.iter().position(|field| {
                    error
                        .to_string()
                        .starts_with(&format!("--{} ", field.option))
                });
                to_ask = match named {
                    Some(index) => vec![index],
                    None => (0..fields.len()).collect(),
                };
            }
        }
    }
}

/// The line under a field's name: its hint, and its choices when it has them.
fn describe(field: &FormField) -> String {
    match &field.kind {
        FieldKind::Choice { choices, multi } => {
            let shown: Vec<&str> = choices.iter().take(20).map(String::as_str).collect();
            let more = if choices.len() > shown.len() {
                format!(" and {} more", choices.len() - shown.len())
            } else {
                String::new()
            };
            let how = if *multi {
                "one or more of (comma-separated)"
            } else {
                "one of"
            };
            format!("{how} {}{more}", shown.join(", "))
        }
        FieldKind::Toggle => "true or false".to_owned(),
        _ => field.hint.clone(),
    }
}
