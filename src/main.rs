//! The `aws-chatops` binary: parses the command line and wires the library together. Nothing
//! else lives here.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use std::sync::Arc;

use aws_chatops::aws::{Engine, EngineConfig};
use aws_chatops::bot::DurableConversationStore;
use aws_chatops::config::Config;
use aws_chatops::conversation::Conversations;
use aws_chatops::http::ServerBuilder;
use aws_chatops::policy::LocalOperator;

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
    /// Serve the Bot Framework endpoint (POST /api/messages, GET /healthz, GET /readyz).
    Serve,
    /// Run one AWS CLI command from the terminal and print what the AWS CLI prints:
    /// `aws-chatops exec -- cloudwatch describe-alarms --state-value ALARM`.
    Exec {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve => serve(cli.config),
        Command::Exec { args } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let code = runtime.block_on(aws_chatops::exec::run_exec(
                args,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            ));
            std::process::exit(code);
        }
    }
}

fn serve(config_path: Option<PathBuf>) -> anyhow::Result<()> {
    aws_chatops::telemetry::init();
    let config = Config::load(config_path.as_deref()).context("invalid configuration")?;
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
        let engine = Arc::new(Engine::new(engine_config));
        // Until channel configuration exists (issue 5), commands run as the bot's own
        // credentials, still behind the never-allowed list and the confirmations.
        let authorizer = Arc::new(LocalOperator::new(engine.clone(), default_region));
        let conversations =
            Conversations::new(engine, authorizer, store.clone(), config.request_ttl);
        let server = ServerBuilder::new(config)
            .command_handler(Arc::new(conversations))
            .conversation_store(Arc::new(DurableConversationStore::new(store)))
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
