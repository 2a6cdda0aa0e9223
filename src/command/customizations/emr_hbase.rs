//! EMR's HBase backup commands (`awscli/customizations/emr/hbase.py`, clusters on AMI versions
//! 2.x and 3.x): `restore-from-hbase-backup`, `schedule-hbase-backup`, `create-hbase-backup`
//! and `disable-hbase-backups`. Each adds one step that runs `emr.hbase.backup.Main` from the
//! cluster's HBase jar with the CLI's arguments (AddJobFlowSteps). The invocation keeps the
//! command's own options; the step is built when the call is made ([`call`]), so cards print
//! the command as typed.

use serde_json::{json, Value};

use super::{single_word, CommandError, Invocation};

/// One option of an HBase command: its name, the parameter it is kept under, whether it is a
/// flag, and whether the command requires it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) struct HbaseOption {
    pub(super) name: &'static str,
    pub(super) param: &'static str,
    pub(super) flag: bool,
    pub(super) required: bool,
}

const fn value(name: &'static str, param: &'static str, required: bool) -> HbaseOption {
    HbaseOption {
        name,
        param,
        flag: false,
        required,
    }
}

const fn flag(name: &'static str, param: &'static str) -> HbaseOption {
    HbaseOption {
        name,
        param,
        flag: true,
        required: false,
    }
}

const CLUSTER: HbaseOption = value("cluster-id", "ClusterId", true);
const DIR: HbaseOption = value("dir", "Dir", true);
const CONSISTENT: HbaseOption = flag("consistent", "Consistent");

const RESTORE: [HbaseOption; 3] = [
    CLUSTER,
    DIR,
    value("backup-version", "BackupVersion", false),
];
const SCHEDULE: [HbaseOption; 7] = [
    CLUSTER,
    value("type", "Type", true),
    DIR,
    value("interval", "Interval", true),
    value("unit", "Unit", true),
    value("start-time", "StartTime", false),
    CONSISTENT,
];
const CREATE: [HbaseOption; 3] = [CLUSTER, DIR, CONSISTENT];
const DISABLE: [HbaseOption; 3] = [
    CLUSTER,
    flag("full", "Full"),
    flag("incremental", "Incremental"),
];

/// The options of each command, in the CLI's order.
pub(super) fn options(cli_operation: &str) -> &'static [HbaseOption] {
    match cli_operation {
        "restore-from-hbase-backup" => &RESTORE,
        "schedule-hbase-backup" => &SCHEDULE,
        "create-hbase-backup" => &CREATE,
        "disable-hbase-backups" => &DISABLE,
        _ => &[],
    }
}

/// Whether `cli_operation` is one of these commands.
pub(super) fn is_hbase_command(cli_operation: &str) -> bool {
    !options(cli_operation).is_empty()
}

/// Reads the options given into the invocation, with the CLI's checks.
pub(super) fn apply(
    invocation: &mut Invocation,
    given: Vec<(String, HbaseOption, Vec<String>)>,
    requires_options: bool,
) -> Result<(), CommandError> {
    for (name, option, words) in given {
        let value = if option.flag {
            Value::Bool(true)
        } else {
            Value::String(single_word(&name, words, "a value")?)
        };
        invocation.params.insert(option.param.into(), value);
    }
    if !requires_options {
        return Ok(());
    }
    let command = format!("emr {}", invocation.cli_operation);
    let missing: Vec<String> = options(&invocation.cli_operation)
        .iter()
        .filter(|o| o.required && !invocation.params.contains_key(o.param))
        .map(|o| o.name.to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(CommandError::MissingFlattened {
            command,
            options: missing,
        });
    }
    let text = |param: &str| {
        invocation
            .params
            .get(param)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    };
    let invalid = |option: &str, problem: String, expected: &str| CommandError::InvalidValue {
        option: option.to_owned(),
        path: String::new(),
        problem,
        expected: expected.to_owned(),
    };
    match invocation.cli_operation.as_str() {
        "schedule-hbase-backup" => {
            if !matches!(text("Type").as_str(), "full" | "incremental") {
                return Err(invalid(
                    "type",
                    "invalid type. type should be either full or incremental.".into(),
                    "full or incremental",
                ));
            }
            if !matches!(text("Unit").as_str(), "minutes" | "hours" | "days") {
                return Err(invalid(
                    "unit",
                    "invalid unit. unit should be one of the following values: minutes, hours or days."
                        .into(),
                    "minutes, hours or days",
                ));
            }
        }
        "disable-hbase-backups"
            if !invocation.params.contains_key("Full")
                && !invocation.params.contains_key("Incremental") =>
        {
            return Err(CommandError::NeedsOneOf {
                command,
                options: vec!["full".into(), "incremental".into()],
            });
        }
        _ => {}
    }
    Ok(())
}

/// The one step the command adds: the HBase jar with the CLI's arguments.
pub(in crate::command) fn step(invocation: &Invocation) -> Value {
    let param = |name: &str| invocation.params.get(name).and_then(Value::as_str);
    let lower = |name: &str| param(name).unwrap_or_default().to_lowercase();
    let on = |name: &str| invocation.params.get(name) == Some(&Value::Bool(true));
    let mut args: Vec<String> = vec!["emr.hbase.backup.Main".into()];
    let mut push = |words: &[&str]| args.extend(words.iter().map(|w| (*w).to_owned()));
    let dir = param("Dir").unwrap_or_default();
    let name = match invocation.cli_operation.as_str() {
        "restore-from-hbase-backup" => {
            push(&["--restore", "--backup-dir", dir]);
            if let Some(version) = param("BackupVersion") {
                push(&["--backup-version", version]);
            }
            "Restore HBase"
        }
        "schedule-hbase-backup" => {
            let full = lower("Type") == "full";
            push(&["--set-scheduled-backup", "true", "--backup-dir", dir]);
            if on("Consistent") {
                push(&["--consistent"]);
            }
            let (interval, unit) = if full {
                ("--full-backup-time-interval", "--full-backup-time-unit")
            } else {
                (
                    "--incremental-backup-time-interval",
                    "--incremental-backup-time-unit",
                )
            };
            push(&[interval, param("Interval").unwrap_or_default()]);
            push(&[unit, &lower("Unit")]);
            push(&["--start-time", param("StartTime").unwrap_or("now")]);
            "Modify Backup Schedule"
        }
        "create-hbase-backup" => {
            push(&["--backup", "--backup-dir", dir]);
            if on("Consistent") {
                push(&["--consistent"]);
            }
            "Backup HBase"
        }
        _ => {
            push(&["--set-scheduled-backup", "false"]);
            if on("Full") {
                push(&["--disable-full-backups"]);
            }
            if on("Incremental") {
                push(&["--disable-incremental-backups"]);
            }
            "Modify Backup Schedule"
        }
    };
    json!({
        "Name": name,
        "ActionOnFailure": "CANCEL_AND_WAIT",
        "HadoopJarStep": {"Jar": "/home/hadoop/lib/hbase.jar", "Args": args}
    })
}

/// How an HBase command prints a flag back (`--consistent`).
pub(super) fn flag_word(invocation: &Invocation, param: &str, value: &Value) -> Option<String> {
    let option = options(&invocation.cli_operation)
        .iter()
        .find(|o| o.flag && o.param == param)?;
    (value == &Value::Bool(true)).then(|| format!("--{}", option.name))
}
