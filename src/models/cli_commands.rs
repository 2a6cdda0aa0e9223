//! The AWS CLI's own commands that stand for one service operation but are written by hand in
//! the CLI (`awscli/customizations/emr/`, `configservice/getstatus.py`), so the generator,
//! which records the commands generated from the models, does not list them. Each is added to
//! its service's CLI names when the model loads, so that parsing, help, suggestions and
//! `cli_operation_name` know it like any other command. What the command takes and what it
//! calls beyond its operation is the command layer's (`command::customizations`).

/// `(service, CLI command, operation)`: the operation each command is authorized, confirmed
/// and audited as (the first or main call it makes).
const COMMANDS: &[(&str, &str, &str)] = &[
    ("emr", "add-instance-groups", "AddInstanceGroups"),
    ("emr", "add-steps", "AddJobFlowSteps"),
    ("emr", "create-cluster", "RunJobFlow"),
    ("emr", "describe-cluster", "DescribeCluster"),
    (
        "emr",
        "modify-cluster-attributes",
        "SetTerminationProtection",
    ),
    ("emr", "terminate-clusters", "TerminateJobFlows"),
    (
        "configservice",
        "get-status",
        "DescribeConfigurationRecorderStatus",
    ),
    ("configservice", "subscribe", "PutConfigurationRecorder"),
    ("emr", "restore-from-hbase-backup", "AddJobFlowSteps"),
    ("emr", "schedule-hbase-backup", "AddJobFlowSteps"),
    ("emr", "create-hbase-backup", "AddJobFlowSteps"),
    ("emr", "disable-hbase-backups", "AddJobFlowSteps"),
    ("emr", "install-applications", "AddJobFlowSteps"),
];

/// The hand-written CLI commands of `service`, with the operation each stands for.
pub(super) fn of_service(service: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    COMMANDS
        .iter()
        .filter(move |(s, _, _)| *s == service)
        .map(|(_, command, operation)| (*command, *operation))
}
