//! The `aws-chatops` binary: parses the command line and wires the library together. Nothing
//! else lives here.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use std::sync::Arc;

use aws_chatops::audit::AuditLog;
use aws_chatops::aws::{sts_sdk_config, Engine, EngineConfig};
use aws_chatops::bot::DurableConversationStore;
use aws_chatops::config::Config;
use aws_chatops::conversation::notifications::channels_without_reference;
use aws_chatops::conversation::Conversations;
use aws_chatops::http::ServerBuilder;
use aws_chatops::policy::assume_role::StsRoleAssumer;
use aws_chatops::policy::config::reload::read_access;
use aws_chatops::policy::config::AccessConfig;
use aws_chatops::policy::ChannelAuthorizer;

/// jemalloc, with its background threads purging freed pages: after a burst of large
/// commands the process gives the memory back instead of keeping the burst's peak resident, as
/// glibc's per-thread arenas did (BENCHMARKS.md, "Memory").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.
#[derive(Debug, Parser)]
#[command(name = "aws-chatops", version, about)]
struct Cli {
    /// TOML config file; settings in the environment take precedence over its `[bot]` table.
    #[arg(long, global = true, env = "AWS_CHATOPS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Bot Framework endpoint (POST /api/messages), SNS notifications (POST
    /// /api/sns), GET /healthz, GET /readyz and GET /metrics.
    Serve,
    /// Run one AWS CLI command from the terminal and print what the AWS CLI prints:
    /// `aws-chatops exec -- cloudwatch describe-alarms --state-value ALARM`. Without --as it
    /// runs with the ambient AWS credentials; with --as and --channel it runs through the chat
    /// permission path (channel, guardrail, account, role, assume role, audit).
    Exec {
        /// Act as this Teams user (Entra object id).
        #[arg(long = "as", value_name = "ENTRA_OBJECT_ID", requires = "channel")]
        act_as: Option<String>,
        /// In this channel entry of the config file (`[access.channels.<key>]`).
        #[arg(long, value_name = "KEY", requires = "act_as")]
        channel: Option<String>,
        /// In this account (name or id) when the channel has several.
        #[arg(long, value_name = "ACCOUNT", requires = "act_as")]
        account: Option<String>,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// An interactive session: type AWS CLI commands without `aws`, with history and tab
    /// completion; missing options are asked for, changes are confirmed with y/N, results
    /// print as the AWS CLI prints them. Without --as it runs with the ambient AWS
    /// credentials; with --as and --channel through the chat permission path and audit.
    Console {
        /// Act as this Teams user (Entra object id).
        #[arg(long = "as", value_name = "ENTRA_OBJECT_ID", requires = "channel")]
        act_as: Option<String>,
        /// In this channel entry of the config file (`[access.channels.<key>]`).
        #[arg(long, value_name = "KEY", requires = "act_as")]
        channel: Option<String>,
        /// In this account (name or id) when the channel has several.
        #[arg(long, value_name = "ACCOUNT", requires = "act_as")]
        account: Option<String>,
        /// Keep the command history in this file between sessions (default: this session only).
        #[arg(long, value_name = "PATH")]
        history_file: Option<PathBuf>,
    },
    /// Check the config file and explain every mistake with its line and column; exits 1
    /// when there is one.
    CheckConfig,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve => serve(cli.config),
        Command::Exec {
            act_as,
            channel,
            account,
            args,
        } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let mut out = std::io::stdout().lock();
            let mut err = std::io::stderr().lock();
            let code = match (act_as, channel) {
                (Some(user_object_id), Some(channel)) => {
                    let act_as = aws_chatops::exec::ActAs {
                        config_path: cli.config,
                        user_object_id,
                        channel,
                        account,
                    };
                    runtime.block_on(aws_chatops::exec::run_exec_as(
                        args, act_as, &mut out, &mut err,
                    ))
                }
                _ => runtime.block_on(aws_chatops::exec::run_exec(args, &mut out, &mut err)),
            };
            std::process::exit(code);
        }
        Command::Console {
            act_as,
            channel,
            account,
            history_file,
        } => {
            let act_as = match (act_as, channel) {
                (Some(user_object_id), Some(channel)) => Some(aws_chatops::exec::ActAs {
                    config_path: cli.config,
                    user_object_id,
                    channel,
                    account,
                }),
                _ => None,
            };
            let options = aws_chatops::console::ConsoleOptions {
                act_as,
                history_file,
            };
            std::process::exit(aws_chatops::console::run_console(options));
        }
        Command::CheckConfig => {
            let Some(path) = cli.config else {
                anyhow::bail!("check-config needs the file: --config <path> or AWS_CHATOPS_CONFIG");
            };
            let report = aws_chatops::policy::config::check::check_config_file(&path);
            print!("{}", report.text);
            if report.ok {
                print!("{}", notification_references(&path));
            }
            std::process::exit(if report.ok { 0 } else { 1 });
        }
    }
}

/// What `check-config` says about the channels `[notifications]` posts to: those the bot has
/// no conversation reference for yet (it is not installed in their team or chat), read from
/// the store the server uses. An embedded store that does not exist yet is not created.
fn notification_references(path: &std::path::Path) -> String {
    let Ok(access) = read_access(path) else {
        return String::new();
    };
    let mapped = access.notifications.mapped_channels().join(", ");
    if mapped.is_empty() {
        return String::new();
    }
    let location = match Config::load(Some(path)) {
        Ok(config) => config.store_location,
        Err(_) => std::env::var("AWS_CHATOPS_STORE")
            .unwrap_or_else(|_| aws_chatops::config::DEFAULT_STORE.to_owned()),
    };
    let is_file = !location.contains("://");
    if is_file && !std::path::Path::new(&location).exists() {
        return format!(
            "No store at {location} yet, so no channel has a conversation reference: {mapped} will get notifications once the app is installed in their team or chat.\n"
        );
    }
    let missing = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| {
            runtime.block_on(async {
                let store = aws_chatops::store::open(&location).await?;
                let references = DurableConversationStore::new(store);
                Ok(channels_without_reference(&access, &references).await?)
            })
        });
    match missing {
        Ok(missing) if missing.is_empty() => {
            format!("Every channel notifications go to has a conversation reference ({mapped}).\n")
        }
        Ok(missing) => format!(
            "No conversation reference yet for {}: install the app in their team or chat; until then their notifications are counted as undeliverable.\n",
            missing.join(", ")
        ),
        Err(error) => format!(
            "Could not read the store at {location} to check conversation references ({error:#}); the server names channels without one at start-up.\n"
        ),
    }
}

/// The `[access]` configuration of the file, or nothing allowed when there is no file.
fn load_access(config_path: Option<&std::path::Path>) -> anyhow::Result<AccessConfig> {
    let Some(path) = config_path else {
        tracing::warn!(
            "no config file: every command from Teams is refused until [access] lists its channel"
        );
        return Ok(AccessConfig::default());
    };
    Ok(read_access(path)?)
}

/// On SIGHUP, reads the `[access]` table again and applies it when it is valid; a file with
/// mistakes is logged with its explanation and the running configuration stays.
#[cfg(unix)]
fn reload_on_hangup(path: PathBuf, authorizer: Arc<ChannelAuthorizer>) -> anyhow::Result<()> {
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot install the SIGHUP handler")?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match read_access(&path) {
                Ok(access) => {
                    let channels = access.channels.len();
                    let accounts = access.accounts.len();
                    authorizer.replace_config(access);
                    tracing::info!(
                        path = %path.display(),
                        channels,
                        accounts,
                        "configuration reloaded"
                    );
                }
                Err(error) => tracing::error!(
                    path = %path.display(),
                    error = %error,
                    "configuration not reloaded; the running one stays"
                ),
            }
        }
    });
    Ok(())
}

fn serve(config_path: Option<PathBuf>) -> anyhow::Result<()> {
    aws_chatops::telemetry::init();
    let config = Config::load(config_path.as_deref()).context("invalid configuration")?;
    let access = load_access(config_path.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = aws_chatops::store::open(&config.store_location)
            .await
            .with_context(|| format!("cannot open the store at {}", config.store_location))?;
        let engine_config = EngineConfig::from_env();
        let default_region = engine_config
            .default_region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_owned());
        let audit = Arc::new(
            AuditLog::open(&access.audit.destination).context("cannot open the audit log")?,
        );
        let assumer = StsRoleAssumer::new(&sts_sdk_config(&engine_config, &default_region).await);
        let engine = Arc::new(Engine::new(engine_config));
        // Every chat command goes through the [access] configuration: the channel, the
        // guardrail, the account, the role and STS. Nothing configured means nothing runs.
        let authorizer = Arc::new(ChannelAuthorizer::new(
            access,
            store.clone(),
            Arc::new(assumer),
            audit.clone(),
            default_region,
        ));
        #[cfg(unix)]
        if let Some(path) = &config_path {
            reload_on_hangup(path.clone(), authorizer.clone())?;
        }
        let conversations =
            Conversations::new(engine, authorizer, store.clone(), config.request_ttl)
                .with_audit(audit)
                .with_history_ttl(config.history_ttl)
                .with_public_url(config.public_url.as_ref())
                .with_user_specific_views(true);
        let server = ServerBuilder::new(config)
            .notifications(conversations.clone())
            .command_handler(Arc::new(conversations))
            .conversation_store(Arc::new(DurableConversationStore::new(store.clone())))
            .chart_store(store.clone())
            .outbox_store(store)
            .start()
            .await?;
        shutdown_signal().await;
        // Teams waits 15 s for an answer; give turns in flight a little longer than that.
        server.shutdown(Duration::from_secs(20)).await;
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler can be installed");
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
