//! `createcluster.py`: the RunJobFlow request of `create-cluster`.

use super::applications::ami_applications;
use super::emrfs;
use super::instance_groups::{build_instance_fleets, shortcut_group};
use super::steps::{s3_link, step, truthy, COMMAND_RUNNER, SCRIPT_RUNNER_PATH};
use super::*;

/// `createcluster.py`'s `_run_main_command`: the RunJobFlow request from the command's
/// parameters (`region` names the script runner's bucket of steps without a release label).
pub(in crate::command) fn build_run_job_flow(
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
    // `_validate_release_label_ami_version`.
    let release_label = get("ReleaseLabel");
    let ami_version = get("AmiVersion");
    match (release_label, ami_version) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "You cannot specify both --ami-version and --release-label options together.",
            ))
        }
        (None, None) => {
            return Err(usage(
                "Either --ami-version or --release-label is required.",
            ))
        }
        _ => {}
    }
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
    // `--configurations` goes with a release label only; an AMI version must look like one.
    let ami_version = match (release_label, ami_version) {
        (Some(label), _) => {
            request.insert("ReleaseLabel".into(), label.clone());
            if let Some(configurations) = get("Configurations") {
                request.insert("Configurations".into(), configurations.clone());
            }
            None
        }
        (None, Some(version)) => {
            let version = text_of(version);
            if !looks_like_ami_version(&version) {
                return Err(usage(format!(
                    "The supplied AMI version \"{version}\" is invalid. Please see AMI Versions \
                     Supported in Amazon EMR in Amazon Elastic MapReduce Developer Guide: \
                     http://docs.aws.amazon.com/ElasticMapReduce/latest/DeveloperGuide/\
                     ami-versions-supported.html"
                )));
            }
            request.insert("AmiVersion".into(), Value::String(version.clone()));
            Some(version)
        }
        (None, None) => None,
    };
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
        let (jar, args) = if truthy(release_label) {
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
    // The applications: named on a release label; on an AMI version, products, bootstrap
    // actions and install steps.
    let mut bootstrap_actions: Vec<Value> = Vec::new();
    if let Some(applications) = get("Applications") {
        match &ami_version {
            None => {
                request.insert("Applications".into(), applications.clone());
            }
            Some(version) => {
                let built = ami_applications(list(params, "Applications"), region, version)
                    .map_err(usage)?;
                if !built.products.is_empty() {
                    request.insert("NewSupportedProducts".into(), Value::Array(built.products));
                }
                bootstrap_actions = built.bootstrap_actions;
                steps.extend(built.steps);
            }
        }
    }
    if let Some(restore) = get("RestoreFromHbaseBackup") {
        // `hbaseutils.build_hbase_restore_from_backup_args`.
        let mut args = vec![
            Value::from("emr.hbase.backup.Main"),
            Value::from("--restore"),
            Value::from("--backup-dir"),
            restore.get("Dir").cloned().unwrap_or(Value::Null),
        ];
        if let Some(version) = restore.get("BackupVersion").filter(|v| !v.is_null()) {
            args.extend([Value::from("--backup-version"), version.clone()]);
        }
        steps.push(step(
            Value::from("/home/hadoop/lib/hbase.jar"),
            Value::from("Restore HBase"),
            Value::from("CANCEL_AND_WAIT"),
            Some(Value::Array(args)),
            &Map::new(),
            None,
            None,
        ));
    }
    if let Some(actions) = get("BootstrapActions").and_then(Value::as_array) {
        if bootstrap_actions.len() + actions.len() > 16 {
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
        bootstrap_actions.extend(built);
    }
    if let Some(args) = get("Emrfs").and_then(Value::as_object) {
        if release_label.is_some() {
            let duplicate = list(&request, "Configurations")
                .iter()
                .any(|configuration| {
                    configuration.get("Classification").and_then(Value::as_str)
                        == Some("emrfs-site")
                });
            if duplicate {
                return Err(usage(
                    "EMRFS should be configured either using --configuration or --emrfs but not \
                     both",
                ));
            }
            let configuration = emrfs::configuration(args)?;
            match request.get_mut("Configurations") {
                Some(Value::Array(configurations)) => configurations.push(configuration),
                _ => {
                    request.insert("Configurations".into(), Value::Array(vec![configuration]));
                }
            }
        } else {
            bootstrap_actions.extend(emrfs::bootstrap_actions(args, region)?);
        }
    }
    if !bootstrap_actions.is_empty() {
        request.insert("BootstrapActions".into(), Value::Array(bootstrap_actions));
    }
    if let Some(parsed) = get("Steps").and_then(Value::as_array) {
        steps.extend(build_steps(
            parsed,
            release_label.and_then(Value::as_str),
            region,
        )?);
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
    let restores = params
        .get("RestoreFromHbaseBackup")
        .is_some_and(|v| !v.is_null());
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
    // Restoring an HBase backup needs HBase.
    if restores && !given.iter().any(|app| app == "hbase") {
        missing.push("Hbase");
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

/// `re.match(r'\d?\..*', version)`: an optional digit, then a dot.
fn looks_like_ami_version(version: &str) -> bool {
    let bytes = version.as_bytes();
    match bytes {
        [b'.', ..] => true,
        [digit, b'.', ..] => digit.is_ascii_digit(),
        _ => false,
    }
}
