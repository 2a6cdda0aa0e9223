//! The AWS CLI commands that make more than one call: `emr describe-cluster` (the cluster,
//! then its instance groups or fleets and its bootstrap actions, merged into one answer as
//! `customizations/emr/describecluster.py` does), `emr modify-cluster-attributes` (one `Set*`
//! call per attribute given, in the CLI's order) and `configservice get-status` (recorders and
//! delivery channels, printed as the CLI's lines whatever `--output` says).
//!
//! A [`Plan`] is pure: from the invocation and the answers so far it names the next call or
//! the finished result. `exec` and chat run it. Each call goes out under the command's permit,
//! which covers every operation the plan may call ([`Plan::operations`]): the policy checks
//! them all before the first call, so a command is never stopped half-way by a refusal.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::super::Invocation;
use super::config_subscribe as subscribe;
use super::emr::ATTRIBUTES;
use super::emr_commands;

/// A CLI command that makes several calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Plan {
    /// `emr describe-cluster`.
    EmrDescribeCluster,
    /// `emr modify-cluster-attributes`.
    EmrModifyClusterAttributes,
    /// `configservice get-status`.
    ConfigGetStatus,
    /// `configservice subscribe`.
    ConfigSubscribe,
    /// EMR's HBase backup commands (`emr create-hbase-backup`, ...): one step added.
    EmrHbase,
    /// `emr install-applications`: Hive or Pig installed on an AMI-version cluster.
    EmrInstallApplications,
    /// `emr add-instance-groups`: one call, its answer reshaped.
    EmrAddInstanceGroups,
    /// `emr add-steps`: the cluster's release label, then the steps.
    EmrAddSteps,
    /// `emr create-cluster`: RunJobFlow, its answer reshaped.
    EmrCreateCluster,
}

/// One call of a plan: an operation (of the invocation's service unless `service` names
/// another, by its CLI name) and its input.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub service: Option<&'static str>,
    pub operation: &'static str,
    pub params: Map<String, Value>,
    /// Whether the plan reads a service error as the call's answer (`{"Error": {"Code":
    /// ..}}`) instead of failing the command (`s3api head-bucket` to learn a bucket exists).
    pub answers_errors: bool,
}

impl Call {
    /// A call of the invocation's service whose errors fail the command.
    fn of(operation: &'static str, params: Map<String, Value>) -> Self {
        Call {
            service: None,
            operation,
            params,
            answers_errors: false,
        }
    }
}

/// What a plan does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Call(Call),
    Done(Finished),
    /// An answer showed the command does not apply; the CLI's sentence.
    Fail(String),
}

/// A plan's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// An answer printed as the invocation's operation's output (`--output`, `--query`).
    Output(Value),
    /// Lines the CLI writes itself, whatever `--output` and `--query` say.
    Lines(String),
}

impl Plan {
    /// Every operation the plan may call for `invocation`, in the order it calls them, each
    /// with its service when it is not the invocation's. `describe-cluster` names both
    /// listings of instances and `subscribe` the bucket and topic it may create, since which
    /// it calls depends on what exists.
    pub fn operations(self, invocation: &Invocation) -> Vec<(Option<&'static str>, &'static str)> {
        let own = |operations: &[&'static str]| operations.iter().map(|o| (None, *o)).collect();
        match self {
            Plan::EmrDescribeCluster => own(&[
                "DescribeCluster",
                "ListInstanceGroups",
                "ListInstanceFleets",
                "ListBootstrapActions",
            ]),
            Plan::EmrModifyClusterAttributes => ATTRIBUTES
                .iter()
                .filter(|a| {
                    invocation
                        .params
                        .get(a.param)
                        .is_some_and(Value::is_boolean)
                })
                .map(|a| (None, a.operation))
                .collect(),
            Plan::ConfigGetStatus => own(&[
                "DescribeConfigurationRecorderStatus",
                "DescribeDeliveryChannelStatus",
            ]),
            Plan::ConfigSubscribe => subscribe::OPERATIONS.to_vec(),
            Plan::EmrHbase | Plan::EmrInstallApplications => {
                own(&["DescribeCluster", "AddJobFlowSteps"])
            }
            Plan::EmrAddInstanceGroups => own(&["AddInstanceGroups"]),
            Plan::EmrAddSteps => own(&["DescribeCluster", "AddJobFlowSteps"]),
            Plan::EmrCreateCluster => own(&["RunJobFlow"]),
        }
    }

    /// The title of `--output table` when the CLI names it otherwise than the operation
    /// (`emr describe-cluster` prints under `describe_cluster`, the name it calls it by).
    pub fn table_title(self) -> Option<&'static str> {
        match self {
            Plan::EmrDescribeCluster => Some("describe_cluster"),
            Plan::EmrAddInstanceGroups => Some("add_instance_groups"),
            Plan::EmrCreateCluster => Some("run_job_flow"),
            Plan::EmrModifyClusterAttributes
            | Plan::ConfigGetStatus
            | Plan::ConfigSubscribe
            | Plan::EmrHbase
            | Plan::EmrInstallApplications
            | Plan::EmrAddSteps => None,
        }
    }

    /// Whether the command writes lines of its own rather than its operation's output.
    pub fn prints_lines(self) -> bool {
        matches!(self, Plan::ConfigGetStatus | Plan::ConfigSubscribe)
    }

    /// The next call, given the answers of the calls made so far (in order) and the Region
    /// the command runs in, or the result.
    pub fn next(self, invocation: &Invocation, region: &str, answers: &[Value]) -> Next {
        match self {
            Plan::EmrDescribeCluster => describe_cluster(invocation, answers),
            Plan::EmrModifyClusterAttributes => modify_cluster_attributes(invocation, answers),
            Plan::ConfigGetStatus => get_status(answers),
            Plan::ConfigSubscribe => subscribe::next(invocation, region, answers),
            Plan::EmrHbase => on_ami_cluster(invocation, answers, || {
                Ok(vec![super::hbase_step(invocation)])
            }),
            Plan::EmrInstallApplications => install_applications(invocation, region, answers),
            Plan::EmrAddInstanceGroups => add_instance_groups(invocation, answers),
            Plan::EmrAddSteps => add_steps(invocation, region, answers),
            Plan::EmrCreateCluster => create_cluster(invocation, region, answers),
        }
    }
}

/// `emr describe-cluster`: DescribeCluster, then ListInstanceFleets for a fleet cluster or
/// ListInstanceGroups otherwise, then ListBootstrapActions (one page of each, as the CLI
/// makes them), merged into the cluster.
fn describe_cluster(invocation: &Invocation, answers: &[Value]) -> Next {
    let by_cluster =
        |operation| Next::Call(Call::of(operation, cluster_input(invocation, "ClusterId")));
    match answers {
        [] => by_cluster("DescribeCluster"),
        [cluster] => {
            let fleets = cluster.pointer("/Cluster/InstanceCollectionType")
                == Some(&Value::from("INSTANCE_FLEET"));
            by_cluster(if fleets {
                "ListInstanceFleets"
            } else {
                "ListInstanceGroups"
            })
        }
        [_, _] => by_cluster("ListBootstrapActions"),
        [cluster, instances, actions, ..] => {
            let mut result = cluster.clone();
            if let Some(Value::Object(cluster)) = result.get_mut("Cluster") {
                cluster.insert("BootstrapActions".into(), Value::Array(Vec::new()));
                for key in ["InstanceFleets", "InstanceGroups"] {
                    if let Some(list) = instances.get(key).filter(|v| !v.is_null()) {
                        cluster.insert(key.into(), list.clone());
                    }
                }
                if let Some(list) = actions.get("BootstrapActions").filter(|v| !v.is_null()) {
                    cluster.insert("BootstrapActions".into(), list.clone());
                }
            }
            Next::Done(Finished::Output(result))
        }
    }
}

/// The commands for AMI-version clusters (EMR's HBase backup commands, `install-applications`):
/// DescribeCluster first, as the CLI refuses them on a cluster with a release label, then
/// AddJobFlowSteps with the steps `steps` builds (or the CLI's sentence why it cannot).
fn on_ami_cluster(
    invocation: &Invocation,
    answers: &[Value],
    steps: impl FnOnce() -> Result<Vec<Value>, String>,
) -> Next {
    match answers {
        [] => Next::Call(Call::of(
            "DescribeCluster",
            cluster_input(invocation, "ClusterId"),
        )),
        [cluster] => {
            let label = cluster
                .pointer("/Cluster/ReleaseLabel")
                .and_then(Value::as_str)
                .filter(|label| !label.is_empty());
            if let Some(label) = label {
                return Next::Fail(format!(
                    "aws: error: {} is not supported with '{label}' release.",
                    invocation.cli_operation
                ));
            }
            match steps() {
                Ok(steps) => {
                    let mut params = cluster_input(invocation, "JobFlowId");
                    params.insert("Steps".into(), Value::Array(steps));
                    Next::Call(Call::of("AddJobFlowSteps", params))
                }
                Err(sentence) => Next::Fail(sentence),
            }
        }
        [_, added, ..] => Next::Done(Finished::Output(added.clone())),
    }
}

/// `emr install-applications`: the install steps of Hive and Pig.
fn install_applications(invocation: &Invocation, region: &str, answers: &[Value]) -> Next {
    on_ami_cluster(invocation, answers, || {
        let applications = invocation
            .params
            .get("Applications")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        emr_commands::install_steps(applications, region)
    })
}

/// `emr modify-cluster-attributes`: one call per attribute given, in the CLI's order
/// (visibility, termination protection, auto-terminate, unhealthy node replacement). The
/// answers are empty; the CLI prints nothing.
fn modify_cluster_attributes(invocation: &Invocation, answers: &[Value]) -> Next {
    let cluster = invocation
        .params
        .get("ClusterId")
        .cloned()
        .unwrap_or(Value::Null);
    let calls = ATTRIBUTES.iter().filter_map(|attribute| {
        let on = invocation.params.get(attribute.param)?.as_bool()?;
        let mut params = Map::new();
        params.insert("JobFlowIds".into(), Value::Array(vec![cluster.clone()]));
        // `--auto-terminate` sets KeepJobFlowAliveWhenNoSteps to its opposite.
        params.insert(
            attribute.member.into(),
            Value::Bool(on != attribute.inverted),
        );
        Some(Call::of(attribute.operation, params))
    });
    match calls.into_iter().nth(answers.len()) {
        Some(call) => Next::Call(call),
        None => Next::Done(Finished::Output(Value::Object(Map::new()))),
    }
}

/// The first call `emr modify-cluster-attributes` makes for these parameters: the operation
/// the command is authorized, confirmed and audited as.
pub(super) fn first_attribute_operation(params: &Map<String, Value>) -> Option<&'static str> {
    ATTRIBUTES
        .iter()
        .find(|attribute| params.get(attribute.param).is_some_and(Value::is_boolean))
        .map(|attribute| attribute.operation)
}

/// `emr add-instance-groups`: AddInstanceGroups with the groups built as the CLI builds them,
/// its answer reshaped as `_construct_result` does (`ClusterId`, `InstanceGroupIds`,
/// `ClusterArn`; nothing without the first two).
fn add_instance_groups(invocation: &Invocation, answers: &[Value]) -> Next {
    let Some(answer) = answers.first() else {
        let groups = invocation
            .params
            .get("InstanceGroups")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let mut params = cluster_input(invocation, "JobFlowId");
        params.insert(
            "InstanceGroups".into(),
            // Parsing has built them once, so this does not fail.
            Value::Array(emr_commands::build_instance_groups(groups).unwrap_or_default()),
        );
        return Next::Call(Call::of("AddInstanceGroups", params));
    };
    let present = |key: &str| answer.get(key).filter(|v| !v.is_null()).cloned();
    let mut result = Map::new();
    if let (Some(id), Some(groups)) = (present("JobFlowId"), present("InstanceGroupIds")) {
        result.insert("ClusterId".into(), id);
        result.insert("InstanceGroupIds".into(), groups);
        result.insert(
            "ClusterArn".into(),
            present("ClusterArn").unwrap_or(Value::Null),
        );
    }
    Next::Done(Finished::Output(Value::Object(result)))
}

/// `emr add-steps`: DescribeCluster for the release label (`emrutils.get_release_label`),
/// then AddJobFlowSteps with the steps built for it; its answer printed as it is.
fn add_steps(invocation: &Invocation, region: &str, answers: &[Value]) -> Next {
    match answers {
        [] => Next::Call(Call::of(
            "DescribeCluster",
            cluster_input(invocation, "ClusterId"),
        )),
        [cluster] => {
            let release_label = cluster
                .pointer("/Cluster/ReleaseLabel")
                .and_then(Value::as_str);
            let steps = invocation
                .params
                .get("Steps")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            let steps = match emr_commands::build_steps(steps, release_label, Some(region)) {
                Ok(steps) => steps,
                // Only an Impala step on a cluster with a release label fails here; the CLI
                // stops with this sentence before adding anything.
                Err(error) => return Next::Fail(format!("aws: error: {error}")),
            };
            let mut params = cluster_input(invocation, "JobFlowId");
            params.insert("Steps".into(), Value::Array(steps));
            if let Some(role) = invocation.params.get("ExecutionRoleArn") {
                params.insert("ExecutionRoleArn".into(), role.clone());
            }
            Next::Call(Call::of("AddJobFlowSteps", params))
        }
        [_, answer, ..] => Next::Done(Finished::Output(answer.clone())),
    }
}

/// `emr create-cluster`: RunJobFlow as `createcluster.py` builds it, its answer reshaped to
/// `ClusterId` and `ClusterArn` (nothing without the id).
fn create_cluster(invocation: &Invocation, region: &str, answers: &[Value]) -> Next {
    let Some(answer) = answers.first() else {
        // Parsing has built the request once (without the Region, which only names buckets
        // in the built steps and bootstrap actions), so this fails only as that did.
        return match emr_commands::build_run_job_flow(&invocation.params, Some(region)) {
            Ok(params) => Next::Call(Call::of("RunJobFlow", params)),
            Err(error) => Next::Fail(format!("aws: error: {error}")),
        };
    };
    let mut result = Map::new();
    if let Some(id) = answer.get("JobFlowId").filter(|v| !v.is_null()) {
        result.insert("ClusterId".into(), id.clone());
        result.insert(
            "ClusterArn".into(),
            answer.get("ClusterArn").cloned().unwrap_or(Value::Null),
        );
    }
    Next::Done(Finished::Output(Value::Object(result)))
}

/// An EMR input naming the command's cluster (`--cluster-id`) as `member` (`ClusterId`,
/// `JobFlowId`).
fn cluster_input(invocation: &Invocation, member: &str) -> Map<String, Value> {
    let mut input = Map::new();
    if let Some(id) = invocation.params.get("ClusterId") {
        input.insert(member.into(), id.clone());
    }
    input
}

/// `configservice get-status`: the recorders' and delivery channels' status as
/// `customizations/configservice/getstatus.py` writes it.
fn get_status(answers: &[Value]) -> Next {
    match answers {
        [] => Next::Call(Call::of("DescribeConfigurationRecorderStatus", Map::new())),
        [_] => Next::Call(Call::of("DescribeDeliveryChannelStatus", Map::new())),
        [recorders, channels, ..] => {
            let mut out = String::from("Configuration Recorders:\n\n");
            for recorder in list(recorders, "ConfigurationRecordersStatus") {
                out.push_str(&format!("name: {}\n", text(recorder.get("name"))));
                let recording = recorder.get("recording").and_then(Value::as_bool);
                out.push_str(&format!(
                    "recorder: {}\n",
                    if recording == Some(true) { "ON" } else { "OFF" }
                ));
                if recording == Some(true) {
                    last_status(&mut out, recorder, "");
                }
                out.push('\n');
            }
            out.push_str("Delivery Channels:\n\n");
            for channel in list(channels, "DeliveryChannelsStatus") {
                out.push_str(&format!("name: {}\n", text(channel.get("name"))));
                for (key, name) in [
                    ("configStreamDeliveryInfo", "stream delivery "),
                    ("configHistoryDeliveryInfo", "history delivery "),
                    ("configSnapshotDeliveryInfo", "snapshot delivery "),
                ] {
                    // The CLI skips a missing or empty status (Python's truthiness).
                    if let Some(info) = channel
                        .get(key)
                        .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                    {
                        last_status(&mut out, info, name);
                    }
                }
                out.push('\n');
            }
            Next::Done(Finished::Lines(out))
        }
    }
}

pub(super) fn list<'a>(answer: &'a Value, key: &str) -> &'a [Value] {
    answer
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A value as Python's `%s` prints it (`None` when absent).
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(true)) => "True".into(),
        Some(Value::Bool(false)) => "False".into(),
        Some(Value::Null) | None => "None".into(),
        Some(other) => other.to_string(),
    }
}

fn last_status(out: &mut String, status: &Value, name: &str) {
    let last = status.get("lastStatus");
    out.push_str(&format!("last {name}status: {}\n", text(last)));
    if last.and_then(Value::as_str) == Some("FAILURE") {
        out.push_str(&format!(
            "error code: {}\n",
            text(status.get("lastErrorCode"))
        ));
        out.push_str(&format!(
            "message: {}\n",
            text(status.get("lastErrorMessage"))
        ));
    }
}
