//! `aws-chatops exec -- <service> <operation> [options]`: one command from a terminal through
//! the same grammar, engine and output layer as chat (F26), printing what the AWS CLI prints.
//! Reads the process environment (credentials, region, endpoint, `AWS_DEFAULT_OUTPUT`) only
//! through [`EngineConfig::from_env`], the credential chain and [`ExecEnv::from_env`].

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::audit::{AuditLog, AuditRecord, Outcome as AuditOutcome};
use crate::aws::{sts_sdk_config, AwsError, Engine, EngineConfig, Fetched};
use crate::command::{self, Command, Invocation, OutputFormat, ParseContext, S3Command};
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
}

impl ExecError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ExecError::Parse(_) | ExecError::Unsupported(_) => EXIT_PARSE_ERROR,
            ExecError::Output(OutputError::InvalidQuery { .. }) => EXIT_PARSE_ERROR,
            ExecError::Config(_) => EXIT_PARSE_ERROR,
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
    exec_line(engine, env, &quote_words(args), identity).await
}

/// [`exec_as`] for a command line as typed (the console): the grammar's tokenizer splits it.
pub async fn exec_line(
    engine: &Arc<Engine>,
    env: &ExecEnv,
    line: &str,
    identity: &ExecIdentity<'_>,
) -> Result<String, ExecError> {
    let models = Models::global();
    let (invocation, alias) = match command::parse(line, models, ParseContext::Terminal)? {
        Command::Run(invocation) => (invocation, None),
        Command::Help(_) => {
            return Err(ExecError::Unsupported(
                "help is not available in exec yet; see the AWS CLI reference".to_owned(),
            ))
        }
        Command::S3(alias) => (alias.equivalent_invocation(), Some(alias)),
    };
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
    let value = match result? {
        Fetched::Pages(pages) => return Ok(output::render_text_pages(&pages, query.as_ref())?),
        Fetched::Whole(value) => value,
    };
    if alias.is_some() {
        // The s3 aliases print their own lines, not a formatted response.
        return Ok(value.as_str().unwrap_or_default().to_owned());
    }
    let context = RenderContext::new(&invocation.operation);
    Ok(output::render_with(
        &value,
        format,
        query.as_ref(),
        &context,
    )?)
}

/// How a call ended, as the audit record writes it.
fn audit_outcome<T>(result: &Result<T, AwsError>) -> AuditOutcome {
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
            bucket, recursive, ..
        } => {
            let mut params = invocation.params.clone();
            loop {
                let page = engine.call(permit, &params).await?;
                text.push_str(&match bucket {
                    None => output::s3::ls_buckets_page(&page.output),
                    Some(_) => output::s3::ls_objects_page(&page.output, *recursive),
                });
                match page.next {
                    Some(Value::Object(next)) => params.extend(next),
                    _ => break,
                }
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
