//! EMR's hand-written commands that build their request from options of their own
//! (`awscli/customizations/emr/`): `add-instance-groups` (AddInstanceGroups,
//! `instancegroupsutils.build_instance_groups`), `add-steps` (DescribeCluster for the release
//! label, then AddJobFlowSteps with `steputils.build_step_config_list`) and `create-cluster`
//! (RunJobFlow as `createcluster.py` builds it).
//!
//! The invocation keeps the command's own options in its parameters, in their CLI forms (the
//! words as typed, structures as their JSON), so that a card prints them back as a command
//! line that parses to the same invocation; the plan (`calls.rs`) builds the request from
//! them. Parsing builds the request once too, to give the CLI's errors and the model's checks
//! before anything is called.

//!
//! `instance_groups.rs` builds instance groups and fleets, `steps.rs` the steps, and
//! `create_cluster.rs` the RunJobFlow request.

mod applications;
mod create_cluster;
mod emrfs;
mod instance_groups;
mod steps;

use serde_json::{Map, Value};

use super::option_group::CommandOptions;
use super::CommandError;
use crate::command::shorthand::{self, ShorthandError};
use crate::command::values::ValueParser;
use crate::command::Invocation;
use crate::models::ServiceModel;

pub(super) use applications::install_steps;
pub(super) use create_cluster::build_run_job_flow;
pub(super) use instance_groups::build_instance_groups;
pub(super) use steps::build_steps;
/// The commands take none of their operation's model options.
pub(super) const OWN_OPTIONS_ONLY: CommandOptions = CommandOptions {
    renamed: &[],
    removed: &[],
    offered: Some(&[]),
};

/// How an option of these commands reads its words; each keeps its value under `param`
/// (`xform_name(param)` is the option's name, so a card prints it back under its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum EmrOption {
    /// One word, kept as text.
    Text(&'static str),
    /// One word, an integer (kept as a number).
    Integer(&'static str),
    /// One word: a structure in shorthand or JSON.
    Object(&'static str),
    /// Structures: one per word (shorthand or JSON), or one JSON list.
    Objects(&'static str),
    /// Every word, as text (`--tags k=v k2=v2`).
    Words(&'static str),
    /// One word of JSON (`--configurations`).
    Json(&'static str),
    /// A flag: on (`--auto-terminate`) or off (`--no-auto-terminate`).
    Flag(&'static str, bool),
}

impl EmrOption {
    pub(super) fn arity(self) -> super::Arity {
        match self {
            EmrOption::Flag(..) => super::Arity::Flag,
            EmrOption::Objects(_) | EmrOption::Words(_) => super::Arity::Many,
            _ => super::Arity::One,
        }
    }

    fn param(self) -> &'static str {
        match self {
            EmrOption::Text(p)
            | EmrOption::Integer(p)
            | EmrOption::Object(p)
            | EmrOption::Objects(p)
            | EmrOption::Words(p)
            | EmrOption::Json(p)
            | EmrOption::Flag(p, _) => p,
        }
    }
}

pub(super) const ADD_INSTANCE_GROUPS: [(&str, EmrOption); 2] = [
    ("cluster-id", EmrOption::Text("ClusterId")),
    ("instance-groups", EmrOption::Objects("InstanceGroups")),
];

pub(super) const INSTALL_APPLICATIONS: [(&str, EmrOption); 2] = [
    ("cluster-id", EmrOption::Text("ClusterId")),
    ("applications", EmrOption::Objects("Applications")),
];

pub(super) const ADD_STEPS: [(&str, EmrOption); 3] = [
    ("cluster-id", EmrOption::Text("ClusterId")),
    ("steps", EmrOption::Objects("Steps")),
    ("execution-role-arn", EmrOption::Text("ExecutionRoleArn")),
];

/// `create-cluster`'s options (the CLI's ARG_TABLE).
pub(super) const CREATE_CLUSTER: &[(&str, EmrOption)] = &[
    ("release-label", EmrOption::Text("ReleaseLabel")),
    ("os-release-label", EmrOption::Text("OsReleaseLabel")),
    ("ami-version", EmrOption::Text("AmiVersion")),
    ("instance-groups", EmrOption::Objects("InstanceGroups")),
    ("instance-type", EmrOption::Text("InstanceType")),
    ("instance-count", EmrOption::Integer("InstanceCount")),
    ("auto-terminate", EmrOption::Flag("AutoTerminate", true)),
    ("no-auto-terminate", EmrOption::Flag("AutoTerminate", false)),
    ("instance-fleets", EmrOption::Objects("InstanceFleets")),
    ("name", EmrOption::Text("Name")),
    ("log-uri", EmrOption::Text("LogUri")),
    (
        "log-encryption-kms-key-id",
        EmrOption::Text("LogEncryptionKmsKeyId"),
    ),
    ("service-role", EmrOption::Text("ServiceRole")),
    ("auto-scaling-role", EmrOption::Text("AutoScalingRole")),
    (
        "use-default-roles",
        EmrOption::Flag("UseDefaultRoles", true),
    ),
    ("configurations", EmrOption::Json("Configurations")),
    ("ec2-attributes", EmrOption::Object("Ec2Attributes")),
    (
        "termination-protected",
        EmrOption::Flag("TerminationProtected", true),
    ),
    (
        "no-termination-protected",
        EmrOption::Flag("TerminationProtected", false),
    ),
    (
        "unhealthy-node-replacement",
        EmrOption::Flag("UnhealthyNodeReplacement", true),
    ),
    (
        "no-unhealthy-node-replacement",
        EmrOption::Flag("UnhealthyNodeReplacement", false),
    ),
    ("scale-down-behavior", EmrOption::Text("ScaleDownBehavior")),
    (
        "visible-to-all-users",
        EmrOption::Flag("VisibleToAllUsers", true),
    ),
    (
        "no-visible-to-all-users",
        EmrOption::Flag("VisibleToAllUsers", false),
    ),
    ("enable-debugging", EmrOption::Flag("EnableDebugging", true)),
    (
        "no-enable-debugging",
        EmrOption::Flag("EnableDebugging", false),
    ),
    ("tags", EmrOption::Words("Tags")),
    ("bootstrap-actions", EmrOption::Objects("BootstrapActions")),
    ("applications", EmrOption::Objects("Applications")),
    ("emrfs", EmrOption::Object("Emrfs")),
    ("steps", EmrOption::Objects("Steps")),
    ("additional-info", EmrOption::Text("AdditionalInfo")),
    (
        "restore-from-hbase-backup",
        EmrOption::Object("RestoreFromHbaseBackup"),
    ),
    (
        "security-configuration",
        EmrOption::Text("SecurityConfiguration"),
    ),
    ("custom-ami-id", EmrOption::Text("CustomAmiId")),
    (
        "ebs-root-volume-size",
        EmrOption::Integer("EbsRootVolumeSize"),
    ),
    (
        "ebs-root-volume-iops",
        EmrOption::Integer("EbsRootVolumeIops"),
    ),
    (
        "ebs-root-volume-throughput",
        EmrOption::Integer("EbsRootVolumeThroughput"),
    ),
    ("repo-upgrade-on-boot", EmrOption::Text("RepoUpgradeOnBoot")),
    (
        "kerberos-attributes",
        EmrOption::Object("KerberosAttributes"),
    ),
    (
        "step-concurrency-level",
        EmrOption::Integer("StepConcurrencyLevel"),
    ),
    (
        "step-execution-role-arn",
        EmrOption::Text("StepExecutionRoleArn"),
    ),
    (
        "managed-scaling-policy",
        EmrOption::Object("ManagedScalingPolicy"),
    ),
    (
        "placement-group-configs",
        EmrOption::Objects("PlacementGroupConfigs"),
    ),
    (
        "auto-termination-policy",
        EmrOption::Object("AutoTerminationPolicy"),
    ),
    (
        "monitoring-configuration",
        EmrOption::Object("MonitoringConfiguration"),
    ),
    ("extended-support", EmrOption::Flag("ExtendedSupport", true)),
    (
        "no-extended-support",
        EmrOption::Flag("ExtendedSupport", false),
    ),
];

/// The options of `emr <cli_operation>`, when it is one of these commands.
pub(super) fn options_of(cli_operation: &str) -> &'static [(&'static str, EmrOption)] {
    match cli_operation {
        "add-instance-groups" => &ADD_INSTANCE_GROUPS,
        "add-steps" => &ADD_STEPS,
        "create-cluster" => CREATE_CLUSTER,
        "install-applications" => &INSTALL_APPLICATIONS,
        _ => &[],
    }
}

/// The options `cli_operation` requires (create-cluster checks its own combinations).
pub(super) fn required_options(cli_operation: &str) -> &'static [&'static str] {
    match cli_operation {
        "add-instance-groups" => &["cluster-id", "instance-groups"],
        "add-steps" => &["cluster-id", "steps"],
        "install-applications" => &["cluster-id", "applications"],
        _ => &[],
    }
}

/// Whether `emr <cli_operation>` is one of these commands.
pub(super) fn is_command(cli_operation: &str) -> bool {
    !options_of(cli_operation).is_empty()
}

/// The keys whose shorthand text the CLI's schemas type as integers, numbers or booleans;
/// the values are otherwise kept as given.
const INTEGER_KEYS: &[&str] = &[
    "InstanceCount",
    "SizeInGB",
    "VolumesPerInstance",
    "Iops",
    "Throughput",
    "MinCapacity",
    "MaxCapacity",
    "ScalingAdjustment",
    "CoolDown",
    "EvaluationPeriods",
    "Period",
    "TargetOnDemandCapacity",
    "TargetSpotCapacity",
    "WeightedCapacity",
    "TimeoutDurationMinutes",
    "BlockDurationMinutes",
    "MinimumCapacityUnits",
    "MaximumCapacityUnits",
    "MaximumOnDemandCapacityUnits",
    "MaximumCoreCapacityUnits",
    "IdleTimeout",
    "UtilizationPerformanceIndex",
    "RetryCount",
    "RetryPeriod",
];
const NUMBER_KEYS: &[&str] = &[
    "Threshold",
    "BidPriceAsPercentageOfOnDemandPrice",
    "Priority",
];
const BOOLEAN_KEYS: &[&str] = &["EbsOptimized", "Consistent", "SSE"];

fn coerce(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                coerce(v, Some(k.as_str()));
            }
        }
        Value::Array(items) => {
            for item in items {
                coerce(item, key);
            }
        }
        Value::String(text) => {
            let Some(key) = key else { return };
            if INTEGER_KEYS.contains(&key) {
                if let Ok(n) = text.trim().parse::<i64>() {
                    *value = Value::from(n);
                }
            } else if NUMBER_KEYS.contains(&key) {
                if let Some(n) = text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    *value = Value::Number(n);
                }
            } else if BOOLEAN_KEYS.contains(&key) {
                match text.to_ascii_lowercase().as_str() {
                    "true" => *value = Value::Bool(true),
                    "false" => *value = Value::Bool(false),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn refuse_files(name: &str, words: &[String]) -> Result<(), CommandError> {
    for word in words {
        if let Some(prefix) = shorthand::file_prefix(word) {
            return Err(CommandError::FileReference {
                option: name.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
    }
    Ok(())
}

fn invalid(name: &str, problem: String, expected: &str) -> CommandError {
    CommandError::InvalidValue {
        option: name.to_owned(),
        path: String::new(),
        problem,
        expected: expected.to_owned(),
    }
}

fn object_of(name: &str, word: &str) -> Result<Value, CommandError> {
    let expected =
        "a structure in shorthand (Key=value,Other=[a,b]) or JSON ({\"Key\": \"value\"})";
    if word.trim_start().starts_with('{') {
        let value: Value = serde_json::from_str(word)
            .map_err(|error| invalid(name, format!("invalid JSON ({error})"), expected))?;
        if !value.is_object() {
            return Err(invalid(name, "not a JSON object".into(), expected));
        }
        return Ok(value);
    }
    match shorthand::parse(word) {
        Ok(map) => Ok(Value::Object(map)),
        Err(ShorthandError::FileReference { prefix }) => Err(CommandError::FileReference {
            option: name.to_owned(),
            prefix: prefix.to_owned(),
        }),
        Err(error) => Err(invalid(name, error.to_string(), expected)),
    }
}

/// Reads one option's words into its CLI-form value.
fn read(name: &str, option: EmrOption, words: Vec<String>) -> Result<Value, CommandError> {
    refuse_files(name, &words)?;
    let one = |words: Vec<String>, expected: &str| super::single_word(name, words, expected);
    let mut value = match option {
        EmrOption::Flag(_, on) => Value::Bool(on),
        EmrOption::Text(_) => Value::String(one(words, "a value")?),
        EmrOption::Integer(_) => {
            let word = one(words, "an integer")?;
            let number = word
                .trim()
                .parse::<i64>()
                .map_err(|_| invalid(name, format!("'{word}' is not an integer"), "an integer"))?;
            Value::from(number)
        }
        EmrOption::Json(_) => {
            let word = one(words, "a JSON value")?;
            serde_json::from_str(&word).map_err(|_| CommandError::CliUsage {
                message: format!("invalid json argument for option --{name}"),
            })?
        }
        EmrOption::Object(_) => object_of(name, &one(words, "a structure")?)?,
        EmrOption::Words(_) => {
            if words.is_empty() {
                return Err(CommandError::MissingValue {
                    option: name.to_owned(),
                    expected: "one or more values".into(),
                });
            }
            Value::Array(words.into_iter().map(Value::String).collect())
        }
        EmrOption::Objects(_) => {
            let expected = "one or more structures in shorthand or JSON, or one JSON list";
            match words.as_slice() {
                [] => {
                    return Err(CommandError::MissingValue {
                        option: name.to_owned(),
                        expected: expected.into(),
                    })
                }
                [word] if word.trim_start().starts_with('[') => {
                    let value: Value = serde_json::from_str(word).map_err(|error| {
                        invalid(name, format!("invalid JSON ({error})"), expected)
                    })?;
                    if !value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_object))
                    {
                        return Err(invalid(name, "not a JSON list of objects".into(), expected));
                    }
                    value
                }
                _ => Value::Array(
                    words
                        .iter()
                        .map(|word| object_of(name, word))
                        .collect::<Result<_, _>>()?,
                ),
            }
        }
    };
    if crate::command::values::json_depth(&value) > crate::command::values::MAX_JSON_VALUE_DEPTH {
        return Err(invalid(
            name,
            "the value nests too deeply".into(),
            "a flatter value",
        ));
    }
    // JSON is kept as given (the CLI reads `--configurations` with json.loads, no schema).
    if !matches!(option, EmrOption::Json(_)) {
        coerce(&mut value, None);
    }
    Ok(value)
}

/// The keys the CLI's argument schema (`argumentschema.py`) allows in the items of an option
/// whose structures the command builds from, and those it requires.
fn schema(param: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match param {
        "InstanceGroups" => (
            &[
                "Name",
                "InstanceGroupType",
                "BidPrice",
                "InstanceType",
                "InstanceCount",
                "CustomAmiId",
                "EbsConfiguration",
                "AutoScalingPolicy",
                "Configurations",
            ],
            &["InstanceGroupType", "InstanceType", "InstanceCount"],
        ),
        "Steps" => (
            &[
                "Type",
                "Name",
                "ActionOnFailure",
                "Jar",
                "Args",
                "MainClass",
                "Properties",
                "LogUri",
                "EncryptionKeyArn",
            ],
            &[],
        ),
        "Ec2Attributes" => (
            &[
                "KeyName",
                "SubnetId",
                "SubnetIds",
                "AvailabilityZone",
                "AvailabilityZones",
                "InstanceProfile",
                "EmrManagedMasterSecurityGroup",
                "EmrManagedSlaveSecurityGroup",
                "ServiceAccessSecurityGroup",
                "AdditionalMasterSecurityGroups",
                "AdditionalSlaveSecurityGroups",
            ],
            &[],
        ),
        "BootstrapActions" => (&["Name", "Path", "Args"], &["Path"]),
        "Emrfs" => (
            &[
                "Consistent",
                "SSE",
                "RetryCount",
                "RetryPeriod",
                "Args",
                "Encryption",
                "ProviderType",
                "KMSKeyId",
                "CustomProviderLocation",
                "CustomProviderClass",
            ],
            &[],
        ),
        "RestoreFromHbaseBackup" => (&["Dir", "BackupVersion"], &[]),
        "Applications" => (&["Name", "Args"], &["Name"]),
        "InstanceFleets" => (
            &[
                "Name",
                "InstanceFleetType",
                "TargetOnDemandCapacity",
                "TargetSpotCapacity",
                "InstanceTypeConfigs",
                "LaunchSpecifications",
                "ResizeSpecifications",
                "Context",
            ],
            &["InstanceFleetType"],
        ),
        _ => return None,
    })
}

/// The CLI's parameter validation of a schema option's structures: its sentences for a key
/// the schema does not have and for a required key left out.
fn check_schema(param: &str, value: &Value) -> Result<(), CommandError> {
    let Some((allowed, required)) = schema(param) else {
        return Ok(());
    };
    let items: Vec<(String, &Value)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| (format!("[{index}]"), item))
            .collect(),
        other => vec![("input".to_owned(), other)],
    };
    for (place, item) in items {
        let Some(map) = item.as_object() else {
            continue;
        };
        for key in required {
            if !map.contains_key(*key) {
                return Err(usage(format!(
                    "Parameter validation failed:\nMissing required parameter in {place}: \"{key}\""
                )));
            }
        }
        if let Some(key) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
            return Err(usage(format!(
                "Parameter validation failed:\nUnknown parameter in {place}: \"{key}\", must be \
                 one of: {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// A CLI error of these commands (`aws: error: ...` without its prefix).
fn usage(message: impl Into<String>) -> CommandError {
    CommandError::CliUsage {
        message: message.into(),
    }
}

/// Reads the options given into the invocation's parameters, with the CLI's checks, and
/// builds the request once to check it against the model.
pub(super) fn apply(
    model: &ServiceModel,
    invocation: &mut Invocation,
    given: Vec<(String, EmrOption, Vec<String>)>,
    requires_options: bool,
) -> Result<(), CommandError> {
    let command = format!("emr {}", invocation.cli_operation);
    let mut flags: Vec<(&'static str, bool, String)> = Vec::new();
    for (name, option, words) in given {
        if let EmrOption::Flag(param, on) = option {
            if let Some((_, other_on, other)) = flags.iter().find(|(p, _, _)| *p == param) {
                if *other_on != on {
                    let (first, second) = if on {
                        (other.clone(), name.clone())
                    } else {
                        (name.clone(), other.clone())
                    };
                    // emrutils.apply_boolean_options' sentence (the `no-` option first for
                    // auto-terminate, as the CLI calls it).
                    let (a, b) = if param == "AutoTerminate" {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    return Err(usage(format!(
                        "cannot use both --{a} and --{b} options together."
                    )));
                }
            }
            flags.push((param, on, name.clone()));
        }
        let value = read(&name, option, words)?;
        check_schema(option.param(), &value)?;
        invocation.params.insert(option.param().to_owned(), value);
    }
    if !requires_options {
        return Ok(());
    }
    let missing: Vec<String> = required_options(&invocation.cli_operation)
        .iter()
        .filter(|option| {
            let param = options_of(&invocation.cli_operation)
                .iter()
                .find(|(name, _)| name == *option)
                .map(|(_, o)| o.param());
            !param.is_some_and(|p| invocation.params.contains_key(p))
        })
        .map(|option| (*option).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(CommandError::MissingFlattened {
            command,
            options: missing,
        });
    }
    // Build the request now, for the CLI's errors and the model's checks.
    let (shape, request, option) = match invocation.cli_operation.as_str() {
        "add-instance-groups" => (
            "InstanceGroupConfigList",
            Value::Array(build_instance_groups(list(
                &invocation.params,
                "InstanceGroups",
            ))?),
            "instance-groups",
        ),
        "add-steps" => {
            // The release label is the cluster's, known after DescribeCluster; built as for
            // a cluster without one, the steps raise every error the CLI raises but the
            // Impala step's (which needs a cluster without one: the plan checks it).
            let steps = build_steps(list(&invocation.params, "Steps"), None, None)?;
            ("StepConfigList", Value::Array(steps), "steps")
        }
        "create-cluster" => {
            let request = build_run_job_flow(&invocation.params, None)?;
            ("RunJobFlowInput", Value::Object(request), "create-cluster")
        }
        _ => return Ok(()),
    };
    let checker = ValueParser { model, option };
    let shape = model
        .operations
        .get("RunJobFlow")
        .and_then(|op| op.input.as_ref())
        .filter(|_| shape == "RunJobFlowInput")
        .map_or(shape.to_owned(), |input| input.shape.clone());
    checker.check_json(&shape, request, "")?;
    Ok(())
}

fn list<'a>(params: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    params
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// How a card prints a flag of these commands back (`--auto-terminate`,
/// `--no-visible-to-all-users`).
pub(in crate::command) fn flag_word(
    invocation: &Invocation,
    param: &str,
    value: &Value,
) -> Option<String> {
    if invocation.service != "emr" {
        return None;
    }
    let on = value.as_bool()?;
    let param = param_static(param)?;
    options_of(&invocation.cli_operation)
        .iter()
        .find(|(_, option)| *option == EmrOption::Flag(param, on))
        .map(|(name, _)| format!("--{name}"))
}

fn param_static(param: &str) -> Option<&'static str> {
    CREATE_CLUSTER
        .iter()
        .map(|(_, option)| option.param())
        .find(|p| *p == param)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card prints a parameter under `xform_name(param)`, so every option that is not a
    /// flag must be named so; the flags are printed by [`flag_word`].
    #[test]
    fn every_option_prints_back_under_its_own_name() {
        for command in ["add-instance-groups", "add-steps", "create-cluster"] {
            for (name, option) in options_of(command) {
                if let EmrOption::Flag(param, on) = option {
                    let expected = if *on {
                        (*name).to_owned()
                    } else {
                        format!("no-{}", crate::models::xform_name(param))
                    };
                    assert_eq!(*name, expected, "{command}");
                    continue;
                }
                assert_eq!(
                    crate::models::xform_name(option.param()),
                    *name,
                    "{command}"
                );
            }
        }
    }
}
