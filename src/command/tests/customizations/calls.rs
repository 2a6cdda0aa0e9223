//! The CLI commands that make several calls: how they parse, which operations access control
//! checks, the calls their plans make from the answers, and what they print.

use super::*;
use crate::command::{Call, Customization, Finished, Next, Plan};

mod configservice;
mod emr_builders;

#[track_caller]
fn expect_error(input: &str, part: &str) {
    match run(input) {
        Err(error) => assert!(error.to_string().contains(part), "{input}: {error}"),
        other => panic!("{input}: expected an error, got {other:?}"),
    }
}

fn plan_of(invocation: &Invocation) -> Plan {
    match &invocation.globals.customization {
        Some(Customization::Calls { plan }) => *plan,
        other => panic!("no plan: {other:?}"),
    }
}

fn call_of(next: Next) -> (String, Value) {
    match next {
        Next::Call(Call {
            operation, params, ..
        }) => (operation.to_owned(), Value::Object(params)),
        other => panic!("not a call: {other:?}"),
    }
}

#[test]
fn describe_cluster_merges_the_instance_groups_or_fleets_and_bootstrap_actions() {
    let invocation = parsed("emr describe-cluster --cluster-id j-1");
    assert_eq!(
        (
            invocation.operation.as_str(),
            invocation.cli_operation.as_str()
        ),
        ("DescribeCluster", "describe-cluster")
    );
    let plan = plan_of(&invocation);
    // Access control checks every operation it may call, its own first.
    assert_eq!(
        invocation.operations(),
        [
            ("emr", "DescribeCluster"),
            ("emr", "ListInstanceGroups"),
            ("emr", "ListInstanceFleets"),
            ("emr", "ListBootstrapActions")
        ]
    );
    let by_id = json!({"ClusterId": "j-1"});
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])),
        ("DescribeCluster".into(), by_id.clone())
    );
    let groups_cluster =
        json!({"Cluster": {"Id": "j-1", "InstanceCollectionType": "INSTANCE_GROUP"}});
    let fleets_cluster =
        json!({"Cluster": {"Id": "j-1", "InstanceCollectionType": "INSTANCE_FLEET"}});
    assert_eq!(
        call_of(plan.next(
            &invocation,
            "us-east-1",
            std::slice::from_ref(&groups_cluster)
        ))
        .0,
        "ListInstanceGroups"
    );
    assert_eq!(
        call_of(plan.next(
            &invocation,
            "us-east-1",
            std::slice::from_ref(&fleets_cluster)
        ))
        .0,
        "ListInstanceFleets"
    );
    let groups = json!({"InstanceGroups": [{"Id": "ig-1"}]});
    assert_eq!(
        call_of(plan.next(
            &invocation,
            "us-east-1",
            &[groups_cluster.clone(), groups.clone()]
        )),
        ("ListBootstrapActions".into(), by_id)
    );
    let merged = plan.next(
        &invocation,
        "us-east-1",
        &[
            groups_cluster,
            groups,
            json!({"BootstrapActions": [{"Name": "boot"}]}),
        ],
    );
    assert_eq!(
        merged,
        Next::Done(Finished::Output(json!({"Cluster": {
            "Id": "j-1",
            "InstanceCollectionType": "INSTANCE_GROUP",
            "BootstrapActions": [{"Name": "boot"}],
            "InstanceGroups": [{"Id": "ig-1"}]
        }})))
    );
    // Without bootstrap actions the list is there and empty, as the CLI builds it.
    let merged = plan.next(
        &invocation,
        "us-east-1",
        &[fleets_cluster, json!({"InstanceFleets": []}), json!({})],
    );
    assert_eq!(
        merged,
        Next::Done(Finished::Output(json!({"Cluster": {
            "Id": "j-1",
            "InstanceCollectionType": "INSTANCE_FLEET",
            "BootstrapActions": [],
            "InstanceFleets": []
        }})))
    );
    // The model's other options are not the command's.
    expect_error(
        "emr describe-cluster --cluster-id j-1 --region-name x",
        "Unknown option --region-name",
    );
}

#[test]
fn modify_cluster_attributes_sets_each_attribute_given_in_the_cli_order() {
    let invocation = parsed(
        "emr modify-cluster-attributes --no-auto-terminate --cluster-id j-1 --termination-protected",
    );
    // It stands for its first call: termination protection comes before auto-terminate.
    assert_eq!(invocation.operation, "SetTerminationProtection");
    // Access control checks the calls these flags make, not every attribute's.
    assert_eq!(
        invocation.operations(),
        [
            ("emr", "SetTerminationProtection"),
            ("emr", "SetKeepJobFlowAliveWhenNoSteps")
        ]
    );
    assert!(!crate::prompt::is_read_only("emr", &invocation.operation));
    let plan = plan_of(&invocation);
    assert_eq!(plan, Plan::EmrModifyClusterAttributes);
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])),
        (
            "SetTerminationProtection".into(),
            json!({"JobFlowIds": ["j-1"], "TerminationProtected": true})
        )
    );
    // `--no-auto-terminate` keeps the cluster alive when no steps are left.
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[json!({})])),
        (
            "SetKeepJobFlowAliveWhenNoSteps".into(),
            json!({"JobFlowIds": ["j-1"], "KeepJobFlowAliveWhenNoSteps": true})
        )
    );
    assert_eq!(
        plan.next(&invocation, "us-east-1", &[json!({}), json!({})]),
        Next::Done(Finished::Output(json!({})))
    );
    // The command line on cards prints the flags and parses back to the same invocation.
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        line,
        "aws emr modify-cluster-attributes --cluster-id j-1 --termination-protected --no-auto-terminate"
    );
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    let visible =
        parsed("emr modify-cluster-attributes --cluster-id j-1 --no-visible-to-all-users");
    assert_eq!(visible.operation, "SetVisibleToAllUsers");

    // The CLI's checks: one of each pair, at least one attribute, and the cluster id.
    expect_error(
        "emr modify-cluster-attributes --cluster-id j-1 --termination-protected --no-termination-protected",
        "--termination-protected cannot be combined with --no-termination-protected",
    );
    expect_error(
        "emr modify-cluster-attributes --cluster-id j-1",
        "emr modify-cluster-attributes needs at least one of --visible-to-all-users, \
         --no-visible-to-all-users,",
    );
    expect_error(
        "emr modify-cluster-attributes --auto-terminate",
        "emr modify-cluster-attributes is missing the required option --cluster-id.",
    );
    expect_error(
        "emr modify-cluster-attributes --cluster-id j-1 --termination-protected true",
        "true",
    );
}

#[test]
fn terminate_clusters_takes_the_cli_option_name() {
    check(
        "emr terminate-clusters --cluster-ids j-1 j-2",
        call(
            "emr TerminateJobFlows",
            json!({"JobFlowIds": ["j-1", "j-2"]}),
        ),
    );
    expect_error(
        "emr terminate-clusters --job-flow-ids j-1",
        "Unknown option --job-flow-ids",
    );
}

#[test]
fn emr_add_tags_takes_key_value_words() {
    let invocation = parsed("emr add-tags --resource-id j-1 --tags team=data 'note=a=b' bare");
    assert_eq!(
        Value::Object(invocation.params.clone()),
        json!({"ResourceId": "j-1", "Tags": [
            {"Key": "team", "Value": "data"},
            {"Key": "note", "Value": "a=b"},
            {"Key": "bare", "Value": ""}
        ]})
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        line,
        "aws emr add-tags --resource-id j-1 --tags team=data note=a=b bare="
    );
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    expect_error(
        "emr add-tags --resource-id j-1",
        "missing the required option --tags",
    );
}

#[test]
fn hbase_backup_commands_add_the_clis_step() {
    let step = |line: &str| {
        let invocation = parsed(line);
        assert_eq!(invocation.operation, "AddJobFlowSteps", "{line}");
        assert_eq!(plan_of(&invocation), Plan::EmrHbase);
        // Cards print the command as typed, and it reads back.
        let printed = render_command_line(&invocation, Models::global());
        assert_eq!(
            parsed(printed.trim_start_matches("aws ")),
            invocation,
            "{printed}"
        );
        let (operation, params) = call_of(Plan::EmrHbase.next(&invocation, "us-east-1", &[]));
        assert_eq!(
            (operation.as_str(), &params),
            ("DescribeCluster", &json!({"ClusterId": "j-1"}))
        );
        // A cluster with a release label: the CLI refuses the command.
        let released = json!({"Cluster": {"Id": "j-1", "ReleaseLabel": "emr-6.10.0"}});
        let refused =
            Plan::EmrHbase.next(&invocation, "us-east-1", std::slice::from_ref(&released));
        assert_eq!(
            refused,
            Next::Fail(format!(
                "aws: error: {} is not supported with 'emr-6.10.0' release.",
                invocation.cli_operation
            ))
        );
        let ami = json!({"Cluster": {"Id": "j-1", "RunningAmiVersion": "3.11.0"}});
        let (operation, params) =
            call_of(Plan::EmrHbase.next(&invocation, "us-east-1", std::slice::from_ref(&ami)));
        assert_eq!(operation, "AddJobFlowSteps");
        assert_eq!(params["JobFlowId"], "j-1");
        assert_eq!(params["Steps"][0]["ActionOnFailure"], "CANCEL_AND_WAIT");
        assert_eq!(
            params["Steps"][0]["HadoopJarStep"]["Jar"],
            "/home/hadoop/lib/hbase.jar"
        );
        (
            params["Steps"][0]["Name"].as_str().unwrap().to_owned(),
            params["Steps"][0]["HadoopJarStep"]["Args"].clone(),
        )
    };
    assert_eq!(
        step("emr create-hbase-backup --cluster-id j-1 --dir s3://b/backups --consistent"),
        (
            "Backup HBase".into(),
            json!([
                "emr.hbase.backup.Main",
                "--backup",
                "--backup-dir",
                "s3://b/backups",
                "--consistent"
            ])
        )
    );
    assert_eq!(
        step("emr restore-from-hbase-backup --cluster-id j-1 --dir s3://b/backups --backup-version 20260101"),
        (
            "Restore HBase".into(),
            json!(["emr.hbase.backup.Main", "--restore", "--backup-dir", "s3://b/backups",
                   "--backup-version", "20260101"])
        )
    );
    assert_eq!(
        step("emr schedule-hbase-backup --cluster-id j-1 --type FULL --dir s3://b/backups --interval 7 --unit Days"),
        (
            "Modify Backup Schedule".into(),
            json!(["emr.hbase.backup.Main", "--set-scheduled-backup", "true", "--backup-dir",
                   "s3://b/backups", "--full-backup-time-interval", "7",
                   "--full-backup-time-unit", "days", "--start-time", "now"])
        )
    );
    assert_eq!(
        step("emr disable-hbase-backups --cluster-id j-1 --full --incremental"),
        (
            "Modify Backup Schedule".into(),
            json!([
                "emr.hbase.backup.Main",
                "--set-scheduled-backup",
                "false",
                "--disable-full-backups",
                "--disable-incremental-backups"
            ])
        )
    );
    expect_error(
        "emr schedule-hbase-backup --cluster-id j-1 --type weekly --dir s3://b --interval 1 --unit days",
        "invalid type. type should be either full or incremental.",
    );
    expect_error(
        "emr schedule-hbase-backup --cluster-id j-1 --type full --dir s3://b --interval 1 --unit weeks",
        "invalid unit.",
    );
    expect_error(
        "emr disable-hbase-backups --cluster-id j-1",
        "needs at least one of --full or --incremental",
    );
    expect_error(
        "emr create-hbase-backup --cluster-id j-1",
        "emr create-hbase-backup is missing the required option --dir.",
    );
}

#[test]
fn install_applications_adds_the_install_steps_on_an_ami_cluster() {
    let invocation = parsed(
        "emr install-applications --cluster-id j-1 \
         --applications Name=Hive,Args=[--hive-site=s3://b/hive-site.xml] Name=pig",
    );
    assert_eq!(invocation.operation, "AddJobFlowSteps");
    let plan = plan_of(&invocation);
    assert_eq!(plan, Plan::EmrInstallApplications);
    assert_eq!(
        call_of(plan.next(&invocation, "eu-west-1", &[])),
        ("DescribeCluster".into(), json!({"ClusterId": "j-1"}))
    );
    let released = json!({"Cluster": {"ReleaseLabel": "emr-6.10.0"}});
    assert_eq!(
        plan.next(&invocation, "eu-west-1", std::slice::from_ref(&released)),
        Next::Fail(
            "aws: error: install-applications is not supported with 'emr-6.10.0' release.".into()
        )
    );
    let ami = json!({"Cluster": {"RunningAmiVersion": "3.11.0"}});
    let (operation, params) =
        call_of(plan.next(&invocation, "eu-west-1", std::slice::from_ref(&ami)));
    assert_eq!(operation, "AddJobFlowSteps");
    let runner = "s3://eu-west-1.elasticmapreduce/libs/script-runner/script-runner.jar";
    assert_eq!(
        params,
        json!({"JobFlowId": "j-1", "Steps": [
            {"Name": "Install Hive", "ActionOnFailure": "TERMINATE_CLUSTER", "HadoopJarStep": {
                "Jar": runner,
                "Args": ["s3://eu-west-1.elasticmapreduce/libs/hive/hive-script", "--install-hive",
                         "--base-path", "s3://eu-west-1.elasticmapreduce/libs/hive",
                         "--hive-versions", "latest"]}},
            {"Name": "Install Hive Site Configuration", "ActionOnFailure": "CANCEL_AND_WAIT",
             "HadoopJarStep": {
                "Jar": runner,
                "Args": ["s3://eu-west-1.elasticmapreduce/libs/hive/hive-script", "--base-path",
                         "s3://us-east-1.elasticmapreduce/libs/hive", "--install-hive-site",
                         "--hive-site=s3://b/hive-site.xml", "--hive-versions", "latest"]}},
            {"Name": "Install Pig", "ActionOnFailure": "TERMINATE_CLUSTER", "HadoopJarStep": {
                "Jar": runner,
                "Args": ["s3://eu-west-1.elasticmapreduce/libs/pig/pig-script", "--install-pig",
                         "--base-path", "s3://eu-west-1.elasticmapreduce/libs/pig",
                         "--pig-versions", "latest"]}}
        ]})
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        parsed(line.trim_start_matches("aws ")),
        invocation,
        "{line}"
    );
    // Only Hive and Pig install on a running cluster.
    let spark = parsed("emr install-applications --cluster-id j-1 --applications Name=Spark");
    assert_eq!(
        plan.next(&spark, "us-east-1", std::slice::from_ref(&ami)),
        Next::Fail(
            "aws: error: Spark cannot be installed on a running cluster. 'Name' should be one of \
             the following: HIVE, PIG"
                .into()
        )
    );
    expect_error(
        "emr install-applications --cluster-id j-1",
        "is missing the required option --applications",
    );
}
