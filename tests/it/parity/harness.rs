//! The parity harness: runners for the AWS CLI and for `aws-chatops exec` with the same
//! environment, so both read the same moto state, and the diff shown when they disagree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::moto::python_tool;

/// The repository root (the crate's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one command printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The environment both tools run in: moto's endpoint, test credentials, a region and a
/// config file asking for ISO 8601 timestamps (what CLI v2 and aws-chatops print).
pub struct ToolEnv {
    pub vars: Vec<(String, String)>,
    endpoint: String,
    _config_dir: TempDir,
}

/// Services for which the AWS CLI ignores `AWS_ENDPOINT_URL`: awscli's
/// `customizations/overridesslcommonname.py` sets `--endpoint-url` itself for them (sqs in
/// every region, rds, docdb and neptune in us-east-1, emr and health elsewhere) before
/// botocore reads the variable. The CLI side gets moto's URL as `--endpoint-url` for these;
/// `aws-chatops exec` reads the variable as for every other service.
const CLI_OVERRIDES_ENDPOINT: &[&str] = &["sqs", "rds", "docdb", "neptune", "emr", "health"];

impl ToolEnv {
    pub fn new(endpoint: &str, region: &str) -> ToolEnv {
        let dir = TempDir::new("parity-config");
        let config = dir.path.join("config");
        std::fs::write(
            &config,
            format!("[default]\nregion = {region}\ncli_timestamp_format = iso8601\n"),
        )
        .expect("write the AWS config file");
        let credentials = dir.path.join("credentials");
        std::fs::write(&credentials, "").expect("write an empty credentials file");
        let vars = [
            ("AWS_ENDPOINT_URL", endpoint.to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_DEFAULT_REGION", region.to_owned()),
            ("AWS_REGION", region.to_owned()),
            ("AWS_PAGER", String::new()),
            ("AWS_CONFIG_FILE", config.display().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials.display().to_string(),
            ),
            ("AWS_MAX_ATTEMPTS", "1".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        ToolEnv {
            vars,
            endpoint: endpoint.to_owned(),
            _config_dir: dir,
        }
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for var in [
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_OUTPUT",
            "AWS_CA_BUNDLE",
        ] {
            command.env_remove(var);
        }
        command.envs(self.vars.iter().map(|(k, v)| (k, v)));
        command.stdin(Stdio::null());
        command
    }

    /// `aws <args>` (the pip AWS CLI).
    pub fn aws(&self, args: &[String]) -> Outcome {
        let mut command = self.command(&python_tool("aws"));
        command.args(args);
        if args
            .first()
            .is_some_and(|service| CLI_OVERRIDES_ENDPOINT.contains(&service.as_str()))
        {
            command.args(["--endpoint-url", &self.endpoint]);
        }
        let output = command
            .output()
            .expect("the AWS CLI runs (pip install awscli)");
        outcome(output)
    }

    /// `aws-chatops exec -- <args>`.
    pub fn exec(&self, args: &[String]) -> Outcome {
        let output = self
            .command(Path::new(env!("CARGO_BIN_EXE_aws-chatops")))
            .arg("exec")
            .arg("--")
            .args(args)
            .output()
            .expect("aws-chatops runs");
        outcome(output)
    }
}

fn outcome(output: std::process::Output) -> Outcome {
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A directory removed when dropped.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Splits a command line like a POSIX shell does for words and quotes (no expansions).
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    current.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                if !matches!(escaped, '"' | '\\' | '$' | '`') {
                                    current.push('\\');
                                }
                                current.push(escaped);
                            }
                        }
                        other => current.push(other),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// A readable line diff: every differing line with two lines of context.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let left: Vec<&str> = expected.lines().collect();
    let right: Vec<&str> = actual.lines().collect();
    let n = left.len().max(right.len());
    let differs: Vec<bool> = (0..n).map(|i| left.get(i) != right.get(i)).collect();
    let mut out = String::new();
    let mut last_printed: Option<usize> = None;
    for i in 0..n {
        let near = (i.saturating_sub(2)..=(i + 2).min(n - 1)).any(|j| differs[j]);
        if !near {
            continue;
        }
        if last_printed.is_some_and(|l| l + 1 != i) || (last_printed.is_none() && i > 0) {
            out.push_str("    ...\n");
        }
        last_printed = Some(i);
        if differs[i] {
            if let Some(l) = left.get(i) {
                out.push_str(&format!("  - {l}\n"));
            }
            if let Some(r) = right.get(i) {
                out.push_str(&format!("  + {r}\n"));
            }
        } else {
            out.push_str(&format!("    {}\n", left[i]));
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("  (trailing newline differs)\n");
    }
    out
}
