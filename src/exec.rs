//! `aws-chatops exec -- <service> <operation> [options]`: one command from a terminal through
//! the same grammar, engine and output layer as chat (F26), printing what the AWS CLI prints.
//! Reads the process environment (credentials, region, endpoint, `AWS_DEFAULT_OUTPUT`) only
//! through [`EngineConfig::from_env`], the credential chain and [`ExecEnv::from_env`].

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::audit::{AuditLog, AuditRecord, Outcome as AuditOutcome};
use crate::aws::paginate::automatic_pagination;
use crate::aws::{sts_sdk_config, AwsError, Engine, EngineConfig};
use crate::command::{
    self, Command, Customization, Invocation, OutputFormat, ParseContext, S3Command,
};
use crate::models::Models;
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
    /// The command did not parse (unknown operation, bad value, missing parameter).
    #[error("{0}")]
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
    /// `--query` or the output format failed on the result.
    #[error("{0}")]
    Output(#[from] OutputError),
    /// `--as`/`--channel`: a layer of the permission path refused, as it would in chat.
    #[error("{} (refused by {})", .0.message, .0.layer.describe())]
    Denied(Denial),
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

impl ExecError {
    pub fn exit_code(&self) -> i32 {
        match self {
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
fn print_outcome(
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
                ExecError::Call(_) => writeln!(err, "\n{error}"),
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
        let path = act_as.config_path.as_ref().ok_or_else(|| {
            ExecError::Config("--as and --channel need the config file with the [access] table: pass --config <path> or set AWS_CHATOPS_CONFIG".into())
        })?;
        let text = std::fs::read_to_string(path).map_err(|error| {
            ExecError::Config(format!("cannot read {}: {error}", path.display()))
        })?;
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
            .map_err(ExecError::Denied),
    }
}

/// [`exec`] as the given identity.
pub async fn exec_as(
    engine: &Arc<Engine>,
    env: &ExecEnv,
    args: &[String],
    identity: &ExecIdentity<'_>,
) -> Result<String, ExecError> {
    let models = Models::global();
    let (invocation, alias) =
        match command::parse(&quote_words(args), models, ParseContext::Terminal)? {
            Command::Run(invocation) => (invocation, None),
            Command::Help(_) => {
                return Err(ExecError::Unsupported(
                    "help is not available in exec yet; see the AWS CLI reference".to_owned(),
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
    let permit = authorize(identity, &invocation).await?;
    let started = std::time::Instant::now();
    let result = run_call(engine, &permit, &invocation, alias.as_ref()).await;
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
    let mut value = result?;
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
    if let (OutputFormat::Text, Some(paginator)) = (format, paginator_in_use(models, &invocation)) {
        // The CLI's text formatter prints the resume token of `--max-items` as its own
        // `NEXTTOKEN` row after the pages rather than as a key of the result.
        let resume_token = match value
            .as_object_mut()
            .and_then(|o| o.shift_remove("NextToken"))
        {
            Some(Value::String(token)) => Some(token),
            Some(other) => {
                value
                    .as_object_mut()
                    .map(|o| o.insert("NextToken".to_owned(), other));
                None
            }
            None => None,
        };
        let page = text_page(&paginator, value);
        return Ok(output::render_text_pages(
            std::slice::from_ref(&page),
            query.as_ref(),
            resume_token.as_deref(),
        )?);
    }
    Ok(output::render_with(
        &value,
        format,
        query.as_ref(),
        &context,
    )?)
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

/// How a call ended, as the audit record writes it.
fn audit_outcome(result: &Result<Value, AwsError>) -> AuditOutcome {
    match result {
        Ok(_) => AuditOutcome::Allowed,
        Err(AwsError::Timeout { .. }) => AuditOutcome::TimedOut,
        Err(AwsError::Service { code, .. }) => AuditOutcome::Failed {
            error: code.clone(),
        },
        Err(other) => AuditOutcome::Failed {
            error: other
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        },
    }
}

/// Runs an invocation, or the `s3 ls`/`s3 cp` alias it stands for; an alias's result is the
/// text the AWS CLI prints for it, as a JSON string.
async fn run_call(
    engine: &Engine,
    permit: &Permit,
    invocation: &Invocation,
    alias: Option<&S3Command>,
) -> Result<Value, AwsError> {
    let Some(alias) = alias else {
        return engine.call_all(permit, invocation).await;
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
    Ok(Value::String(text))
}

/// The paginator's keys when the CLI runs this invocation through its paginator (and so
/// formats text page by page): the operation has a paginator with result keys,
/// `--no-paginate` is off, and the user did not pass a pagination token or the limit by hand.
struct PaginatorKeys {
    result_keys: Vec<String>,
    non_aggregate_keys: Vec<String>,
}

fn paginator_in_use(models: &Models, invocation: &Invocation) -> Option<PaginatorKeys> {
    let model = models.service(&invocation.service).ok()?;
    let paginator = automatic_pagination(&model, invocation)?;
    Some(PaginatorKeys {
        result_keys: paginator.result_key.as_ref()?.as_slice().to_vec(),
        non_aggregate_keys: paginator.non_aggregate_keys.clone(),
    })
}

/// The page the CLI's text formatter prints: the non-aggregate keys, then every result key,
/// a missing one as null (awscli `TextFormatter` sets each result key, found or not).
fn text_page(paginator: &PaginatorKeys, value: Value) -> Value {
    let Value::Object(mut full) = value else {
        return value;
    };
    let mut page = serde_json::Map::new();
    for key in paginator
        .non_aggregate_keys
        .iter()
        .chain(&paginator.result_keys)
    {
        // Dotted result keys (`A.B`) are rare; they keep their place in the merged value.
        if key.contains('.') {
            continue;
        }
        let value = full.shift_remove(key).unwrap_or(Value::Null);
        page.insert(key.clone(), value);
    }
    page.extend(full);
    Value::Object(page)
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
