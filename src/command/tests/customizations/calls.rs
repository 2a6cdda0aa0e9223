//! The CLI commands that make several calls: how they parse, which operations access control
//! checks, the calls their plans make from the answers, and what they print.

use super::*;
use crate::command::{Call, Customization, Finished, Next, Plan};

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
fn get_status_prints_the_cli_lines() {
    let invocation = parsed("configservice get-status");
    let plan = plan_of(&invocation);
    assert!(plan.prints_lines());
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])).0,
        "DescribeConfigurationRecorderStatus"
    );
    let recorders = json!({"ConfigurationRecordersStatus": [
        {"name": "default", "recording": true, "lastStatus": "SUCCESS"},
        {"name": "off", "recording": false, "lastStatus": "FAILURE"},
        {"name": "broken", "recording": true, "lastStatus": "FAILURE",
         "lastErrorCode": "AccessDenied", "lastErrorMessage": "no access"}
    ]});
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", std::slice::from_ref(&recorders))).0,
        "DescribeDeliveryChannelStatus"
    );
    let channels = json!({"DeliveryChannelsStatus": [{
        "name": "default",
        "configStreamDeliveryInfo": {"lastStatus": "SUCCESS"},
        "configHistoryDeliveryInfo": {},
        "configSnapshotDeliveryInfo": {"lastStatus": "FAILURE", "lastErrorCode": "NoSuchBucket",
                                        "lastErrorMessage": "gone"}
    }]});
    let Next::Done(Finished::Lines(lines)) =
        plan.next(&invocation, "us-east-1", &[recorders, channels])
    else {
        panic!("get-status prints lines");
    };
    assert_eq!(
        lines,
        "Configuration Recorders:\n\n\
         name: default\nrecorder: ON\nlast status: SUCCESS\n\n\
         name: off\nrecorder: OFF\n\n\
         name: broken\nrecorder: ON\nlast status: FAILURE\nerror code: AccessDenied\nmessage: no access\n\n\
         Delivery Channels:\n\n\
         name: default\nlast stream delivery status: SUCCESS\n\
         last snapshot delivery status: FAILURE\nerror code: NoSuchBucket\nmessage: gone\n\n"
    );
    expect_error(
        "configservice get-status --configuration-recorder-names x",
        "Unknown option",
    );
}

#[test]
fn cloudtrail_subscriptions_are_refused_with_the_reason() {
    for command in ["create-subscription", "update-subscription"] {
        expect_error(
            &format!("cloudtrail {command} --name trail"),
            "sts get-caller-identity",
        );
    }
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
fn add_instance_groups_builds_the_groups_and_reshapes_the_answer() {
    let invocation = parsed(
        "emr add-instance-groups --cluster-id j-1 --instance-groups \
         InstanceGroupType=task,InstanceType=m5.xlarge,InstanceCount=2,BidPrice=0.5 \
         InstanceGroupType=TASK,Name=more,InstanceType=m5.large,InstanceCount=1,BidPrice=OnDemandPrice",
    );
    assert_eq!(invocation.operation, "AddInstanceGroups");
    assert_eq!(invocation.operations(), [("emr", "AddInstanceGroups")]);
    let plan = plan_of(&invocation);
    assert_eq!(plan.table_title(), Some("add_instance_groups"));
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])),
        (
            "AddInstanceGroups".into(),
            json!({"JobFlowId": "j-1", "InstanceGroups": [
                {"Name": "task", "InstanceType": "m5.xlarge", "InstanceCount": 2,
                 "InstanceRole": "TASK", "BidPrice": "0.5", "Market": "SPOT"},
                {"Name": "more", "InstanceType": "m5.large", "InstanceCount": 1,
                 "InstanceRole": "TASK", "Market": "SPOT"}
            ]})
        )
    );
    assert_eq!(
        plan.next(
            &invocation,
            "us-east-1",
            &[json!({"JobFlowId": "j-1", "InstanceGroupIds": ["ig-1"], "ClusterArn": "arn"})]
        ),
        Next::Done(Finished::Output(
            json!({"ClusterId": "j-1", "InstanceGroupIds": ["ig-1"], "ClusterArn": "arn"})
        ))
    );
    assert_eq!(
        plan.next(&invocation, "us-east-1", &[json!({})]),
        Next::Done(Finished::Output(json!({})))
    );
    // The card's command line parses back to the same invocation.
    let line = render_command_line(&invocation, Models::global());
    assert!(line.starts_with("aws emr add-instance-groups --cluster-id j-1 --instance-groups '["));
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    // JSON works as shorthand does.
    let json_form = parsed(
        r#"emr add-instance-groups --cluster-id j-1 --instance-groups '[{"InstanceGroupType":"CORE","InstanceType":"m5.xlarge","InstanceCount":3}]'"#,
    );
    assert_eq!(
        call_of(plan.next(&json_form, "us-east-1", &[])).1["InstanceGroups"][0],
        json!({"Name": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 3,
               "InstanceRole": "CORE", "Market": "ON_DEMAND"})
    );
    expect_error(
        "emr add-instance-groups --cluster-id j-1",
        "is missing the required option --instance-groups",
    );
    expect_error(
        "emr add-instance-groups --cluster-id j-1 --instance-groups InstanceType=m5.xlarge,InstanceCount=1",
        "Missing required parameter in [0]: \"InstanceGroupType\"",
    );
    expect_error(
        "emr add-instance-groups --cluster-id j-1 --instance-groups InstanceGroupType=TASK,InstanceType=m5.xlarge,InstanceCount=1 InstanceGroupType=TASK,Foo=1,InstanceType=m5.xlarge,InstanceCount=1",
        "Unknown parameter in [1]: \"Foo\", must be one of: Name, InstanceGroupType, BidPrice,",
    );
    expect_error(
        "emr add-instance-groups --cluster-id j-1 --instance-groups InstanceGroupType=TASK,InstanceType=m5.xlarge,InstanceCount=lots",
        "InstanceCount",
    );
    expect_error(
        "emr add-instance-groups --cluster-id j-1 --instance-groups file://groups.json",
        "never reads files",
    );
    expect_error(
        "emr add-instance-groups --job-flow-id j-1 --instance-groups InstanceGroupType=TASK,InstanceType=m5.xlarge,InstanceCount=1",
        "Unknown option --job-flow-id",
    );
}

#[test]
fn add_steps_reads_the_release_label_then_builds_the_steps() {
    let invocation = parsed(
        "emr add-steps --cluster-id j-1 --steps Type=Spark,Name=s,ActionOnFailure=CANCEL_AND_WAIT,Args=[--class,Main,app.jar] \
         Jar=s3://b/x.jar,Args=[a],MainClass=M,Properties=k=v,LogUri=s3://logs/ Type=HIVE,Args=[-f,q.sql] \
         --execution-role-arn arn:aws:iam::1:role/r",
    );
    assert_eq!(invocation.operation, "AddJobFlowSteps");
    assert_eq!(
        invocation.operations(),
        [("emr", "AddJobFlowSteps"), ("emr", "DescribeCluster")]
    );
    let plan = plan_of(&invocation);
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", &[])),
        ("DescribeCluster".into(), json!({"ClusterId": "j-1"}))
    );
    let labelled = json!({"Cluster": {"Id": "j-1", "ReleaseLabel": "emr-6.10.0"}});
    assert_eq!(
        call_of(plan.next(&invocation, "us-east-1", std::slice::from_ref(&labelled))),
        (
            "AddJobFlowSteps".into(),
            json!({"JobFlowId": "j-1", "ExecutionRoleArn": "arn:aws:iam::1:role/r", "Steps": [
                {"Name": "s", "ActionOnFailure": "CANCEL_AND_WAIT", "HadoopJarStep": {
                    "Jar": "command-runner.jar",
                    "Args": ["spark-submit", "--class", "Main", "app.jar"]}},
                {"Name": "Custom JAR", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {
                    "Jar": "s3://b/x.jar", "Args": ["a"], "MainClass": "M",
                    "Properties": [{"Key": "k", "Value": "v"}]},
                 "StepMonitoringConfiguration": {"S3MonitoringConfiguration": {"LogUri": "s3://logs/"}}},
                {"Name": "Hive program", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {
                    "Jar": "command-runner.jar",
                    "Args": ["hive-script", "--run-hive-script", "--args", "-f", "q.sql"]}}
            ]})
        )
    );
    // Without a release label (an AMI cluster) the script runner of the region runs them.
    let ami = json!({"Cluster": {"Id": "j-1"}});
    let (_, params) = call_of(plan.next(&invocation, "us-east-1", std::slice::from_ref(&ami)));
    assert_eq!(
        params["Steps"][2]["HadoopJarStep"]["Jar"],
        "s3://us-east-1.elasticmapreduce/libs/script-runner/script-runner.jar"
    );
    assert_eq!(
        params["Steps"][0]["HadoopJarStep"]["Args"][0],
        "/home/hadoop/spark/bin/spark-submit"
    );
    // An Impala step needs an AMI cluster: on a cluster with a release label the CLI stops
    // before adding anything.
    let impala = parsed("emr add-steps --cluster-id j-1 --steps Type=IMPALA,Args=[q]");
    let plan_impala = plan_of(&impala);
    assert_eq!(
        plan_impala.next(&impala, "us-east-1", std::slice::from_ref(&labelled)),
        Next::Fail("aws: error: The step type impala is not supported.".into())
    );
    let (_, params) = call_of(plan_impala.next(&impala, "us-east-1", std::slice::from_ref(&ami)));
    assert_eq!(
        params["Steps"][0]["HadoopJarStep"]["Args"],
        json!([
            "s3://us-east-1.elasticmapreduce/libs/impala/setup-impala",
            "--run-impala-script",
            "q"
        ])
    );
    let answer = json!({"StepIds": ["s-1", "s-2", "s-3"]});
    assert_eq!(
        plan.next(&invocation, "us-east-1", &[labelled, answer.clone()]),
        Next::Done(Finished::Output(answer))
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    // The CLI's errors.
    expect_error(
        "emr add-steps --cluster-id j-1 --steps Type=CUSTOM_JAR,Args=[a]",
        "The following required parameters are missing for CustomJARStepConfig: Jar.",
    );
    expect_error(
        "emr add-steps --cluster-id j-1 --steps Type=Spark,Name=x",
        "missing for SparkStepConfig: Args.",
    );
    expect_error(
        "emr add-steps --cluster-id j-1 --steps Type=STREAMING,Args=['']",
        "The parameter Args cannot be an empty list.",
    );
    expect_error(
        "emr add-steps --cluster-id j-1 --steps Type=Flink,Args=[a]",
        "The step type flink is not supported.",
    );
    expect_error("emr add-steps --steps Type=Spark,Args=[a]", "--cluster-id");
    // The model's option names are not the command's.
    expect_error(
        "emr add-steps --job-flow-id j-1 --steps Type=Spark,Args=[a]",
        "Unknown option --job-flow-id",
    );
}

#[test]
fn create_cluster_builds_run_job_flow_as_the_cli() {
    let invocation = parsed(
        "emr create-cluster --name c --release-label emr-6.10.0 --applications Name=Spark \
         --instance-type m5.xlarge --instance-count 3 --use-default-roles \
         --ec2-attributes KeyName=k,SubnetId=subnet-1 --log-uri s3://logs/ --tags a=b c \
         --bootstrap-actions Path=s3://b/a.sh,Args=[x] --steps Type=Spark,Args=[app.py] \
         --auto-terminate --no-visible-to-all-users --termination-protected \
         --configurations '[{\"Classification\":\"spark\",\"Properties\":{\"a\":\"b\"}}]' \
         --security-configuration sec --ebs-root-volume-size 20 --step-concurrency-level 2",
    );
    assert_eq!(invocation.operation, "RunJobFlow");
    assert_eq!(invocation.operations(), [("emr", "RunJobFlow")]);
    let plan = plan_of(&invocation);
    assert_eq!(plan.table_title(), Some("run_job_flow"));
    let (operation, request) = call_of(plan.next(&invocation, "us-east-1", &[]));
    assert_eq!(operation, "RunJobFlow");
    assert_eq!(
        request,
        json!({
            "Name": "c",
            "ReleaseLabel": "emr-6.10.0",
            "Configurations": [{"Classification": "spark", "Properties": {"a": "b"}}],
            "LogUri": "s3://logs/",
            "ServiceRole": "EMR_DefaultRole",
            "JobFlowRole": "EMR_EC2_DefaultRole",
            "VisibleToAllUsers": false,
            "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": ""}],
            "Instances": {
                "InstanceGroups": [
                    {"InstanceType": "m5.xlarge", "InstanceCount": 1, "InstanceRole": "MASTER",
                     "Name": "MASTER", "Market": "ON_DEMAND"},
                    {"InstanceType": "m5.xlarge", "InstanceCount": 2, "InstanceRole": "CORE",
                     "Name": "CORE", "Market": "ON_DEMAND"}
                ],
                "KeepJobFlowAliveWhenNoSteps": false,
                "TerminationProtected": true,
                "Ec2KeyName": "k",
                "Ec2SubnetId": "subnet-1"
            },
            "Applications": [{"Name": "Spark"}],
            "BootstrapActions": [{"Name": "Bootstrap action",
                                  "ScriptBootstrapAction": {"Path": "s3://b/a.sh", "Args": ["x"]}}],
            "Steps": [{"Name": "Spark application", "ActionOnFailure": "CONTINUE",
                       "HadoopJarStep": {"Jar": "command-runner.jar",
                                         "Args": ["spark-submit", "app.py"]}}],
            "SecurityConfiguration": "sec",
            "EbsRootVolumeSize": 20,
            "StepConcurrencyLevel": 2
        })
    );
    assert_eq!(
        plan.next(
            &invocation,
            "us-east-1",
            &[json!({"JobFlowId": "j-1", "ClusterArn": "arn:c"})]
        ),
        Next::Done(Finished::Output(
            json!({"ClusterId": "j-1", "ClusterArn": "arn:c"})
        ))
    );
    let line = render_command_line(&invocation, Models::global());
    assert!(line.contains(" --use-default-roles"), "{line}");
    assert!(
        line.contains(" --auto-terminate --no-visible-to-all-users"),
        "{line}"
    );
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    // The defaults: a waiting, visible cluster named Development Cluster.
    let minimal = parsed("emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge");
    let (_, request) = call_of(plan.next(&minimal, "us-east-1", &[]));
    assert_eq!(request["Name"], "Development Cluster");
    assert_eq!(request["VisibleToAllUsers"], true);
    assert_eq!(request["Instances"]["KeepJobFlowAliveWhenNoSteps"], true);
    assert_eq!(
        request["Instances"]["InstanceGroups"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The CLI's errors.
    expect_error(
        "emr create-cluster --instance-type m5.xlarge",
        "Either --ami-version or --release-label is required.",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0",
        "Must specify either --instance-groups or --instance-type",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --instance-groups InstanceGroupType=MASTER,InstanceType=m5.xlarge,InstanceCount=1",
        "You may not specify --instance-type or --instance-count with --instance-groups",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --use-default-roles --service-role r",
        "You cannot specify both --use-default-roles and --service-role options together.",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --auto-terminate --no-auto-terminate",
        "cannot use both --no-auto-terminate and --auto-terminate options together.",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --ec2-attributes SubnetId=s,AvailabilityZone=a",
        "because ec2SubnetId implies a placement",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --ec2-attributes Bogus=1",
        "Unknown parameter in input: \"Bogus\", must be one of: KeyName,",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --bootstrap-actions Name=x",
        "Missing required parameter in [0]: \"Path\"",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --steps Type=Hive,Args=[-f,q]",
        "Some of the steps require the following applications to be installed: Hive.",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --configurations '{bad'",
        "invalid json argument for option --configurations",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --instance-count many",
        "is not an integer",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --configurations file://c.json",
        "never reads files",
    );
}

#[test]
fn put_configuration_recorder_takes_the_recording_group_on_its_own() {
    let invocation = parsed(
        "configservice put-configuration-recorder \
         --configuration-recorder name=default,roleARN=arn:aws:iam::123456789012:role/config \
         --recording-group allSupported=true,includeGlobalResourceTypes=true",
    );
    assert_eq!(
        Value::Object(invocation.params.clone()),
        json!({"ConfigurationRecorder": {
            "name": "default",
            "roleARN": "arn:aws:iam::123456789012:role/config",
            "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}
        }})
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        parsed(line.trim_start_matches("aws ")),
        invocation,
        "{line}"
    );
    // Typed by the model's RecordingGroup.
    expect_error(
        "configservice put-configuration-recorder --configuration-recorder name=d \
         --recording-group allSupported=maybe",
        "allSupported",
    );
}

#[test]
fn subscribe_creates_what_is_missing_then_records_and_prints_what_it_did() {
    let invocation = parsed(
        "configservice subscribe --s3-bucket config-bucket/audit/logs --sns-topic config-topic \
         --iam-role arn:aws:iam::123456789012:role/config",
    );
    assert_eq!(invocation.operation, "PutConfigurationRecorder");
    assert!(!crate::prompt::is_read_only(
        "configservice",
        &invocation.operation
    ));
    // Access control checks every call, the other services' included.
    let operations = invocation.operations();
    for call in [
        ("s3api", "HeadBucket"),
        ("s3api", "CreateBucket"),
        ("sns", "CreateTopic"),
        ("configservice", "PutDeliveryChannel"),
        ("configservice", "StartConfigurationRecorder"),
    ] {
        assert!(operations.contains(&call), "{call:?} in {operations:?}");
    }
    let plan = plan_of(&invocation);
    let next = |answers: &[Value]| match plan.next(&invocation, "eu-west-1", answers) {
        Next::Call(call) => (
            call.service.unwrap_or("configservice"),
            call.operation,
            Value::Object(call.params),
            call.answers_errors,
        ),
        other => panic!("not a call: {other:?}"),
    };
    // The bucket: its 404 is an answer, not a failure; outside us-east-1 it is created there.
    assert_eq!(
        next(&[]),
        (
            "s3api",
            "HeadBucket",
            json!({"Bucket": "config-bucket"}),
            true
        )
    );
    let missing = json!({"Error": {"Code": "404", "Message": "Not Found"}});
    assert_eq!(
        next(std::slice::from_ref(&missing)),
        (
            "s3api",
            "CreateBucket",
            json!({"Bucket": "config-bucket",
                   "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
            false
        )
    );
    let topic = json!({"TopicArn": "arn:aws:sns:eu-west-1:123456789012:config-topic"});
    let mut answers = vec![missing, json!({"Location": "x"})];
    assert_eq!(next(&answers).1, "CreateTopic");
    answers.push(topic);
    assert_eq!(
        next(&answers).2,
        json!({"ConfigurationRecorder": {"name": "default",
                                         "roleARN": "arn:aws:iam::123456789012:role/config"}})
    );
    answers.push(json!({}));
    assert_eq!(
        next(&answers).2,
        json!({"DeliveryChannel": {"name": "default", "s3BucketName": "config-bucket",
               "snsTopicARN": "arn:aws:sns:eu-west-1:123456789012:config-topic",
               "s3KeyPrefix": "audit/logs"}})
    );
    answers.push(json!({}));
    assert_eq!(
        next(&answers).2,
        json!({"ConfigurationRecorderName": "default"})
    );
    answers.push(json!({}));
    assert_eq!(next(&answers).1, "DescribeConfigurationRecorders");
    answers.push(json!({"ConfigurationRecorders": [{"name": "default", "roleARN": "r\u{e9}"}]}));
    assert_eq!(next(&answers).1, "DescribeDeliveryChannels");
    answers.push(json!({"DeliveryChannels": []}));
    let Next::Done(Finished::Lines(lines)) = plan.next(&invocation, "eu-west-1", &answers) else {
        panic!("subscribe prints lines");
    };
    assert_eq!(
        lines,
        "Using new S3 bucket: config-bucket\n\
         Using new SNS topic: arn:aws:sns:eu-west-1:123456789012:config-topic\n\
         Subscribe succeeded:\n\n\
         Configuration Recorders: [\n    {\n        \"name\": \"default\",\n        \"roleARN\": \"r\\u00e9\"\n    }\n]\n\n\
         Delivery Channels: []\n"
    );

    // An existing bucket (any answer but 404) and a topic ARN: nothing created.
    let existing = parsed(
        "configservice subscribe --s3-bucket b --sns-topic arn:aws:sns:us-east-1:1:t \
         --iam-role arn:aws:iam::1:role/c",
    );
    let forbidden = json!({"Error": {"Code": "403", "Message": "Forbidden"}});
    match plan.next(&existing, "us-east-1", &[forbidden]) {
        Next::Call(call) => assert_eq!(call.operation, "PutConfigurationRecorder"),
        other => panic!("{other:?}"),
    }
    expect_error(
        "configservice subscribe --s3-bucket b",
        "configservice subscribe is missing the required options --sns-topic and --iam-role.",
    );
    let line = render_command_line(&invocation, Models::global());
    assert_eq!(
        parsed(line.trim_start_matches("aws ")),
        invocation,
        "{line}"
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
fn create_cluster_enable_debugging_adds_the_state_pusher_first() {
    let invocation = parsed(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge \
         --log-uri s3://logs/ --enable-debugging --steps Type=Spark,Args=[app.py]",
    );
    let (_, request) = call_of(plan_of(&invocation).next(&invocation, "us-east-1", &[]));
    assert_eq!(
        request["Steps"][0],
        json!({"Name": "Setup Hadoop Debugging", "ActionOnFailure": "TERMINATE_CLUSTER",
               "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["state-pusher-script"]}})
    );
    assert_eq!(request["Steps"][1]["Name"], "Spark application");
    let line = render_command_line(&invocation, Models::global());
    assert!(line.contains(" --enable-debugging"), "{line}");
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --enable-debugging",
        "LogUri not specified. You must specify a logUri if you enable debugging",
    );
    expect_error(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge --log-uri s3://l/ --enable-debugging --no-enable-debugging",
        "cannot use both --enable-debugging and --no-enable-debugging options together.",
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
