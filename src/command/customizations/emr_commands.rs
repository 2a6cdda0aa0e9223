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

use serde_json::{Map, Value};

use super::option_group::CommandOptions;
use super::CommandError;
use crate::command::shorthand::{self, ShorthandError};
use crate::command::values::ValueParser;
use crate::command::Invocation;
use crate::models::ServiceModel;

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

pub(super) const ADD_STEPS: [(&str, EmrOption); 3] = [
    ("cluster-id", EmrOption::Text("ClusterId")),
    ("steps", EmrOption::Objects("Steps")),
    ("execution-role-arn", EmrOption::Text("ExecutionRoleArn")),
];

/// `create-cluster`'s options that can be typed in chat (the CLI's ARG_TABLE without
/// `--ami-version`, `--emrfs` and `--restore-from-hbase-backup`).
pub(super) const CREATE_CLUSTER: &[(&str, EmrOption)] = &[
    ("release-label", EmrOption::Text("ReleaseLabel")),
    ("os-release-label", EmrOption::Text("OsReleaseLabel")),
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
    ("steps", EmrOption::Objects("Steps")),
    ("additional-info", EmrOption::Text("AdditionalInfo")),
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
];
const NUMBER_KEYS: &[&str] = &[
    "Threshold",
    "BidPriceAsPercentageOfOnDemandPrice",
    "Priority",
];
const BOOLEAN_KEYS: &[&str] = &["EbsOptimized"];

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
    coerce(&mut value, None);
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
    let required: &[&str] = match invocation.cli_operation.as_str() {
        "add-instance-groups" => &["cluster-id", "instance-groups"],
        "add-steps" => &["cluster-id", "steps"],
        _ => &[],
    };
    let missing: Vec<String> = required
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

/// `instancegroupsutils.build_instance_groups`.
pub(super) fn build_instance_groups(groups: &[Value]) -> Result<Vec<Value>, CommandError> {
    let mut built = Vec::new();
    for group in groups {
        let group = group.as_object().cloned().unwrap_or_default();
        // The CLI reads these keys without a default (a Python KeyError); say which is missing.
        for key in ["InstanceGroupType", "InstanceType", "InstanceCount"] {
            if !group.contains_key(key) {
                return Err(usage(format!(
                    "The following required parameters are missing for InstanceGroupConfig: \
                     {key}."
                )));
            }
        }
        let role = text_of(&group["InstanceGroupType"]);
        let mut config = Map::new();
        config.insert(
            "Name".into(),
            group
                .get("Name")
                .cloned()
                .unwrap_or_else(|| Value::String(role.clone())),
        );
        config.insert("InstanceType".into(), group["InstanceType"].clone());
        config.insert("InstanceCount".into(), group["InstanceCount"].clone());
        config.insert("InstanceRole".into(), Value::String(role.to_uppercase()));
        match group.get("BidPrice") {
            Some(price) => {
                if price != "OnDemandPrice" {
                    config.insert("BidPrice".into(), price.clone());
                }
                config.insert("Market".into(), Value::from("SPOT"));
            }
            None => {
                config.insert("Market".into(), Value::from("ON_DEMAND"));
            }
        }
        for key in [
            "EbsConfiguration",
            "AutoScalingPolicy",
            "Configurations",
            "CustomAmiId",
        ] {
            if let Some(value) = group.get(key) {
                config.insert(key.into(), value.clone());
            }
        }
        built.push(Value::Object(config));
    }
    Ok(built)
}

/// `instancegroupsutils._build_instance_group`.
fn shortcut_group(instance_type: &Value, count: i64, role: &str) -> Value {
    let mut config = Map::new();
    config.insert("InstanceType".into(), instance_type.clone());
    config.insert("InstanceCount".into(), Value::from(count));
    config.insert("InstanceRole".into(), Value::from(role));
    config.insert("Name".into(), Value::from(role));
    config.insert("Market".into(), Value::from("ON_DEMAND"));
    Value::Object(config)
}

const SCRIPT_RUNNER_PATH: &str = "/libs/script-runner/script-runner.jar";
const COMMAND_RUNNER: &str = "command-runner.jar";

fn s3_link(relative: &str, region: Option<&str>) -> String {
    format!(
        "s3://{}.elasticmapreduce{relative}",
        region.unwrap_or("us-east-1")
    )
}

/// Python's truthiness of a step value (`not value`).
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(text)) => !text.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
    }
}

fn missing_field(structure: &str, name: &str) -> CommandError {
    usage(format!(
        "The following required parameters are missing for {structure}: {name}."
    ))
}

fn args_of(step: &Map<String, Value>, structure: &str) -> Result<Vec<Value>, CommandError> {
    let args = step.get("Args");
    if !truthy(args) {
        return Err(missing_field(structure, "Args"));
    }
    Ok(match args {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    })
}

/// `emrutils.check_empty_string_list`.
fn check_not_empty(args: &[Value]) -> Result<(), CommandError> {
    if args.is_empty() || (args.len() == 1 && text_of(&args[0]).trim().is_empty()) {
        return Err(usage("The parameter Args cannot be an empty list."));
    }
    Ok(())
}

/// `emrutils.parse_key_value_string`.
fn properties(text: &str) -> Value {
    Value::Array(
        text.split(',')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                serde_json::json!({"Key": key, "Value": value})
            })
            .collect(),
    )
}

/// `emrutils.build_step`.
fn step(
    jar: Value,
    name: Value,
    action_on_failure: Value,
    args: Option<Value>,
    parsed: &Map<String, Value>,
    main_class: Option<&Value>,
    properties: Option<Value>,
) -> Value {
    let mut step = Map::new();
    if truthy(Some(&name)) {
        step.insert("Name".into(), name);
    }
    if truthy(Some(&action_on_failure)) {
        step.insert("ActionOnFailure".into(), action_on_failure);
    }
    let mut jar_config = Map::new();
    jar_config.insert("Jar".into(), jar);
    for (key, value) in [
        ("Args", args),
        ("MainClass", main_class.cloned()),
        ("Properties", properties),
    ] {
        if let Some(value) = value.filter(|v| truthy(Some(v))) {
            jar_config.insert(key.into(), value);
        }
    }
    step.insert("HadoopJarStep".into(), Value::Object(jar_config));
    let mut s3 = Map::new();
    for key in ["LogUri", "EncryptionKeyArn"] {
        if let Some(value) = parsed.get(key).filter(|v| truthy(Some(v))) {
            s3.insert(key.into(), value.clone());
        }
    }
    if !s3.is_empty() {
        step.insert(
            "StepMonitoringConfiguration".into(),
            serde_json::json!({ "S3MonitoringConfiguration": s3 }),
        );
    }
    Value::Object(step)
}

/// `steputils.build_step_config_list`: `release_label` is the cluster's (None for an AMI
/// cluster); `region` names the script runner's bucket.
pub(super) fn build_steps(
    steps: &[Value],
    release_label: Option<&str>,
    region: Option<&str>,
) -> Result<Vec<Value>, CommandError> {
    let labelled = release_label.is_some_and(|label| !label.is_empty());
    let runner = || {
        if labelled {
            Value::from(COMMAND_RUNNER)
        } else {
            Value::String(s3_link(SCRIPT_RUNNER_PATH, region))
        }
    };
    let mut built = Vec::new();
    for parsed in steps {
        let parsed = parsed.as_object().cloned().unwrap_or_default();
        let step_type = parsed
            .get("Type")
            .filter(|v| !v.is_null())
            .map_or_else(|| "custom_jar".to_owned(), text_of)
            .to_lowercase();
        let name_or = |default: &str| {
            parsed
                .get("Name")
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or_else(|| Value::from(default))
        };
        let action = parsed
            .get("ActionOnFailure")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| Value::from("CONTINUE"));
        let config = match step_type.as_str() {
            "custom_jar" => {
                let name = name_or("Custom JAR");
                let jar = parsed.get("Jar");
                if !truthy(jar) {
                    return Err(missing_field("CustomJARStepConfig", "Jar"));
                }
                let props = parsed
                    .get("Properties")
                    .filter(|v| !v.is_null())
                    .map(|p| properties(&text_of(p)));
                step(
                    jar.cloned().unwrap_or(Value::Null),
                    name,
                    action,
                    parsed.get("Args").cloned(),
                    &parsed,
                    parsed.get("MainClass"),
                    props,
                )
            }
            "streaming" => {
                let name = name_or("Streaming program");
                let args = args_of(&parsed, "StreamingStepConfig")?;
                check_not_empty(&args)?;
                let (jar, mut list) = if labelled {
                    (
                        Value::from(COMMAND_RUNNER),
                        vec![Value::from("hadoop-streaming")],
                    )
                } else {
                    (
                        Value::from("/home/hadoop/contrib/streaming/hadoop-streaming.jar"),
                        Vec::new(),
                    )
                };
                list.extend(args);
                step(
                    jar,
                    name,
                    action,
                    Some(Value::Array(list)),
                    &parsed,
                    None,
                    None,
                )
            }
            "hive" | "pig" => {
                let hive = step_type == "hive";
                let structure = if hive {
                    "HiveStepConfig"
                } else {
                    "PigStepConfig"
                };
                let args = args_of(&parsed, structure)?;
                check_not_empty(&args)?;
                let name = name_or(if hive { "Hive program" } else { "Pig program" });
                let tool = if hive { "hive" } else { "pig" };
                let mut list = Vec::new();
                if labelled {
                    list.push(Value::String(format!("{tool}-script")));
                } else {
                    list.push(Value::String(s3_link(
                        &format!("/libs/{tool}/{tool}-script"),
                        region,
                    )));
                }
                list.push(Value::String(format!("--run-{tool}-script")));
                if !labelled {
                    list.push(Value::String(format!("--{tool}-versions")));
                    list.push(Value::from("latest"));
                }
                list.push(Value::from("--args"));
                list.extend(args);
                step(
                    runner(),
                    name,
                    action,
                    Some(Value::Array(list)),
                    &parsed,
                    None,
                    None,
                )
            }
            "impala" => {
                if labelled {
                    return Err(usage("The step type impala is not supported."));
                }
                let name = name_or("Impala program");
                let args = args_of(&parsed, "ImpalaStepConfig")?;
                let mut list = vec![
                    Value::String(s3_link("/libs/impala/setup-impala", region)),
                    Value::from("--run-impala-script"),
                ];
                list.extend(args);
                step(
                    Value::String(s3_link(SCRIPT_RUNNER_PATH, region)),
                    name,
                    action,
                    Some(Value::Array(list)),
                    &parsed,
                    None,
                    None,
                )
            }
            "spark" => {
                let name = name_or("Spark application");
                let args = args_of(&parsed, "SparkStepConfig")?;
                let mut list = vec![Value::from(if labelled {
                    "spark-submit"
                } else {
                    "/home/hadoop/spark/bin/spark-submit"
                })];
                list.extend(args);
                step(
                    runner(),
                    name,
                    action,
                    Some(Value::Array(list)),
                    &parsed,
                    None,
                    None,
                )
            }
            other => {
                return Err(usage(format!("The step type {other} is not supported.")));
            }
        };
        built.push(config);
    }
    Ok(built)
}

/// `createcluster.py`'s `_run_main_command`: the RunJobFlow request from the command's
/// parameters (`region` names the script runner's bucket of steps without a release label).
pub(super) fn build_run_job_flow(
    params: &Map<String, Value>,
    region: Option<&str>,
) -> Result<Map<String, Value>, CommandError> {
    let get = |key: &str| params.get(key).filter(|v| !v.is_null());
    let flag = |key: &str| get(key).and_then(Value::as_bool);
    let mut request = Map::new();
    request.insert(
        "Name".into(),
        get("Name")
            .cloned()
            .unwrap_or_else(|| Value::from("Development Cluster")),
    );
    let Some(release_label) = get("ReleaseLabel") else {
        // `--ami-version` is not offered, so `--release-label` is needed.
        return Err(usage(
            "Either --ami-version or --release-label is required.",
        ));
    };
    let role_message = " Either choose --use-default-roles or use both --service-role \
                        <roleName> and --ec2-attributes InstanceProfile=<profileName>.";
    let default_roles = flag("UseDefaultRoles") == Some(true);
    if default_roles && get("ServiceRole").is_some() {
        return Err(usage(format!(
            "You cannot specify both --use-default-roles and --service-role options together.{role_message}"
        )));
    }
    let mut ec2 = get("Ec2Attributes").and_then(Value::as_object).cloned();
    if default_roles
        && ec2
            .as_ref()
            .is_some_and(|e| e.contains_key("InstanceProfile"))
    {
        return Err(usage(format!(
            "You cannot specify both --use-default-roles and --ec2-attributes InstanceProfile \
             options together.{role_message}"
        )));
    }
    if get("InstanceGroups").is_some() && get("InstanceFleets").is_some() {
        return Err(usage(
            "You cannot specify both --instance-groups and --instance-fleets options together.",
        ));
    }
    let mut instances = Map::new();
    if let Some(fleets) = get("InstanceFleets") {
        instances.insert("InstanceFleets".into(), build_instance_fleets(fleets));
    } else {
        let groups = get("InstanceGroups");
        let instance_type = get("InstanceType");
        let count = get("InstanceCount");
        if groups.is_none() && instance_type.is_none() {
            return Err(usage(
                "Must specify either --instance-groups or --instance-type with \
                 --instance-count(optional) to configure instance groups.",
            ));
        }
        if groups.is_some() && (instance_type.is_some() || count.is_some()) {
            return Err(usage(
                "You may not specify --instance-type or --instance-count with \
                 --instance-groups, because --instance-type and --instance-count are shortcut \
                 options for --instance-groups.",
            ));
        }
        let built = match (groups, instance_type) {
            (Some(groups), _) => {
                build_instance_groups(groups.as_array().map_or(&[], Vec::as_slice))?
            }
            (None, Some(instance_type)) => {
                let mut built = vec![shortcut_group(instance_type, 1, "MASTER")];
                let count = count.and_then(Value::as_i64).unwrap_or(1);
                if count > 1 {
                    built.push(shortcut_group(instance_type, count - 1, "CORE"));
                }
                built
            }
            (None, None) => Vec::new(),
        };
        instances.insert("InstanceGroups".into(), Value::Array(built));
    }
    request.insert("ReleaseLabel".into(), release_label.clone());
    if let Some(configurations) = get("Configurations") {
        request.insert("Configurations".into(), configurations.clone());
    }
    for (param, key) in [
        ("AdditionalInfo", "AdditionalInfo"),
        ("LogUri", "LogUri"),
        ("OsReleaseLabel", "OSReleaseLabel"),
        ("LogEncryptionKmsKeyId", "LogEncryptionKmsKeyId"),
    ] {
        if let Some(value) = get(param).filter(|v| truthy(Some(v))) {
            request.insert(key.into(), value.clone());
        }
    }
    let mut service_role = get("ServiceRole").cloned();
    if default_roles {
        service_role = Some(Value::from("EMR_DefaultRole"));
        ec2.get_or_insert_with(Map::new)
            .insert("InstanceProfile".into(), Value::from("EMR_EC2_DefaultRole"));
    }
    if let Some(role) = service_role.filter(|v| truthy(Some(v))) {
        request.insert("ServiceRole".into(), role);
    }
    if get("InstanceGroups").is_some()
        && get("AutoScalingRole").is_none()
        && list(params, "InstanceGroups")
            .iter()
            .any(|group| group.get("AutoScalingPolicy").is_some())
    {
        return Err(usage(
            "Must specify --auto-scaling-role when configuring an AutoScaling policy for an \
             instance group.",
        ));
    }
    for key in ["AutoScalingRole", "ScaleDownBehavior"] {
        if let Some(value) = get(key).filter(|v| truthy(Some(v))) {
            request.insert(key.into(), value.clone());
        }
    }
    // `--no-auto-terminate` is the default: the cluster waits when its steps are done.
    instances.insert(
        "KeepJobFlowAliveWhenNoSteps".into(),
        Value::Bool(flag("AutoTerminate") != Some(true)),
    );
    instances.insert(
        "TerminationProtected".into(),
        Value::Bool(flag("TerminationProtected") == Some(true)),
    );
    if let Some(on) = flag("UnhealthyNodeReplacement") {
        instances.insert("UnhealthyNodeReplacement".into(), Value::Bool(on));
    }
    request.insert(
        "VisibleToAllUsers".into(),
        Value::Bool(flag("VisibleToAllUsers") != Some(false)),
    );
    let tags: Vec<Value> = list(params, "Tags")
        .iter()
        .map(|tag| {
            let tag = text_of(tag);
            let (key, value) = tag.split_once('=').unwrap_or((&tag, ""));
            serde_json::json!({"Key": key, "Value": value})
        })
        .collect();
    request.insert("Tags".into(), Value::Array(tags));
    if let Some(ec2) = ec2 {
        ec2_attributes(&mut request, &mut instances, &ec2)?;
    }
    request.insert("Instances".into(), Value::Object(instances));
    let mut steps: Vec<Value> = Vec::new();
    if flag("EnableDebugging") == Some(true) {
        if get("LogUri").is_none() {
            return Err(usage(
                "LogUri not specified. You must specify a logUri if you enable debugging when \
                 creating a cluster.",
            ));
        }
        // `_build_enable_debugging`: the state pusher, before the other steps.
        let (jar, args) = if truthy(Some(release_label)) {
            (
                Value::from(COMMAND_RUNNER),
                Value::from("state-pusher-script"),
            )
        } else {
            (
                Value::String(s3_link(SCRIPT_RUNNER_PATH, region)),
                Value::String(s3_link("/libs/state-pusher/0.1/fetch", region)),
            )
        };
        steps.push(step(
            jar,
            Value::from("Setup Hadoop Debugging"),
            Value::from("TERMINATE_CLUSTER"),
            Some(Value::Array(vec![args])),
            &Map::new(),
            None,
            None,
        ));
    }
    if let Some(applications) = get("Applications") {
        request.insert("Applications".into(), applications.clone());
    }
    if let Some(actions) = get("BootstrapActions").and_then(Value::as_array) {
        if actions.len() > 16 {
            return Err(usage(
                "maximum number of bootstrap actions for a cluster exceeded.",
            ));
        }
        let built: Vec<Value> = actions
            .iter()
            .map(|action| {
                let mut config = Map::new();
                config.insert(
                    "Name".into(),
                    action
                        .get("Name")
                        .filter(|v| !v.is_null())
                        .cloned()
                        .unwrap_or_else(|| Value::from("Bootstrap action")),
                );
                let mut script = Map::new();
                for key in ["Path", "Args"] {
                    if let Some(value) = action.get(key).filter(|v| truthy(Some(v))) {
                        script.insert(key.into(), value.clone());
                    }
                }
                if !script.is_empty() {
                    config.insert("ScriptBootstrapAction".into(), Value::Object(script));
                }
                Value::Object(config)
            })
            .collect();
        request.insert("BootstrapActions".into(), Value::Array(built));
    }
    if let Some(parsed) = get("Steps").and_then(Value::as_array) {
        steps.extend(build_steps(parsed, release_label.as_str(), region)?);
    }
    if !steps.is_empty() {
        request.insert("Steps".into(), Value::Array(steps));
    }
    for key in [
        "SecurityConfiguration",
        "CustomAmiId",
        "EbsRootVolumeSize",
        "EbsRootVolumeIops",
        "EbsRootVolumeThroughput",
        "RepoUpgradeOnBoot",
        "KerberosAttributes",
    ] {
        if let Some(value) = get(key).filter(|v| truthy(Some(v)) || v.is_number()) {
            request.insert(key.into(), value.clone());
        }
    }
    if let Some(level) = get("StepConcurrencyLevel") {
        request.insert("StepConcurrencyLevel".into(), level.clone());
    }
    if let Some(arn) = get("StepExecutionRoleArn").filter(|v| truthy(Some(v))) {
        request.insert("StepExecutionRoleArn".into(), arn.clone());
    }
    if let Some(on) = flag("ExtendedSupport") {
        request.insert("ExtendedSupport".into(), Value::Bool(on));
    }
    for key in [
        "ManagedScalingPolicy",
        "PlacementGroupConfigs",
        "AutoTerminationPolicy",
        "MonitoringConfiguration",
    ] {
        if let Some(value) = get(key).filter(|v| truthy(Some(v))) {
            request.insert(key.into(), value.clone());
        }
    }
    if let Some(monitoring) = get("MonitoringConfiguration") {
        validate_s3_logging(monitoring, get("LogUri").and_then(Value::as_str))?;
    }
    required_applications(params)?;
    Ok(request)
}

/// `instancefleetsutils.validate_and_build_instance_fleets`.
fn build_instance_fleets(fleets: &Value) -> Value {
    let built = fleets
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|fleet| {
            let mut config = Map::new();
            let fleet_type = fleet
                .get("InstanceFleetType")
                .cloned()
                .unwrap_or(Value::Null);
            config.insert(
                "Name".into(),
                fleet
                    .get("Name")
                    .cloned()
                    .unwrap_or_else(|| fleet_type.clone()),
            );
            config.insert("InstanceFleetType".into(), fleet_type);
            for key in [
                "TargetOnDemandCapacity",
                "TargetSpotCapacity",
                "InstanceTypeConfigs",
            ] {
                if let Some(value) = fleet.get(key) {
                    config.insert(key.into(), value.clone());
                }
            }
            for (key, inner) in [
                (
                    "LaunchSpecifications",
                    ["SpotSpecification", "OnDemandSpecification"],
                ),
                (
                    "ResizeSpecifications",
                    ["SpotResizeSpecification", "OnDemandResizeSpecification"],
                ),
            ] {
                if let Some(spec) = fleet.get(key) {
                    let mut out = Map::new();
                    for name in inner {
                        if let Some(value) = spec.get(name) {
                            out.insert(name.into(), value.clone());
                        }
                    }
                    config.insert(key.into(), Value::Object(out));
                }
            }
            if let Some(value) = fleet.get("Context") {
                config.insert("Context".into(), value.clone());
            }
            Value::Object(config)
        })
        .collect();
    Value::Array(built)
}

/// `createcluster._build_ec2_attributes`.
fn ec2_attributes(
    request: &mut Map<String, Value>,
    instances: &mut Map<String, Value>,
    attrs: &Map<String, Value>,
) -> Result<(), CommandError> {
    let has = |key: &str| attrs.contains_key(key);
    for (a, b) in [
        ("SubnetId", "SubnetIds"),
        ("AvailabilityZone", "AvailabilityZones"),
    ] {
        if has(a) && has(b) {
            return Err(usage(format!(
                "You cannot specify both {a} and {b} options together."
            )));
        }
    }
    if (has("SubnetId") || has("SubnetIds"))
        && (has("AvailabilityZone") || has("AvailabilityZones"))
    {
        return Err(usage(
            "You may not specify both a SubnetId and an AvailabilityZone (placement) because \
             ec2SubnetId implies a placement.",
        ));
    }
    let copy = |dest: &mut Map<String, Value>, src: &str, key: &str| {
        if let Some(value) = attrs.get(src).filter(|v| truthy(Some(v))) {
            dest.insert(key.into(), value.clone());
        }
    };
    copy(instances, "KeyName", "Ec2KeyName");
    copy(instances, "SubnetId", "Ec2SubnetId");
    copy(instances, "SubnetIds", "Ec2SubnetIds");
    for key in ["AvailabilityZone", "AvailabilityZones"] {
        if has(key) {
            let mut placement = Map::new();
            copy(&mut placement, key, key);
            instances.insert("Placement".into(), Value::Object(placement));
        }
    }
    copy(request, "InstanceProfile", "JobFlowRole");
    for key in [
        "EmrManagedMasterSecurityGroup",
        "EmrManagedSlaveSecurityGroup",
        "ServiceAccessSecurityGroup",
        "AdditionalMasterSecurityGroups",
        "AdditionalSlaveSecurityGroups",
    ] {
        copy(instances, key, key);
    }
    Ok(())
}

/// `emrutils.validate_s3_logging_configuration`.
fn validate_s3_logging(monitoring: &Value, log_uri: Option<&str>) -> Result<(), CommandError> {
    let Some(policy) = monitoring
        .pointer("/S3LoggingConfiguration/LogTypeUploadPolicy")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    for (log_type, value) in policy {
        if !["system-logs", "application-logs", "persistent-ui-logs"].contains(&log_type.as_str()) {
            return Err(usage(
                "Invalid log type specified for the current S3LoggingConfiguration. Supported \
                 log types: system-logs, application-logs, persistent-ui-logs",
            ));
        }
        let value = value.as_str().unwrap_or_default();
        if !["emr-managed", "on-customer-s3only", "disabled"].contains(&value) {
            return Err(usage(
                "Invalid policy specified for the current S3LoggingConfiguration. Supported \
                 policies: emr-managed, on-customer-s3only, disabled",
            ));
        }
        if log_type == "persistent-ui-logs" && value == "on-customer-s3only" {
            return Err(usage(
                "Invalid policy for log type 'persistent-ui-logs'. Supported values for \
                 persistent-ui-logs: emr-managed, disabled",
            ));
        }
    }
    let needs = |key: &str| policy.get(key).and_then(Value::as_str) != Some("disabled");
    let required = needs("system-logs") || needs("application-logs");
    let given = log_uri.is_some_and(|uri| !uri.trim().is_empty());
    if required && !given {
        return Err(usage(
            "A valid S3 location (LogUri) is required for the current \
             S3LoggingConfiguration. Please specify an S3 bucket and try again.",
        ));
    }
    if !required && given {
        return Err(usage(
            "LogUri must not be specified when system-logs and application-logs policies are \
             both disabled in S3LoggingConfiguration",
        ));
    }
    Ok(())
}

/// `createcluster._validate_required_applications`: Hive, Pig and Impala steps need their
/// application.
fn required_applications(params: &Map<String, Value>) -> Result<(), CommandError> {
    let given: Vec<String> = list(params, "Applications")
        .iter()
        .filter_map(|app| app.get("Name").map(|n| text_of(n).to_lowercase()))
        .collect();
    let mut missing: Vec<&str> = Vec::new();
    for step in list(params, "Steps") {
        let step_type = step
            .get("Type")
            .map(|t| text_of(t).to_lowercase())
            .unwrap_or_default();
        let title = match step_type.as_str() {
            "hive" => "Hive",
            "pig" => "Pig",
            "impala" => "Impala",
            _ => continue,
        };
        if !given.contains(&step_type) && !missing.contains(&title) {
            missing.push(title);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(usage(format!(
        "Some of the steps require the following applications to be installed: {}. Please \
         install the applications using --applications.",
        missing.join(", ")
    )))
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
