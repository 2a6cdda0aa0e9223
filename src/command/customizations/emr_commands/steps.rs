//! `steputils.py`: the steps of `add-steps` and `create-cluster --steps`.

use super::*;

pub(super) const SCRIPT_RUNNER_PATH: &str = "/libs/script-runner/script-runner.jar";
pub(super) const COMMAND_RUNNER: &str = "command-runner.jar";

pub(super) fn s3_link(relative: &str, region: Option<&str>) -> String {
    format!(
        "s3://{}.elasticmapreduce{relative}",
        region.unwrap_or("us-east-1")
    )
}

/// Python's truthiness of a step value (`not value`).
pub(super) fn truthy(value: Option<&Value>) -> bool {
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
pub(super) fn step(
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
pub(in crate::command) fn build_steps(
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
