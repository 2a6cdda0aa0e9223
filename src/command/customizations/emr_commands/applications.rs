//! `emr install-applications` (`installapplications.py` with `applicationutils.py`): Hive and
//! Pig installed on a running AMI-version cluster, each by a step of the Region's script
//! runner.

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
        let hive_site = application
            .get("Args")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
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
                    site.to_owned(),
                    "--hive-versions".into(),
                    "latest".into(),
                ],
            ));
        }
    }
    Ok(steps)
}
