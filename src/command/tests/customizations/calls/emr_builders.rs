//! EMR's commands that build their request from options of their own: `add-instance-groups`,
//! `add-steps`, `create-cluster`.

use super::*;

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

/// The AMI-version path of `createcluster.py` (`applicationutils.build_applications`, the
/// HBase restore step, `emrfsutils.build_bootstrap_action_configs`). The expected request is
/// what awscli 1.45.11 sent for the same command (`--debug`'s "Making request ... with
/// params"), key for key.
#[test]
fn create_cluster_on_an_ami_version_builds_applications_emrfs_and_restore_as_the_cli() {
    let invocation = parsed(
        "emr create-cluster --name ami --ami-version 3.11.0 --instance-type m3.xlarge \
         --instance-count 1 --use-default-roles \
         --applications Name=Hive,Args=[--hive-site=s3://parity/h.xml] Name=Pig Name=HBase \
         Name=Ganglia Name=Impala,Args=[a=1,b=2] Name=Spark,Args=[-x] \
         --restore-from-hbase-backup Dir=s3://parity-hbase/b,BackupVersion=v1 \
         --emrfs Consistent=true,RetryCount=5,SSE=true,Args=[fs.s3.x=1,fs.s3.y] \
         --bootstrap-actions Path=s3://parity-boot/a.sh,Args=[z] \
         --steps Type=Hive,Args=[-f,s3://parity/q.sql] --region eu-west-1",
    );
    let (operation, request) = call_of(plan_of(&invocation).next(&invocation, "eu-west-1", &[]));
    assert_eq!(operation, "RunJobFlow");
    let link = |path: &str| format!("s3://eu-west-1.elasticmapreduce{path}");
    let runner = link("/libs/script-runner/script-runner.jar");
    assert_eq!(
        request,
        json!({
            "Name": "ami", "AmiVersion": "3.11.0", "ServiceRole": "EMR_DefaultRole",
            "VisibleToAllUsers": true, "Tags": [],
            "Instances": {
                "InstanceGroups": [{"InstanceType": "m3.xlarge", "InstanceCount": 1,
                                    "InstanceRole": "MASTER", "Name": "MASTER",
                                    "Market": "ON_DEMAND"}],
                "KeepJobFlowAliveWhenNoSteps": true, "TerminationProtected": false
            },
            "JobFlowRole": "EMR_EC2_DefaultRole",
            "NewSupportedProducts": [{"Name": "spark", "Args": ["-x"]}],
            "BootstrapActions": [
                {"Name": "Install HBase",
                 "ScriptBootstrapAction": {"Path": link("/bootstrap-actions/setup-hbase")}},
                {"Name": "Install Ganglia",
                 "ScriptBootstrapAction": {"Path": link("/bootstrap-actions/install-ganglia")}},
                {"Name": "Install Impala",
                 "ScriptBootstrapAction": {
                     "Args": ["--base-path", link(""), "--impala-version", "latest",
                              "--impala-conf", "a=1,b=2"],
                     "Path": link("/libs/impala/setup-impala")}},
                {"Name": "Bootstrap action",
                 "ScriptBootstrapAction": {"Path": "s3://parity-boot/a.sh", "Args": ["z"]}},
                {"Name": "Setup EMRFS",
                 "ScriptBootstrapAction": {
                     "Args": ["-e", "fs.s3.consistent=true", "-e", "fs.s3.consistent.retryCount=5",
                              "-e", "fs.s3.enableServerSideEncryption=true", "-e", "fs.s3.x=1",
                              "-e", "fs.s3.y"],
                     "Path": link("/bootstrap-actions/configure-hadoop")}}
            ],
            "Steps": [
                {"Name": "Install Hive", "ActionOnFailure": "TERMINATE_CLUSTER",
                 "HadoopJarStep": {"Jar": runner, "Args": [
                     link("/libs/hive/hive-script"), "--install-hive", "--base-path",
                     link("/libs/hive"), "--hive-versions", "latest"]}},
                {"Name": "Install Hive Site Configuration", "ActionOnFailure": "CANCEL_AND_WAIT",
                 "HadoopJarStep": {"Jar": runner, "Args": [
                     link("/libs/hive/hive-script"), "--base-path",
                     "s3://us-east-1.elasticmapreduce/libs/hive", "--install-hive-site",
                     "--hive-site=s3://parity/h.xml", "--hive-versions", "latest"]}},
                {"Name": "Install Pig", "ActionOnFailure": "TERMINATE_CLUSTER",
                 "HadoopJarStep": {"Jar": runner, "Args": [
                     link("/libs/pig/pig-script"), "--install-pig", "--base-path",
                     link("/libs/pig"), "--pig-versions", "latest"]}},
                {"Name": "Start HBase", "ActionOnFailure": "TERMINATE_CLUSTER",
                 "HadoopJarStep": {"Jar": "/home/hadoop/lib/hbase.jar",
                                   "Args": ["emr.hbase.backup.Main", "--start-master"]}},
                {"Name": "Restore HBase", "ActionOnFailure": "CANCEL_AND_WAIT",
                 "HadoopJarStep": {"Jar": "/home/hadoop/lib/hbase.jar", "Args": [
                     "emr.hbase.backup.Main", "--restore", "--backup-dir",
                     "s3://parity-hbase/b", "--backup-version", "v1"]}},
                {"Name": "Hive program", "ActionOnFailure": "CONTINUE",
                 "HadoopJarStep": {"Jar": runner, "Args": [
                     link("/libs/hive/hive-script"), "--run-hive-script", "--hive-versions",
                     "latest", "--args", "-f", "s3://parity/q.sql"]}}
            ]
        })
    );
    // A card prints the options back as a command line that parses to the same invocation.
    let line = render_command_line(&invocation, Models::global());
    assert!(line.contains(" --ami-version 3.11.0"), "{line}");
    assert_eq!(parsed(line.trim_start_matches("aws ")), invocation);
    // HBase on an AMI version before 2.1 has no install step (the CLI's sentence, spacing
    // and all); 2.x gets the Hadoop 1 jar.
    expect_error(
        "emr create-cluster --ami-version 2.0.1 --instance-type m1.large --applications Name=HBase",
        "AMI version 2.0.1is not compatible with HBase.",
    );
    let older = parsed(
        "emr create-cluster --ami-version 2.4.2 --instance-type m1.large --applications Name=HBase",
    );
    let (_, request) = call_of(plan_of(&older).next(&older, "us-east-1", &[]));
    assert_eq!(
        request["Steps"][0]["HadoopJarStep"]["Jar"],
        "/home/hadoop/lib/hbase-0.92.0.jar"
    );
    // An AMI version ignores --configurations, as the CLI does.
    let ignored = parsed(
        "emr create-cluster --ami-version 3.11.0 --instance-type m3.xlarge \
         --configurations '[{\"Classification\":\"x\",\"Properties\":{}}]'",
    );
    let (_, request) = call_of(plan_of(&ignored).next(&ignored, "us-east-1", &[]));
    assert!(request.get("Configurations").is_none(), "{request:?}");
}

/// `--emrfs` with a release label: an `emrfs-site` classification after `--configurations`
/// (awscli 1.45.11's request for the same command), and the CLI's checks of the option.
#[test]
fn create_cluster_emrfs_with_a_release_label_is_an_emrfs_site_configuration() {
    let invocation = parsed(
        "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge \
         --emrfs Encryption=ClientSide,ProviderType=Custom,CustomProviderClass=com.example.P,CustomProviderLocation=s3://b/p.jar,Args=[fs.s3.cse.enabled=false,k] \
         --configurations '[{\"Classification\":\"spark\",\"Properties\":{}}]'",
    );
    let (_, request) = call_of(plan_of(&invocation).next(&invocation, "us-east-1", &[]));
    assert_eq!(
        request["Configurations"],
        json!([
            {"Classification": "spark", "Properties": {}},
            {"Classification": "emrfs-site", "Properties": {
                "fs.s3.cse.enabled": "false",
                "fs.s3.cse.encryptionMaterialsProvider": "com.example.P",
                "k": "",
                "fs.s3.cse.encryptionMaterialsProvider.uri": "s3://b/p.jar"
            }}
        ])
    );
    assert!(request.get("BootstrapActions").is_none());
    let base = "emr create-cluster --release-label emr-6.10.0 --instance-type m5.xlarge";
    for (emrfs, message) in [
        (
            "Encryption=Both",
            "The encryption type \"Both\" is invalid. You must specify either ServerSide or ClientSide",
        ),
        (
            "SSE=true,Encryption=ServerSide",
            "Both SSE=True and Encryption=ServerSide are configured for --emrfs.",
        ),
        (
            "Encryption=ClientSide",
            "The following required parameters are missing for --emrfs Encryption=ClientSide: ProviderType.",
        ),
        (
            "Encryption=ClientSide,ProviderType=Custom",
            "missing for --emrfs Encryption=ClientSide,ProviderType=Custom: CustomProviderClass and CustomProviderLocation.",
        ),
        (
            "Encryption=ClientSide,ProviderType=Vault",
            "The client side encryption type \"Vault\" is not supported.",
        ),
        (
            "RetryCount=3,RetryPeriod=1",
            "--emrfs Consistent=true/false is not specified. Thus,  following parameters are invalid: RetryCount and RetryPeriod",
        ),
        ("KMSKeyId=k", "Encryption=ClientSide,ProviderType=KMS is not specified."),
        ("Bogus=1", "Unknown parameter in input: \"Bogus\""),
    ] {
        expect_error(&format!("{base} --emrfs {emrfs}"), message);
    }
    expect_error(
        &format!(
            "{base} --emrfs Consistent=true --configurations '[{{\"Classification\":\"emrfs-site\"}}]'"
        ),
        "EMRFS should be configured either using --configuration or --emrfs but not both",
    );
    expect_error(
        &format!("{base} --restore-from-hbase-backup Dir=s3://b/x"),
        "require the following applications to be installed: Hbase.",
    );
    expect_error(
        "emr create-cluster --ami-version 3.11.0 --release-label emr-6.10.0 --instance-type m5.xlarge",
        "You cannot specify both --ami-version and --release-label options together.",
    );
    expect_error(
        "emr create-cluster --ami-version latest --instance-type m5.xlarge",
        "The supplied AMI version \"latest\" is invalid.",
    );
}
