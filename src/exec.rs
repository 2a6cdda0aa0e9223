//! `aws-chatops exec -- <service> <operation> [options]`: one command from a terminal through
//! the same grammar, engine and output layer as chat (F26), printing what the AWS CLI prints.
//! Reads the process environment (credentials, region, endpoint, `AWS_DEFAULT_OUTPUT`) only
//! through [`EngineConfig::from_env`], the credential chain and [`ExecEnv::from_env`].

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::audit::{AuditLog, AuditRecord, Outcome as AuditOutcome};
use crate::aws::waiter::{WaitError, WaitFailed};
use crate::aws::{sts_sdk_config, AwsError, Engine, EngineConfig, Fetched};
use crate::command::input::MAX_CLI_INPUT_BYTES;
use crate::command::skeleton::{self, SkeletonKind};
use crate::command::{
    self, Command, CommandError, Customization, Finished, HelpRequest, Invocation, OutputFormat,
    ParseContext, Plan, S3Command,
};
use crate::models::{Models, ServiceModel, ShapeType};
use crate::output::{self, OutputError, Query, RenderContext};
use crate::policy::assume_role::StsRoleAssumer;
use crate::policy::config::AccessConfig;
use crate::policy::{ChannelAuthorizer, Denial, LocalOperator, LocalRefusal, Permit, Requester};
use crate::store::MemoryStore;

/// Exit status for a command that does not parse. AWS CLI v2 uses 252; v1 uses 2 or 255
/// depending on which of its layers notices the mistake.
pub const EXIT_PARSE_ERROR: i32 = 252;
/// Exit status for a failed call (a service error, no credentials, a timeout): what AWS CLI
/// v1, the parity reference, returns (v2 returns 254 for service errors).
pub const EXIT_CALL_ERROR: i32 = 255;

/// Errors of the `exec` command, each with the exit status it ends with.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The command did not parse (unknown operation, bad value, missing parameter). The AWS
    /// CLI's own errors of a hand-written command (EMR's), raised when it runs, are printed
    /// as it prints them: `aws: error: ...`, exit status 255.
    #[error("{}", parse_message(.0))]
    Parse(#[from] command::CommandError),
    /// The command parsed into something `exec` does not run (help, the `s3` aliases).
    #[error("{0}")]
    Unsupported(String),
    /// Neither `--region` nor the environment gives a region.
    #[error("You must specify a region. You can also configure your region by running \"aws configure\".")]
    NoRegion,
    /// The call failed: the service's error, or no credentials, transport, timeout.
    #[error("{0}")]
    Call(#[from] AwsError),
    /// A waiter ended without its condition holding (botocore's `WaiterError`).
    #[error("{0}")]
    Wait(#[from] WaitFailed),
    /// `--query` or the output format failed on the result.
    #[error("{0}")]
    Output(#[from] OutputError),
    /// `--as`/`--channel`: a layer of the permission path refused, as it would in chat.
    #[error("{} (refused by {})", .0.message, .0.layer.describe())]
    Denied(Denial),
    /// `--as`/`--channel`: the channel's approval rule names the action, so it runs only
    /// after a second person approves it in the channel; a terminal has nobody to approve.
    #[error("{service} {operation} needs a second person's approval in this channel (its approval rule names {pattern}); send it in the channel, where an approver can approve it")]
    NeedsApproval {
        service: String,
        operation: String,
        pattern: String,
    },
    /// `--as`/`--channel` without a usable config file.
    #[error("{0}")]
    Config(String),
    /// An operation whose output is a stream (`lambda invoke`) without the outfile the AWS
    /// CLI writes it to.
    #[error("aws: error: the following arguments are required: outfile (the file {service} {operation} writes its {member} to, as in the AWS CLI)")]
    MissingOutfile {
        service: String,
        operation: String,
        member: String,
    },
    /// The outfile could not be written; worded as the AWS CLI (Python) words it.
    #[error("[Errno {errno}] {reason}: '{path}'")]
    Outfile {
        errno: i32,
        reason: String,
        path: String,
    },
}

fn parse_message(error: &CommandError) -> String {
    match error {
        CommandError::CliUsage { message } => format!("aws: error: {message}"),
        other => other.to_string(),
    }
}

impl ExecError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ExecError::Parse(CommandError::CliUsage { .. }) => EXIT_CALL_ERROR,
            ExecError::Parse(_) | ExecError::Unsupported(_) => EXIT_PARSE_ERROR,
            ExecError::Output(OutputError::InvalidQuery { .. }) => EXIT_PARSE_ERROR,
            ExecError::Config(_) | ExecError::MissingOutfile { .. } => EXIT_PARSE_ERROR,
            _ => EXIT_CALL_ERROR,
        }
    }
}

/// The settings `exec` takes from the environment besides the engine's.
#[derive(Debug, Clone, Default)]
pub struct ExecEnv {
    /// `AWS_DEFAULT_OUTPUT`: the format when `--output` is not given.
    pub default_output: Option<OutputFormat>,
}

impl ExecEnv {
    pub fn from_env() -> Self {
        Self {
            default_output: std::env::var("AWS_DEFAULT_OUTPUT")
                .ok()
                .and_then(|name| OutputFormat::from_cli(&name)),
        }
    }
}

/// Quotes words so that the grammar's shell-like tokenizer gives them back unchanged.
fn quote_words(args: &[String]) -> String {
    args.iter()
        .map(|arg| format!("'{}'", arg.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one command given as program arguments; prints the result to `out` and errors to
/// `err` the way the AWS CLI does, and returns the exit status.
pub async fn run_exec(args: Vec<String>, out: &mut impl Write, err: &mut impl Write) -> i32 {
    let engine = Arc::new(Engine::new(EngineConfig::from_env()));
    let result = exec(&engine, &ExecEnv::from_env(), &args).await;
    print_outcome(result, out, err)
}

/// Prints what a command gave: its text to `out`, or its error to `err` the way the AWS CLI
/// does; returns the exit status.
pub fn print_outcome(
    result: Result<String, ExecError>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    match result {
        Ok(text) => {
            // A closed pipe (`| head`) is not an error of the command.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            0
        }
        Err(error) => {
            // The CLI prints service errors after an empty line.
            let _ = match &error {
                ExecError::Call(_) | ExecError::Wait(_) => writeln!(err, "\n{error}"),
                _ => writeln!(err, "{error}"),
            };
            error.exit_code()
        }
    }
}

/// `exec --as <object id> --channel <key> [--account <name>]`: the chat permission path
/// from a terminal.
#[derive(Debug, Clone)]
pub struct ActAs {
    /// The config file with the `[access]` table.
    pub config_path: Option<PathBuf>,
    /// The Entra object id to act as.
    pub user_object_id: String,
    /// The `[access.channels.<key>]` entry to act in.
    pub channel: String,
    /// The account (name or id), instead of asking.
    pub account: Option<String>,
}

/// Who `exec` runs as.
pub enum ExecIdentity<'a> {
    /// The local operator: the ambient credentials, no configuration (the never-allowed list
    /// still applies).
    Local(&'a LocalOperator),
    /// A Teams user in a configured channel, through the same checks as chat; the outcome is
    /// written to the audit log.
    Channel {
        authorizer: &'a ChannelAuthorizer,
        requester: Requester,
        account: Option<String>,
    },
}

/// Runs one command as a Teams user in a configured channel (see [`ActAs`]).
pub async fn run_exec_as(
    args: Vec<String>,
    act_as: ActAs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    let engine = Arc::new(Engine::new(EngineConfig::from_env()));
    let result = async {
        let (authorizer, requester) = channel_identity(&engine, &act_as).await?;
        let identity = ExecIdentity::Channel {
            authorizer: &authorizer,
            requester,
            account: act_as.account.clone(),
        };
        exec_as(&engine, &ExecEnv::from_env(), &args, &identity).await
    }
    .await;
    print_outcome(result, out, err)
}

/// The chat permission path for `act_as`: the channel authorizer built from the config
/// file's `[access]` table (audit log, role assumer), and the requester it knows the user as.
pub async fn channel_identity(
    engine: &Engine,
    act_as: &ActAs,
) -> Result<(ChannelAuthorizer, Requester), ExecError> {
    let path = act_as.config_path.as_ref().ok_or_else(|| {
        ExecError::Config("--as and --channel need the config file with the [access] table: pass --config <path> or set AWS_CHATOPS_CONFIG".into())
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|error| ExecError::Config(format!("cannot read {}: {error}", path.display())))?;
    let access = AccessConfig::from_toml_str(&text).map_err(|problems| {
        ExecError::Config(format!(
            "the config file has mistakes (aws-chatops check-config explains them):\n{}",
            problems.explain(&path.display().to_string(), &text)
        ))
    })?;
    let region = engine
        .config()
        .default_region
        .clone()
        .or_else(|| access.default_region.clone())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let audit = AuditLog::open(&access.audit.destination)
        .map_err(|error| ExecError::Config(format!("cannot open the audit log: {error}")))?;
    let assumer = StsRoleAssumer::new(&sts_sdk_config(engine.config(), &region).await);
    let authorizer = ChannelAuthorizer::new(
        access,
        Arc::new(MemoryStore::default()),
        Arc::new(assumer),
        Arc::new(audit),
        region,
    );
    let requester = authorizer
        .terminal_requester(&act_as.channel, &act_as.user_object_id)
        .map_err(ExecError::Denied)?;
    Ok((authorizer, requester))
}

/// Parses, calls and formats as the local operator; the text to print on success.
pub async fn exec(
    engine: &Arc<Engine>,
    env: &ExecEnv,
    args: &[String],
) -> Result<String, ExecError> {
    let operator = LocalOperator::ambient(engine.config().default_region.clone());
    exec_as(engine, env, args, &ExecIdentity::Local(&operator)).await
}

/// The permit `identity` gets for `invocation`, or the refusal as `exec` reports it.
async fn authorize(
    identity: &ExecIdentity<'_>,
    invocation: &Invocation,
) -> Result<Permit, ExecError> {
    match identity {
        ExecIdentity::Local(operator) => {
            operator
                .grant(invocation)
                .await
                .map_err(|refusal| match refusal {
                    LocalRefusal::NeverAllowed(denial) => ExecError::Denied(denial),
                    LocalRefusal::NoRegion => ExecError::NoRegion,
                    LocalRefusal::NoCredentials(error) => ExecError::Call(AwsError::Credentials {
                        message: error.message,
                    }),
                })
        }
        ExecIdentity::Channel {
            authorizer,
            requester,
            account,
        } => authorizer
            .decide_with_account(requester, invocation, account.as_deref())
            .await
            .into_result(|question| {
                format!(
                    "this channel can use several accounts; choose one with --account ({})",
                    question.account_list()
                )
            })
            .map_err(ExecError::Denied)
            .and_then(|permit| match permit.approval() {
                Some(needed) => Err(ExecError::NeedsApproval {
                    service: invocation.service.clone(),
                    operation: invocation.cli_operation.clone(),
                    pattern: needed.pattern.clone(),
                }),
                None => Ok(permit),
            }),
    }
}

/// [`exec`] as the given identity.
pub async fn exec_as(
    engine: &Arc<Engine>,
    env: &ExecEnv,
    args: &[String],
    identity: &ExecIdentity<'_>,
) -> Result<String, ExecError> {
    let args = read_input_files(args)?;
    exec_line(engine, env, &quote_words(&args), identity).await
}

/// [`exec_as`] for a command line as typed (the console): the grammar's tokenizer splits it.
pub async fn exec_line(
    engine: &Arc<Engine>,
    env: &ExecEnv,
    line: &str,
    identity: &ExecIdentity<'_>,
) -> Result<String, ExecError> {
    let models = Models::global();
    let (invocation, alias) =
        match command::parse(line, models, ParseContext::Terminal)? {
            Command::Run(invocation) => (invocation, None),
            Command::Help(HelpRequest::Operation {
                service,
                operation,
                cli_operation,
            }) => return operation_help(models, &service, &operation, &cli_operation),
            Command::Help(_) => {
                return Err(ExecError::Unsupported(
                    "exec prints help for one operation (`<service> <operation> help`); for services, see the AWS CLI reference".to_owned(),
                ))
            }
            Command::S3(alias) => (alias.equivalent_invocation(), Some(alias)),
        };
    if let Some(Customization::Outfile { member, path: None }) = &invocation.globals.customization {
        return Err(ExecError::MissingOutfile {
            service: invocation.service.clone(),
            operation: invocation.cli_operation.clone(),
            member: member.clone(),
        });
    }
    // The CLI checks the query while parsing arguments, before any call.
    let query = invocation
        .globals
        .query
        .as_deref()
        .map(Query::parse)
        .transpose()?;
    let format = invocation
        .globals
        .output
        .or(env.default_output)
        .unwrap_or_default();
    if let Some(kind) = invocation.globals.generate_cli_skeleton {
        // A skeleton calls nothing, so it needs no permit (the never-allowed list has been
        // applied while parsing).
        return print_skeleton(models, &invocation, kind, format, query.as_ref());
    }
    let permit = authorize(identity, &invocation).await?;
    if let Some(Customization::Wait { waiter }) = &invocation.globals.customization {
        return run_waiter(engine, identity, &permit, &invocation, waiter).await;
    }
    if let Some(Customization::Calls { plan }) = &invocation.globals.customization {
        let finished = run_plan(engine, identity, &permit, &invocation, *plan).await?;
        return match finished {
            Finished::Lines(lines) => Ok(lines),
            Finished::Output(value) => Ok(output::render_with(
                &value,
                format,
                query.as_ref(),
                &RenderContext::new(plan.table_title().unwrap_or(&invocation.operation)),
            )?),
        };
    }
    let started = std::time::Instant::now();
    // The CLI prints `--output text` of a paged invocation page by page.
    let by_page = format == OutputFormat::Text;
    let result = run_call(engine, &permit, &invocation, alias.as_ref(), by_page).await;
    if let ExecIdentity::Channel {
        authorizer,
        requester,
        ..
    } = identity
    {
        authorizer.audit().write(
            &AuditRecord::new(requester, &invocation, audit_outcome(&result))
                .with_permit(&permit)
                .with_latency(started.elapsed()),
        );
    }
    let mut value = match result? {
        Fetched::Pages(pages) => return Ok(output::render_text_pages(&pages, query.as_ref())?),
        Fetched::Whole(value) => value,
    };
    if alias.is_some() {
        // The s3 aliases print their own lines, not a formatted response.
        return Ok(value.as_str().unwrap_or_default().to_owned());
    }
    if let Some(Customization::Outfile {
        member,
        path: Some(path),
    }) = &invocation.globals.customization
    {
        write_outfile(&mut value, member, path)?;
    }
    let context = RenderContext::new(&invocation.operation);
    Ok(output::render_with(
        &value,
        format,
        query.as_ref(),
        &context,
    )?)
}

/// A CLI command that makes several calls, each audited as its own operation when a channel
/// runs it.
async fn run_plan(
    engine: &Arc<Engine>,
    identity: &ExecIdentity<'_>,
    permit: &Permit,
    invocation: &Invocation,
    plan: Plan,
) -> Result<Finished, ExecError> {
    let mut audit_call = |call: &Invocation, answer: &Result<serde_json::Value, AwsError>, took| {
        if let ExecIdentity::Channel {
            authorizer,
            requester,
            ..
        } = identity
        {
            let mut record =
                AuditRecord::new(requester, call, audit_outcome(answer)).with_latency(took);
            if let Some(call_permit) = permit.for_call(&call.service, &call.operation) {
                record = record.with_permit(&call_permit);
            }
            authorizer.audit().write(&record);
        }
    };
    Ok(engine
        .run_plan(permit, invocation, plan, &mut audit_call)
        .await?)
}

/// The options whose value the AWS CLI reads from a file when it starts with `file://`.
const FILE_INPUT_OPTIONS: [&str; 2] = ["--cli-input-json", "--cli-input-yaml"];

/// `--cli-input-json file://path` and `--cli-input-yaml file://path`: the terminal reads the
/// file (at most [`MAX_CLI_INPUT_BYTES`]) and passes its text on, as the CLI does; the grammar
/// itself never reads files, and any other `file://` value is still refused by it.
fn read_input_files(args: &[String]) -> Result<Vec<String>, ExecError> {
    let mut out = Vec::with_capacity(args.len());
    let mut reads_next: Option<&str> = None;
    for arg in args {
        if let Some(option) = reads_next.take() {
            out.push(read_input_file(option, arg)?);
            continue;
        }
        if let Some(option) = FILE_INPUT_OPTIONS.iter().find(|o| *o == arg) {
            reads_next = Some(option);
            out.push(arg.clone());
            continue;
        }
        match arg.split_once('=') {
            Some((option, value)) if FILE_INPUT_OPTIONS.contains(&option) => {
                out.push(format!("{option}={}", read_input_file(option, value)?));
            }
            _ => out.push(arg.clone()),
        }
    }
    Ok(out)
}

/// The value itself, or the text of the file a `file://` value names.
fn read_input_file(option: &str, value: &str) -> Result<String, ExecError> {
    let Some(path) = value.strip_prefix("file://") else {
        return Ok(value.to_owned());
    };
    let problem = |problem: String| {
        ExecError::Parse(CommandError::InvalidValue {
            option: option.trim_start_matches('-').to_owned(),
            path: String::new(),
            problem,
            expected: format!(
                "a readable file of at most {MAX_CLI_INPUT_BYTES} bytes, or the document itself"
            ),
        })
    };
    let file = std::fs::File::open(path)
        .map_err(|error| problem(format!("Unable to load paramfile {value}: {error}")))?;
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(file, MAX_CLI_INPUT_BYTES as u64 + 1),
        &mut text,
    )
    .map_err(|error| problem(format!("Unable to load paramfile {value}: {error}")))?;
    if text.len() > MAX_CLI_INPUT_BYTES {
        return Err(problem(format!(
            "{value} is over the limit of {MAX_CLI_INPUT_BYTES} bytes"
        )));
    }
    Ok(text)
}

/// `--generate-cli-skeleton`: the input template, or the sample output formatted as the
/// command would print a response (`--output`, `--query`), without calling AWS.
fn print_skeleton(
    models: &Models,
    invocation: &Invocation,
    kind: SkeletonKind,
    format: OutputFormat,
    query: Option<&Query>,
) -> Result<String, ExecError> {
    let model = models.service(&invocation.service).map_err(|error| {
        ExecError::Unsupported(format!(
            "the model of {} is not available: {error}",
            invocation.service
        ))
    })?;
    let Some(operation) = model.operations.get(&invocation.operation) else {
        return Err(ExecError::Unsupported(format!(
            "{} has no operation {}",
            invocation.service, invocation.cli_operation
        )));
    };
    let context = RenderContext::new(&invocation.operation);
    Ok(match kind {
        SkeletonKind::Input => skeleton::input_skeleton_text(&model, operation),
        SkeletonKind::YamlInput => output::render_with(
            &skeleton::input_skeleton(&model, operation),
            OutputFormat::Yaml,
            None,
            &context,
        )?,
        SkeletonKind::Output => output::render_with(
            &skeleton::output_skeleton(&model, operation),
            format,
            query,
            &context,
        )?,
    })
}

/// `exec -- <service> <operation> help`: the operation's options from the model, required
/// ones first, each with its type (a readable summary, not the AWS CLI's manual page).
fn operation_help(
    models: &Models,
    service: &str,
    operation_key: &str,
    cli_operation: &str,
) -> Result<String, ExecError> {
    let unknown = || ExecError::Unsupported(format!("no help for {service} {cli_operation}"));
    let model = models.service(service).map_err(|_| unknown())?;
    let operation = model.operations.get(operation_key).ok_or_else(unknown)?;
    let hidden = model.hidden_members(operation);
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let options = command::command_option_names(&model, operation, service, cli_operation);
    if let (Some(input), Some(options)) = (model.input_shape(operation), options) {
        for (member, member_ref) in &input.members {
            let Some(option) = options.get(member) else {
                continue;
            };
            if hidden.contains(member) {
                continue;
            }
            let line = format!(
                "  --{option}  {}\n",
                type_text(&model, &member_ref.shape, option)
            );
            if input.is_required(member) {
                required.push(line);
            } else {
                optional.push(line);
            }
        }
    }
    for custom in command::custom_options_help(service, operation_key, cli_operation) {
        let line = format!("  --{}  {}\n", custom.name, custom.takes);
        if custom.required {
            required.push(line);
        } else {
            optional.push(line);
        }
    }
    let mut text = format!("{service} {cli_operation}\n\n");
    for (title, lines) in [
        ("Required options", &required),
        ("Optional options", &optional),
    ] {
        if lines.is_empty() {
            continue;
        }
        text.push_str(title);
        text.push_str(":\n");
        lines.iter().for_each(|line| text.push_str(line));
        text.push('\n');
    }
    if required.is_empty() && optional.is_empty() {
        text.push_str("This operation takes no options.\n\n");
    }
    text.push_str("Global options: --region, --output (json, text, table, yaml), --query, --cli-input-json, --cli-input-yaml, --generate-cli-skeleton [input|yaml-input|output]");
    if model.paginator(operation).is_some() {
        text.push_str(
            ", and for its pages --max-items, --starting-token, --page-size, --no-paginate",
        );
    }
    text.push_str(".\n\nThis summary comes from the service model; the AWS CLI's `help` prints its full manual page.\n");
    Ok(text)
}

/// A member's type as help shows it: `string`, `list of string`, one of its enum values,
/// `structure (JSON or shorthand)`, a flag.
fn type_text(model: &ServiceModel, shape_name: &str, option: &str) -> String {
    let Some(shape) = model.shape(shape_name) else {
        return "string".to_owned();
    };
    let base = |shape_type: ShapeType| match shape_type {
        ShapeType::Structure => "structure",
        ShapeType::List => "list",
        ShapeType::Map => "map",
        ShapeType::String => "string",
        ShapeType::Integer | ShapeType::Long | ShapeType::BigInteger => "integer",
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => "number",
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::Blob => "blob",
    };
    match shape.shape_type {
        ShapeType::Boolean => format!("flag (--{option} or --no-{option})"),
        ShapeType::String if !shape.enum_values.is_empty() => {
            format!("string, one of: {}", shape.enum_values.join(", "))
        }
        ShapeType::List => {
            let element = shape
                .member
                .as_ref()
                .and_then(|member| model.shape(&member.shape))
                .map(|element| base(element.shape_type))
                .unwrap_or("string");
            format!("list of {element}")
        }
        ShapeType::Structure | ShapeType::Map => {
            format!("{} (JSON or shorthand)", base(shape.shape_type))
        }
        other => base(other).to_owned(),
    }
}

/// Writes the streamed member of `value` (base64 from the engine) to `path` and takes it out
/// of the response, as the AWS CLI's outfile argument does; nothing is written when the
/// response has no such member.
fn write_outfile(value: &mut Value, member: &str, path: &str) -> Result<(), ExecError> {
    use base64::Engine as _;
    let Some(payload) = value.as_object_mut().and_then(|o| o.shift_remove(member)) else {
        return Ok(());
    };
    let text = payload.as_str().unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|_| text.as_bytes().to_vec());
    std::fs::write(path, bytes).map_err(|error| {
        let reason = error.to_string();
        let reason = match reason.rfind(" (os error ") {
            Some(at) => reason[..at].to_owned(),
            None => reason,
        };
        ExecError::Outfile {
            errno: error.raw_os_error().unwrap_or(5),
            reason,
            path: path.to_owned(),
        }
    })
}

/// `<service> wait <waiter>`: polls as the waiter says, prints nothing when its condition
/// holds (as the CLI), and audits the whole wait as one record.
async fn run_waiter(
    engine: &Engine,
    identity: &ExecIdentity<'_>,
    permit: &Permit,
    invocation: &Invocation,
    name: &str,
) -> Result<String, ExecError> {
    let model = Models::global()
        .service(&invocation.service)
        .map_err(|error| ExecError::Unsupported(error.to_string()))?;
    let Some(waiter) = model.waiters.get(name) else {
        return Err(ExecError::Unsupported(format!(
            "{} has no waiter {name}",
            invocation.service
        )));
    };
    let started = std::time::Instant::now();
    let result = engine.wait(permit, name, waiter, &invocation.params).await;
    if let ExecIdentity::Channel {
        authorizer,
        requester,
        ..
    } = identity
    {
        let outcome = match &result {
            Ok(()) => AuditOutcome::Allowed,
            Err(WaitError::Failed(failed)) => AuditOutcome::Failed {
                error: failed.to_string(),
            },
            Err(WaitError::Call(error)) => audit_error(error),
        };
        authorizer.audit().write(
            &AuditRecord::new(requester, invocation, outcome)
                .with_permit(permit)
                .with_latency(started.elapsed()),
        );
    }
    match result {
        Ok(()) => Ok(String::new()),
        Err(WaitError::Failed(failed)) => Err(ExecError::Wait(failed)),
        Err(WaitError::Call(error)) => Err(ExecError::Call(error)),
    }
}

/// How a call ended, as the audit record writes it.
fn audit_outcome<T>(result: &Result<T, AwsError>) -> AuditOutcome {
    match result {
        Ok(_) => AuditOutcome::Allowed,
        Err(error) => audit_error(error),
    }
}

/// How a failed call is written in the audit record.
fn audit_error(error: &AwsError) -> AuditOutcome {
    match error {
        AwsError::Timeout { .. } => AuditOutcome::TimedOut,
        AwsError::Service { code, .. } => AuditOutcome::Failed {
            error: code.clone(),
        },
        other => AuditOutcome::Failed {
            error: other
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        },
    }
}

/// Runs an invocation (page by page when `by_page`), or the `s3 ls`/`s3 cp` alias it stands
/// for; an alias's result is the text the AWS CLI prints for it, as a JSON string.
async fn run_call(
    engine: &Engine,
    permit: &Permit,
    invocation: &Invocation,
    alias: Option<&S3Command>,
    by_page: bool,
) -> Result<Fetched, AwsError> {
    let Some(alias) = alias else {
        return if by_page {
            engine.call_all_paged(permit, invocation).await
        } else {
            engine
                .call_all(permit, invocation)
                .await
                .map(Fetched::Whole)
        };
    };
    let mut text = String::new();
    match alias {
        S3Command::Copy { source, dest, .. } => {
            engine.call(permit, &invocation.params).await?;
            text.push_str(&output::s3::cp_line(
                &source.bucket,
                &source.key,
                &dest.bucket,
                &dest.key,
            ));
        }
        S3Command::List {
            bucket,
            recursive,
            options,
            ..
        } => {
            let mut params = invocation.params.clone();
            if let Some(page_size) = invocation.globals.page_size {
                let limit = if bucket.is_some() {
                    "MaxKeys"
                } else {
                    "MaxBuckets"
                };
                params.insert(limit.to_owned(), Value::from(page_size));
            }
            let style = output::s3::LsStyle {
                recursive: *recursive,
                human_readable: options.human_readable,
            };
            let mut totals = output::s3::LsTotals::default();
            loop {
                let page = engine.call(permit, &params).await?;
                text.push_str(&match bucket {
                    None => output::s3::ls_buckets_page(&page.output),
                    Some(_) => output::s3::ls_objects_page_styled(&page.output, style, &mut totals),
                });
                match page.next {
                    Some(Value::Object(next)) => params.extend(next),
                    _ => break,
                }
            }
            if options.summarize {
                text.push_str(&output::s3::ls_summary(totals, options.human_readable));
            }
        }
    }
    Ok(Fetched::Whole(Value::String(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_words_tokenize_back_unchanged() {
        let args: Vec<String> = [
            "dynamodb",
            "get-item",
            "--key",
            r#"{"pk": {"S": "it's"}}"#,
            "--query",
            "Item.pk",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(command::tokenize(&quote_words(&args)).unwrap(), args);
    }
}
