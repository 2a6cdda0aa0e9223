//! `aws-chatops console [--as <object id> --channel <key> [--account <name>]]` (F26): an
//! interactive session in a terminal. Line editing, history and tab completion come from
//! rustyline; completion reads the models (`complete.rs`); what each line does is
//! `session.rs`: the chat's form as prompts, its confirmation as y/N, and the run through
//! `exec` (same grammar, permission path, audit and output).

mod complete;
mod session;

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

pub use complete::complete;
pub use session::{Flow, Identity, Input, Session, Terminal, USAGE};

use crate::aws::{Engine, EngineConfig};
use crate::exec::{channel_identity, ActAs, ExecEnv};
use crate::models::Models;
use crate::policy::LocalOperator;

/// How `console` was started.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// `--as`/`--channel`/`--account`: act as a Teams user in a configured channel.
    pub act_as: Option<ActAs>,
    /// `--history-file`: keep the command history there between sessions. Without it the
    /// history lasts for the session only (commands can carry values you would not want in
    /// a file).
    pub history_file: Option<PathBuf>,
}

/// Runs the console until `exit`, Ctrl-D or the end of input; the process exit status.
pub fn run_console(options: ConsoleOptions) -> i32 {
    // One worker thread drives the calls: the session blocks on each through a handle, which
    // a current-thread runtime would not drive (its IO runs only inside `Runtime::block_on`).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            print_error(&format!("cannot start the console: {error}"));
            return 1;
        }
    };
    let engine = Arc::new(Engine::new(EngineConfig::from_env()));
    let identity = match &options.act_as {
        None => Identity::Local(LocalOperator::ambient(
            engine.config().default_region.clone(),
        )),
        Some(act_as) => match runtime.block_on(channel_identity(&engine, act_as)) {
            Ok((authorizer, requester)) => Identity::Channel {
                authorizer: Box::new(authorizer),
                requester,
                channel: act_as.channel.clone(),
                account: act_as.account.clone(),
            },
            Err(error) => {
                print_error(&error.to_string());
                return error.exit_code();
            }
        },
    };
    let mut session = Session::new(
        engine,
        ExecEnv::from_env(),
        identity,
        runtime.handle().clone(),
    );
    let mut terminal = match LineEditor::new(options.history_file.clone()) {
        Ok(terminal) => terminal,
        Err(error) => {
            print_error(&format!("cannot start the line editor: {error}"));
            return 1;
        }
    };
    terminal.out("aws-chatops console. `help` explains, Tab completes, `exit` leaves.\n");
    loop {
        let prompt = session.prompt();
        match terminal.read_command(&prompt) {
            Input::Line(line) => {
                if session.handle(&line, &mut terminal) == Flow::Exit {
                    break;
                }
            }
            Input::Interrupted => continue,
            Input::End => break,
        }
    }
    0
}

/// A line on standard error, before the terminal is set up.
fn print_error(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// The real terminal: rustyline with the models' completion.
struct LineEditor {
    editor: Editor<ModelCompletion, DefaultHistory>,
    history_file: Option<PathBuf>,
}

impl LineEditor {
    fn new(history_file: Option<PathBuf>) -> rustyline::Result<Self> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .auto_add_history(false)
            .max_history_size(1000)?
            .build();
        let mut editor = Editor::with_config(config)?;
        editor.set_helper(Some(ModelCompletion));
        if let Some(path) = &history_file {
            // A missing file is a first session.
            let _ = editor.load_history(path);
        }
        Ok(Self {
            editor,
            history_file,
        })
    }

    /// Reads a command line and records it in the history.
    fn read_command(&mut self, prompt: &str) -> Input {
        let input = self.read_line(prompt, "");
        if let Input::Line(line) = &input {
            if !line.trim().is_empty() {
                let _ = self.editor.add_history_entry(line.as_str());
                if let Some(path) = &self.history_file {
                    if let Err(error) = self.editor.save_history(path) {
                        self.err(&format!(
                            "cannot save the history to {}: {error}\n",
                            path.display()
                        ));
                    }
                }
            }
        }
        input
    }
}

impl Terminal for LineEditor {
    fn read_line(&mut self, prompt: &str, initial: &str) -> Input {
        match self.editor.readline_with_initial(prompt, (initial, "")) {
            Ok(line) => Input::Line(line),
            Err(ReadlineError::Interrupted) => Input::Interrupted,
            Err(ReadlineError::Eof) => Input::End,
            Err(error) => {
                self.err(&format!("cannot read the terminal: {error}\n"));
                Input::End
            }
        }
    }

    fn out(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed pipe is not the command's error.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn err(&mut self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

/// rustyline's helper: completion from the models, nothing else.
struct ModelCompletion;

impl Completer for ModelCompletion {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _context: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(complete(Models::global(), line, pos))
    }
}

impl Hinter for ModelCompletion {
    type Hint = String;
}

impl Highlighter for ModelCompletion {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Borrowed(line)
    }
}

impl Validator for ModelCompletion {}

impl Helper for ModelCompletion {}
