//! The `aws-chatops` program: wires the subcommands to the library; no logic lives here.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aws-chatops",
    version,
    about = "Run AWS CLI commands from Microsoft Teams"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
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
        Cmd::Exec { args } => {
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
