//! `applicationutils.py`: `emr install-applications` (`installapplications.py`), Hive and Pig
//! installed on a running AMI-version cluster, each by a step of the Region's script runner;
//! and `create-cluster --applications` on an AMI version (products, bootstrap actions and
//! steps).

use serde_json::{json, Value};

/// The applications the CLI knows, and the two it installs on a running cluster.
const APPLICATIONS: [&str; 10] = [
    "HIVE", "PIG", "HBASE", "GANGLIA", "IMPALA", "SPARK", "MAPR", "MAPR_M3", "MAPR_M5", "MAPR_M7",
];
const INSTALLABLE: [&str; 2] = ["HIVE", "PIG"];

fn link(relative: &str, region: &str) -> String {
    format!("s3://{region}.elasticmapreduce{relative}")
}

fn script_step(name: &str, action: &str, region: &str, args: Vec<String>) -> Value {
    json!({
        "Name": name,
        "ActionOnFailure": action,
        "HadoopJarStep": {
            "Jar": link("/libs/script-runner/script-runner.jar", region),
            "Args": args
        }
    })
}

/// `_build_install_hive_step` (with `_build_install_hive_site_step` when an argument names a
/// `--hive-site`) or `_build_pig_install_step`: the steps that install Hive or Pig (`name`, in
/// lower case) with the script runner of `region`.
fn script_install_steps(name: &str, application: &Value, region: &str) -> Vec<Value> {
    let mut steps = Vec::new();
    let (script, base) = if name == "hive" {
        ("/libs/hive/hive-script", "/libs/hive")
    } else {
        ("/libs/pig/pig-script", "/libs/pig")
    };
    steps.push(script_step(
        if name == "hive" {
            "Install Hive"
        } else {
            "Install Pig"
        },
        "TERMINATE_CLUSTER",
        region,
        vec![
            link(script, region),
            format!("--install-{name}"),
            "--base-path".into(),
            link(base, region),
            format!("--{name}-versions"),
            "latest".into(),
        ],
    ));
    // A `--hive-site` argument adds its own step; the CLI names its base path without the
    // Region (us-east-1), and so does this.
    let hive_site = args_of(application)
        .into_iter()
        .find(|arg| arg.contains("--hive-site"));
    if let (true, Some(site)) = (name == "hive", hive_site) {
        steps.push(script_step(
            "Install Hive Site Configuration",
            "CANCEL_AND_WAIT",
            region,
            vec![
                link("/libs/hive/hive-script", region),
                "--base-path".into(),
                link("/libs/hive", "us-east-1"),
                "--install-hive-site".into(),
                site,
                "--hive-versions".into(),
                "latest".into(),
            ],
        ));
    }
    steps
}

/// An application's `Args`, as text.
fn args_of(application: &Value) -> Vec<String> {
    match application.get("Args") {
        Some(Value::Array(items)) => items.iter().map(super::text_of).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![super::text_of(other)],
    }
}

/// What `applicationutils.build_applications` makes of `create-cluster --applications` on an
/// AMI version: the products to name (`NewSupportedProducts`), bootstrap actions and steps.
pub(super) struct AmiApplications {
    pub products: Vec<Value>,
    pub bootstrap_actions: Vec<Value>,
    pub steps: Vec<Value>,
}

/// `applicationutils.build_applications`: Hive and Pig by install steps, Ganglia, HBase and
/// Impala by bootstrap actions (HBase also by a step that starts it, its jar chosen by the
/// AMI version compared as text, as the CLI compares it), any other application named as a
/// supported product. The error is the CLI's sentence without its `aws: error: `.
pub(super) fn ami_applications(
    applications: &[Value],
    region: Option<&str>,
    ami_version: &str,
) -> Result<AmiApplications, String> {
    let region = region.unwrap_or("us-east-1");
    let mut built = AmiApplications {
        products: Vec::new(),
        bootstrap_actions: Vec::new(),
        steps: Vec::new(),
    };
    for application in applications {
        let name = application
            .get("Name")
            .map(super::text_of)
            .unwrap_or_default();
        let lower = name.to_lowercase();
        match lower.as_str() {
            "hive" | "pig" => built
                .steps
                .extend(script_install_steps(&lower, application, region)),
            "ganglia" => built.bootstrap_actions.push(super::emrfs::bootstrap_action(
                "Install Ganglia",
                &link("/bootstrap-actions/install-ganglia", region),
                Vec::new(),
            )),
            "hbase" => {
                built.bootstrap_actions.push(super::emrfs::bootstrap_action(
                    "Install HBase",
                    &link("/bootstrap-actions/setup-hbase", region),
                    Vec::new(),
                ));
                let jar = if ami_version >= "3.0" {
                    "/home/hadoop/lib/hbase.jar"
                } else if ami_version >= "2.1" {
                    "/home/hadoop/lib/hbase-0.92.0.jar"
                } else {
                    // The CLI's sentence, without its space before "is".
                    return Err(format!(
                        "AMI version {ami_version}is not compatible with HBase."
                    ));
                };
                built.steps.push(json!({
                    "Name": "Start HBase",
                    "ActionOnFailure": "TERMINATE_CLUSTER",
                    "HadoopJarStep": {
                        "Jar": jar,
                        "Args": ["emr.hbase.backup.Main", "--start-master"]
                    }
                }));
            }
            "impala" => {
                let mut args = vec![
                    "--base-path".to_owned(),
                    link("", region),
                    "--impala-version".to_owned(),
                    "latest".to_owned(),
                ];
                if application.get("Args").is_some_and(|a| !a.is_null()) {
                    args.push("--impala-conf".to_owned());
                    args.push(args_of(application).join(","));
                }
                built.bootstrap_actions.push(super::emrfs::bootstrap_action(
                    "Install Impala",
                    &link("/libs/impala/setup-impala", region),
                    args,
                ));
            }
            _ => built
                .products
                .push(json!({"Name": lower, "Args": args_of(application)})),
        }
    }
    Ok(built)
}

/// The steps that install `applications` (`[{Name, Args}]`) in `region`, or the CLI's
/// sentence for an application it does not install on a running cluster.
pub(in crate::command) fn install_steps(
    applications: &[Value],
    region: &str,
) -> Result<Vec<Value>, String> {
    let mut steps = Vec::new();
    for application in applications {
        let name = application
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let upper = name.to_uppercase();
        if !APPLICATIONS.contains(&upper.as_str()) {
            return Err(format!(
                "aws: error: Unknown application: {name}. 'Name' should be one of the following: {}",
                APPLICATIONS.join(", ")
            ));
        }
        if !INSTALLABLE.contains(&upper.as_str()) {
            return Err(format!(
                "aws: error: {name} cannot be installed on a running cluster. 'Name' should be \
                 one of the following: {}",
                INSTALLABLE.join(", ")
            ));
        }
    }
    for application in applications {
        let name = application
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        steps.extend(script_install_steps(&name, application, region));
    }
    Ok(steps)
}
