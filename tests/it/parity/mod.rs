//! AWS CLI parity: every command of `corpus.toml` runs through the pip AWS CLI and through
//! `aws-chatops exec` against the same moto server, and their outputs must be identical.
//! Nothing expected is written down: both tools run live in the same test run.

mod harness;

use std::collections::HashMap;
use std::sync::OnceLock;

use harness::{line_diff, split_words, Outcome, ToolEnv};
use serde::Deserialize;

use crate::support::moto::Moto;

/// The parity tests' own moto server, apart from the one the other tests share: a case
/// compares two listings taken one after the other (`aws`, then `aws-chatops exec`), and a
/// resource another test creates between the two would make them differ. The two parity
/// tests use different regions (moto keeps state per region) so they cannot see each other's
/// resources either.
fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

#[derive(Debug, Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

/// One corpus entry. See the header of `corpus.toml`.
#[derive(Debug, Deserialize)]
struct Case {
    /// Commands run once through `aws` before the case (`NAME=command` captures stdout,
    /// trimmed, as `${NAME}` for later commands).
    #[serde(default)]
    setup: Vec<String>,
    /// The command under test, without the leading `aws`.
    command: String,
    /// Output formats compared; `json` when absent.
    #[serde(default)]
    outputs: Vec<String>,
    /// `--query` expressions, each compared in every listed output format.
    #[serde(default)]
    queries: Vec<String>,
    /// A write command: `{u}` in it becomes a name unique to each tool, so each creates its
    /// own resource; in the outputs each tool's name is turned back into `{u}`.
    #[serde(default)]
    write: bool,
    /// Regular expressions for values that inherently differ between the two runs (ids,
    /// creation times of the two resources); matches become `<normalised>` in both outputs.
    #[serde(default)]
    normalise: Vec<String>,
    /// For a write: a regular expression for the id of what it made, found in its output;
    /// each `check` command then runs through `aws` for each tool's resource, with that id as
    /// `${ID}`, so what each tool asked the service for is compared, not only what it printed.
    #[serde(default)]
    made: Option<String>,
    #[serde(default)]
    check: Vec<String>,
}

struct Variant {
    label: String,
    args: Vec<String>,
}

fn substitute(text: &str, captured: &HashMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, value) in captured {
        out = out.replace(&format!("${{{name}}}"), value);
    }
    out
}

fn variants(case: &Case, captured: &HashMap<String, String>) -> Vec<Variant> {
    let base = split_words(&substitute(&case.command, captured));
    let outputs: Vec<String> = if case.outputs.is_empty() {
        vec!["json".to_owned()]
    } else {
        case.outputs.clone()
    };
    let mut queries: Vec<Option<String>> = vec![None];
    queries.extend(case.queries.iter().cloned().map(Some));
    let mut out = Vec::new();
    for query in &queries {
        for output in &outputs {
            let mut args = base.clone();
            args.extend(["--output".to_owned(), output.clone()]);
            let mut label = format!("aws {} --output {output}", case.command);
            if let Some(query) = query {
                args.extend(["--query".to_owned(), query.clone()]);
                label.push_str(&format!(" --query '{query}'"));
            }
            out.push(Variant { label, args });
        }
    }
    out
}

fn normalise(outcome: &Outcome, unique: Option<&str>, patterns: &[regex::Regex]) -> Outcome {
    let fix = |text: &str| {
        let mut text = match unique {
            Some(unique) => text.replace(unique, "{u}"),
            None => text.to_owned(),
        };
        for pattern in patterns {
            text = pattern.replace_all(&text, "<normalised>").into_owned();
        }
        text
    };
    Outcome {
        code: outcome.code,
        stdout: fix(&outcome.stdout),
        stderr: fix(&outcome.stderr),
    }
}

/// Compares two outcomes; `None` when they match.
fn compare(label: &str, cli: &Outcome, ours: &Outcome) -> Option<String> {
    let mut problems = Vec::new();
    if cli.code != ours.code {
        problems.push(format!(
            "exit code: aws {} vs aws-chatops {}",
            cli.code, ours.code
        ));
    }
    if label.contains("--output json") {
        let parsed = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
        if parsed(&cli.stdout) != parsed(&ours.stdout) {
            problems.push("parsed JSON differs".to_owned());
        }
    }
    if cli.stdout != ours.stdout {
        problems.push(format!(
            "stdout differs (- aws, + aws-chatops):\n{}",
            line_diff(&cli.stdout, &ours.stdout)
        ));
    }
    // Errors go to stderr; the CLI's sentence is the last non-empty line.
    let last_line = |s: &str| {
        s.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::to_owned)
    };
    if cli.code != 0 && last_line(&cli.stderr) != last_line(&ours.stderr) {
        problems.push(format!(
            "stderr differs:\n  - {}\n  + {}",
            last_line(&cli.stderr).unwrap_or_default(),
            last_line(&ours.stderr).unwrap_or_default()
        ));
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!("✗ {label}\n{}", problems.join("\n")))
    }
}

/// One output to compare: a variant of a case, with the case's normalising patterns.
struct Job<'a> {
    case: &'a Case,
    patterns: &'a [regex::Regex],
    variant: Variant,
}

/// Runs one job through both tools; `None` when they print the same.
fn run_job(env: &ToolEnv, job: &Job) -> Option<String> {
    let (cli, ours) = if job.case.write {
        let unique_args = |tag: &str| -> Vec<String> {
            job.variant
                .args
                .iter()
                .map(|a| a.replace("{u}", tag))
                .collect()
        };
        let cli = env.aws(&unique_args("clirun"));
        let ours = env.exec(&unique_args("rsrun"));
        if let Some(mismatch) = check_made(env, job, &cli, &ours) {
            return Some(mismatch);
        }
        (
            normalise(&cli, Some("clirun"), job.patterns),
            normalise(&ours, Some("rsrun"), job.patterns),
        )
    } else {
        let cli = env.aws(&job.variant.args);
        let ours = env.exec(&job.variant.args);
        (
            normalise(&cli, None, job.patterns),
            normalise(&ours, None, job.patterns),
        )
    };
    compare(&job.variant.label, &cli, &ours)
}

/// A write case's `check` commands, run through `aws` against what each tool made; `None`
/// when they print the same for both.
fn check_made(env: &ToolEnv, job: &Job, cli: &Outcome, ours: &Outcome) -> Option<String> {
    if job.case.check.is_empty() {
        return None;
    }
    let made = regex::Regex::new(
        job.case
            .made
            .as_deref()
            .expect("a case with checks names `made`"),
    )
    .expect("`made` compiles");
    let id = |outcome: &Outcome| made.find(&outcome.stdout).map(|m| m.as_str().to_owned());
    let (Some(cli_id), Some(our_id)) = (id(cli), id(ours)) else {
        return Some(format!(
            "✗ {}\nno id matching `made` in the outputs:\n  aws: {}\n  aws-chatops: {}{}",
            job.variant.label,
            cli.stdout.trim(),
            ours.stdout.trim(),
            ours.stderr.trim()
        ));
    };
    let problems: Vec<String> = job
        .case
        .check
        .iter()
        .filter_map(|check| {
            let run = |id: &str| env.aws(&split_words(&check.replace("${ID}", id)));
            let label = format!("{} then `aws {check}`", job.variant.label);
            compare(
                &label,
                &normalise(&run(&cli_id), Some("clirun"), job.patterns),
                &normalise(&run(&our_id), Some("rsrun"), job.patterns),
            )
        })
        .collect();
    (!problems.is_empty()).then(|| problems.join("\n\n"))
}

/// How many read jobs run at once: each runs the Python CLI (about 0.5 s of CPU), so more
/// than the machine's cores only queues. `PARITY_JOBS=1` runs them one by one.
fn parallelism() -> usize {
    std::env::var("PARITY_JOBS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
        .clamp(1, 8)
}

/// Runs `jobs` on `workers` threads, each taking the next job in order; the results keep the
/// jobs' order, so the report reads like the corpus whatever the timing.
fn run_concurrently(env: &ToolEnv, jobs: &[Job], workers: usize) -> Vec<Option<String>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers.min(jobs.len()) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else { break };
                let mismatch = run_job(env, job);
                results.lock().expect("no worker panicked")[index] = mismatch;
            });
        }
    });
    results.into_inner().expect("no worker panicked")
}

/// Runs the corpus in three phases so that reads can run concurrently and still see one
/// fixed state: every case's setup first, in corpus order (later setups may use earlier
/// captures); then every read-only variant, concurrently (nothing changes moto's state
/// meanwhile, so each pair of runs sees the same resources); then the write cases, one by
/// one (their resources appear after every listing has run).
#[test]
fn exec_prints_what_the_aws_cli_prints_for_the_corpus() {
    let corpus: Corpus =
        toml_edit::de::from_str(include_str!("corpus.toml")).expect("corpus.toml parses");
    let env = ToolEnv::new(&moto().url, "us-east-1");
    let started = std::time::Instant::now();
    let mut captured: HashMap<String, String> = HashMap::new();
    let mut setup_failures = Vec::new();
    for case in &corpus.case {
        for setup in &case.setup {
            let (name, command) = match setup.split_once('=') {
                Some((name, command))
                    if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
                {
                    (Some(name.to_owned()), command)
                }
                _ => (None, setup.as_str()),
            };
            let outcome = env.aws(&split_words(&substitute(command, &captured)));
            if outcome.code != 0 {
                setup_failures.push(format!("setup `aws {command}`: {}", outcome.stderr.trim()));
            }
            if let Some(name) = name {
                captured.insert(name, outcome.stdout.trim().to_owned());
            }
        }
    }
    let patterns: Vec<Vec<regex::Regex>> = corpus
        .case
        .iter()
        .map(|case| {
            case.normalise
                .iter()
                .map(|p| regex::Regex::new(p).expect("normalise patterns compile"))
                .collect()
        })
        .collect();
    // While chasing one mismatch, `PARITY_ONLY=route53` compares only the matching commands
    // (every setup still runs, so captured values exist).
    let only = std::env::var("PARITY_ONLY").ok();
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for (case, patterns) in corpus.case.iter().zip(&patterns) {
        if only
            .as_ref()
            .is_some_and(|o| !case.command.contains(o.as_str()))
        {
            continue;
        }
        for variant in variants(case, &captured) {
            let job = Job {
                case,
                patterns,
                variant,
            };
            if case.write {
                writes.push(job);
            } else {
                reads.push(job);
            }
        }
    }
    let workers = parallelism();
    let mut mismatches: Vec<String> = run_concurrently(&env, &reads, workers)
        .into_iter()
        .flatten()
        .collect();
    mismatches.extend(writes.iter().filter_map(|job| run_job(&env, job)));
    let compared = reads.len() + writes.len();
    let services: std::collections::BTreeSet<&str> = corpus
        .case
        .iter()
        .filter_map(|c| c.command.split_whitespace().next())
        .collect();
    let summary = format!(
        "parity: {} commands, {} services, {compared} outputs compared, {} match, {} differ \
         ({workers} at a time, {:.1} s)",
        corpus.case.len(),
        services.len(),
        compared - mismatches.len(),
        mismatches.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!("{summary}");
    // The whole report also goes to a file: a long one is cut off in a terminal.
    let report = harness::repo_root()
        .join("target")
        .join("parity-report.txt");
    let _ = std::fs::write(
        &report,
        format!("{summary}\n\n{}\n", mismatches.join("\n\n")),
    );
    assert!(
        setup_failures.is_empty(),
        "setup failed:\n{}",
        setup_failures.join("\n")
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} outputs differ from the AWS CLI:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

/// The headline check: the alarms in ALARM state, by name, as the CLI prints them.
#[test]
fn describe_alarms_in_alarm_state_matches_the_cli() {
    // Its own region: the corpus test shares the moto server.
    let env = ToolEnv::new(&moto().url, "eu-west-1");
    let put = |name: &str| {
        let outcome = env.aws(&split_words(&format!(
            "cloudwatch put-metric-alarm --alarm-name {name} --metric-name CPUUtilization \
             --namespace AWS/EC2 --statistic Average --period 300 --evaluation-periods 1 \
             --threshold 80 --comparison-operator GreaterThanThreshold"
        )));
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    };
    let set_state = |name: &str, state: &str| {
        let outcome = env.aws(&split_words(&format!(
            "cloudwatch set-alarm-state --alarm-name {name} --state-value {state} \
             --state-reason parity"
        )));
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    };
    for name in ["headline-a", "headline-b", "headline-ok"] {
        put(name);
    }
    set_state("headline-a", "ALARM");
    set_state("headline-b", "ALARM");
    set_state("headline-ok", "OK");
    let args = split_words(
        "cloudwatch describe-alarms --state-value ALARM --query 'MetricAlarms[].AlarmName'",
    );
    let cli = env.aws(&args);
    let ours = env.exec(&args);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    assert!(cli.stdout.contains("headline-a") && !cli.stdout.contains("headline-ok"));
    assert_eq!(ours, cli, "aws-chatops exec differs from aws");
}
