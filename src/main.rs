//! The `aws-chatops` binary: parses the command line and wires the library together. Nothing
//! else lives here.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use aws_chatops::config::Config;
use aws_chatops::http::ServerBuilder;

/// A self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.
#[derive(Debug, Parser)]
#[command(version, about)]
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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve => serve(cli.config),
    }
}

fn serve(config_path: Option<PathBuf>) -> anyhow::Result<()> {
    aws_chatops::telemetry::init();
    let config = Config::load(config_path.as_deref()).context("invalid configuration")?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = ServerBuilder::new(config).start().await?;
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
