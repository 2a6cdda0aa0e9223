//! The AWS CLI commands that make several calls, through /api/messages against moto (issue 11
//! item 1): `emr describe-cluster` answers with the cluster, its instance groups and its
//! bootstrap actions merged as the CLI merges them; `emr modify-cluster-attributes` is
//! confirmed once and then sets each attribute with its own call. Every call is audited as its
//! own operation, and the channel guardrail must allow every call before the first one runs.
//! `configservice get-status` prints the CLI's lines; moto has no AWS Config status calls, so
//! a stand-in on 127.0.0.1 answers exactly those two (see `config_status`).

use aws_chatops::aws::EngineConfig;
use aws_chatops::policy::Authorizer as _;
use serde_json::{json, Value};

use crate::access::{actions, text};
use crate::support::app::{ada_in, TestApp, OPS};
use crate::support::aws::{aws, moto_engine};

/// The bot with OPS's guardrails ReadOnly plus an inline statement allowing `allowed` (EMR
/// actions), production its default account.
async fn start(engine: EngineConfig, allowed: &[&str]) -> TestApp {
    let actions: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    // `access_text` closes the guardrail list itself; this ends it early to add a statement
    // and comments its own closing bracket out.
    let guardrails = if actions.is_empty() {
        "\"ReadOnly\"".to_owned()
    } else {
        format!(
            "\"ReadOnly\"]\n[[access.channels.ops.guardrail_statement]]\neffect = \"Allow\"\naction = [{}]\n#",
            actions.join(", ")
        )
    };
    let bot = TestApp::with_access(engine, &guardrails).await;
    bot.authorizer()
        .set_default_account(&ada_in(OPS), "production")
        .await
        .unwrap();
    bot
}

/// A cluster in moto with instance groups and one bootstrap action; its id.
async fn cluster(name: &str) -> String {
    let made = aws(
        "emr",
        "RunJobFlow",
        json!({
            "Name": name,
            "ReleaseLabel": "emr-6.10.0",
            "Instances": {
                "MasterInstanceType": "m5.xlarge",
                "SlaveInstanceType": "m5.xlarge",
                "InstanceCount": 3,
                "KeepJobFlowAliveWhenNoSteps": true
            },
            "BootstrapActions": [{
                "Name": "install-agent",
                "ScriptBootstrapAction": {"Path": "s3://boot-bucket/agent.sh", "Args": ["--fast"]}
            }],
            "VisibleToAllUsers": true,
            "JobFlowRole": "EMR_EC2_DefaultRole",
            "ServiceRole": "EMR_DefaultRole"
        }),
    )
    .await;
    made["JobFlowId"].as_str().unwrap().to_owned()
}

fn operations(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["operation"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_cluster_in_chat_merges_groups_and_bootstrap_actions_and_audits_each_call() {
    let id = cluster("several-calls-describe").await;
    let bot = start(moto_engine(), &[]).await;
    let card = bot
        .say_in(OPS, &format!("emr describe-cluster --cluster-id {id}"))
        .await;
    let shown = text(&card);
    for part in [
        "several-calls-describe",
        "install-agent",
        "s3://boot-bucket/agent.sh",
        "InstanceGroups",
        "MASTER",
        "CORE",
    ] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
    bot.wait_records(3).await;
    let records = bot.records();
    assert_eq!(
        operations(&records),
        [
            "DescribeCluster",
            "ListInstanceGroups",
            "ListBootstrapActions"
        ]
    );
    for record in &records {
        assert_eq!(record["outcome"]["kind"], "allowed", "{record}");
        assert_eq!(
            record["iam_action"],
            format!("elasticmapreduce:{}", record["operation"].as_str().unwrap()),
            "{record}"
        );
        // One command: the same correlation id on each call's record.
        assert_eq!(
            record["correlation_id"], records[0]["correlation_id"],
            "{record}"
        );
        assert!(record["correlation_id"].is_string(), "{record}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modify_cluster_attributes_is_confirmed_once_and_makes_one_call_per_attribute() {
    let id = cluster("several-calls-modify").await;
    let bot = start(
        moto_engine(),
        &[
            "elasticmapreduce:SetTerminationProtection",
            "elasticmapreduce:SetVisibleToAllUsers",
        ],
    )
    .await;
    let confirm = bot
        .say_in(
            OPS,
            &format!(
                "emr modify-cluster-attributes --cluster-id {id} --termination-protected --no-visible-to-all-users"
            ),
        )
        .await;
    // Nothing has run yet: a change waits for its confirmation.
    let before = aws("emr", "DescribeCluster", json!({"ClusterId": id})).await;
    assert_eq!(before["Cluster"]["TerminationProtected"], false);
    let button = actions(&confirm, "confirm")
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("a confirmation: {confirm}"));
    bot.click(OPS, button).await;
    bot.wait_records(2).await;
    let records = bot.records();
    assert_eq!(
        operations(&records),
        ["SetVisibleToAllUsers", "SetTerminationProtection"]
    );
    assert!(
        records.iter().all(|r| r["outcome"]["kind"] == "confirmed"),
        "{records:#?}"
    );
    let after = aws("emr", "DescribeCluster", json!({"ClusterId": id})).await;
    assert_eq!(after["Cluster"]["TerminationProtected"], true, "{after}");
    assert_eq!(after["Cluster"]["VisibleToAllUsers"], false, "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_is_refused_before_its_first_call_when_any_of_its_calls_is_not_allowed() {
    let id = cluster("several-calls-refused").await;
    // The guardrail allows termination protection but not visibility.
    let bot = start(
        moto_engine(),
        &["elasticmapreduce:SetTerminationProtection"],
    )
    .await;
    let refused = bot
        .say_in(
            OPS,
            &format!(
                "emr modify-cluster-attributes --cluster-id {id} --termination-protected --no-visible-to-all-users"
            ),
        )
        .await;
    let shown = text(&refused);
    assert!(
        shown.contains("elasticmapreduce:SetVisibleToAllUsers"),
        "{shown}"
    );
    assert!(actions(&refused, "confirm").is_empty(), "{refused}");
    let records = bot.records();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["outcome"]["layer"], "guardrail");
    assert_eq!(
        records[0]["iam_action"],
        "elasticmapreduce:SetVisibleToAllUsers"
    );
    let after = aws("emr", "DescribeCluster", json!({"ClusterId": id})).await;
    assert_eq!(
        after["Cluster"]["TerminationProtected"], false,
        "nothing ran: {after}"
    );
}

/// Confirms the write command `command` in OPS and waits for `calls` audit records.
async fn confirmed(bot: &TestApp, command: &str, calls: usize) -> (Value, Vec<Value>) {
    let confirm = bot.say_in(OPS, command).await;
    let button = actions(&confirm, "confirm")
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("a confirmation: {confirm}"));
    let card = bot.click(OPS, button).await;
    bot.wait_records(calls).await;
    (card, bot.records())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_instance_groups_in_chat_adds_the_built_groups() {
    let id = cluster("several-calls-groups").await;
    let bot = start(moto_engine(), &["elasticmapreduce:AddInstanceGroups"]).await;
    let (_, records) = confirmed(
        &bot,
        &format!(
            "emr add-instance-groups --cluster-id {id} --instance-groups InstanceGroupType=TASK,InstanceType=m5.large,InstanceCount=2,BidPrice=0.4"
        ),
        1,
    )
    .await;
    assert_eq!(operations(&records), ["AddInstanceGroups"]);
    assert_eq!(records[0]["outcome"]["kind"], "confirmed", "{records:#?}");
    let groups = aws("emr", "ListInstanceGroups", json!({"ClusterId": id})).await;
    let task = groups["InstanceGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["InstanceGroupType"] == "TASK")
        .unwrap_or_else(|| panic!("a task group: {groups}"));
    // The CLI's defaults: the role as the name, a bid price makes it SPOT.
    assert_eq!(task["Name"], "TASK", "{task}");
    assert_eq!(task["Market"], "SPOT", "{task}");
    assert_eq!(task["RequestedInstanceCount"], 2, "{task}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_steps_in_chat_reads_the_release_label_then_adds_the_steps() {
    let id = cluster("several-calls-steps").await;
    let bot = start(moto_engine(), &["elasticmapreduce:AddJobFlowSteps"]).await;
    let (_, records) = confirmed(
        &bot,
        &format!(
            "emr add-steps --cluster-id {id} --steps Type=Spark,Name=etl,Args=[--deploy-mode,cluster,s3://code/etl.py]"
        ),
        2,
    )
    .await;
    assert_eq!(operations(&records), ["DescribeCluster", "AddJobFlowSteps"]);
    let steps = aws("emr", "ListSteps", json!({"ClusterId": id})).await;
    let step = steps["Steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == "etl")
        .unwrap_or_else(|| panic!("the step: {steps}"));
    // The cluster has a release label: command-runner.jar runs spark-submit.
    assert_eq!(step["Config"]["Jar"], "command-runner.jar", "{step}");
    assert_eq!(
        step["Config"]["Args"],
        json!([
            "spark-submit",
            "--deploy-mode",
            "cluster",
            "s3://code/etl.py"
        ]),
        "{step}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_cluster_in_chat_runs_the_job_flow_the_cli_builds() {
    let bot = start(moto_engine(), &["elasticmapreduce:RunJobFlow"]).await;
    let (_, records) = confirmed(
        &bot,
        "emr create-cluster --name several-calls-create --release-label emr-6.10.0 \
         --applications Name=Spark --instance-type m5.xlarge --instance-count 2 \
         --use-default-roles --tags team=data --no-visible-to-all-users",
        1,
    )
    .await;
    assert_eq!(operations(&records), ["RunJobFlow"]);
    let listed = aws("emr", "ListClusters", json!({})).await;
    let id = listed["Clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Name"] == "several-calls-create")
        .and_then(|c| c["Id"].as_str())
        .unwrap_or_else(|| panic!("the cluster: {listed}"))
        .to_owned();
    // The result card shows the answer reshaped as the CLI prints it.
    let result = text(&bot.updated_card(&id).await);
    assert!(result.contains("ClusterId"), "{result}");
    let cluster = aws("emr", "DescribeCluster", json!({"ClusterId": id})).await;
    assert_eq!(
        cluster["Cluster"]["ServiceRole"], "EMR_DefaultRole",
        "{cluster}"
    );
    assert_eq!(cluster["Cluster"]["VisibleToAllUsers"], false, "{cluster}");
    assert_eq!(
        cluster["Cluster"]["Tags"],
        json!([{"Key": "team", "Value": "data"}])
    );
    assert_eq!(
        cluster["Cluster"]["Ec2InstanceAttributes"]["IamInstanceProfile"], "EMR_EC2_DefaultRole",
        "{cluster}"
    );
}

/// AWS Config's two status calls, which moto does not have: answered on 127.0.0.1 with the
/// JSON 1.1 responses AWS documents (`ConfigurationRecordersStatus`, `DeliveryChannelsStatus`),
/// chosen by the `X-Amz-Target` header; every target asked for is recorded.
async fn config_status(
    state: actix_web::web::Data<std::sync::Mutex<Vec<String>>>,
    request: actix_web::HttpRequest,
) -> actix_web::HttpResponse {
    let target = crate::support::aws::amz_target(&request);
    state.lock().unwrap().push(target.clone());
    let body = match target.as_str() {
        "StarlingDoveService.DescribeConfigurationRecorderStatus" => json!({
            "ConfigurationRecordersStatus": [{
                "name": "default",
                "recording": true,
                "lastStatus": "FAILURE",
                "lastErrorCode": "AccessDenied",
                "lastErrorMessage": "The role cannot write",
                "lastStartTime": 1.7e9
            }]
        }),
        "StarlingDoveService.DescribeDeliveryChannelStatus" => json!({
            "DeliveryChannelsStatus": [{
                "name": "default",
                "configSnapshotDeliveryInfo": {"lastStatus": "SUCCESS"},
                "configHistoryDeliveryInfo": {"lastStatus": "SUCCESS"},
                "configStreamDeliveryInfo": {"lastStatus": "NOT_APPLICABLE"}
            }]
        }),
        _ => {
            return actix_web::HttpResponse::BadRequest()
                .json(json!({"__type": "UnknownOperationException"}))
        }
    };
    actix_web::HttpResponse::Ok()
        .content_type("application/x-amz-json-1.1")
        .json(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configservice_get_status_in_chat_shows_the_cli_lines() {
    let config = crate::support::standins::Served::start_with(
        1,
        std::sync::Mutex::new(Vec::<String>::new()),
        |routes| {
            routes.default_service(actix_web::web::to(config_status));
        },
    );
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("CONFIG_SERVICE".to_owned(), config.server.url());
    let bot = start(engine, &[]).await;
    let card = bot.say_in(OPS, "configservice get-status").await;
    let shown = text(&card).replace("\\n", "\n");
    for line in [
        "Configuration Recorders:",
        "name: default\nrecorder: ON\nlast status: FAILURE\nerror code: AccessDenied\nmessage: The role cannot write",
        "Delivery Channels:",
        "last stream delivery status: NOT_APPLICABLE\nlast history delivery status: SUCCESS\nlast snapshot delivery status: SUCCESS",
    ] {
        assert!(shown.contains(line), "{line:?} in {shown}");
    }
    assert_eq!(
        *config.state.lock().unwrap(),
        [
            "StarlingDoveService.DescribeConfigurationRecorderStatus",
            "StarlingDoveService.DescribeDeliveryChannelStatus"
        ]
    );
    bot.wait_records(2).await;
    assert_eq!(
        operations(&bot.records()),
        [
            "DescribeConfigurationRecorderStatus",
            "DescribeDeliveryChannelStatus"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configservice_subscribe_in_chat_is_confirmed_once_and_calls_three_services() {
    let bot = start(
        moto_engine(),
        &[
            "s3:CreateBucket",
            "sns:CreateTopic",
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:StartConfigurationRecorder",
        ],
    )
    .await;
    let bucket = format!("subscribe-{}", uuid::Uuid::new_v4().simple());
    let confirm = bot
        .say_in(
            OPS,
            &format!(
                "configservice subscribe --s3-bucket {bucket}/config --sns-topic {bucket} \
                 --iam-role arn:aws:iam::123456789012:role/config"
            ),
        )
        .await;
    let button = actions(&confirm, "confirm")
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("a confirmation: {confirm}"));
    bot.click(OPS, button).await;
    // The card ends with the CLI's lines.
    let card = bot.updated_card("Subscribe succeeded").await;
    let shown = text(&card).replace("\\n", "\n");
    for line in [
        format!("Using new S3 bucket: {bucket}"),
        format!("Using new SNS topic: arn:aws:sns:us-east-1:123456789012:{bucket}"),
        "Configuration Recorders: [".to_owned(),
        "s3KeyPrefix".to_owned(),
    ] {
        assert!(shown.contains(&line), "{line:?} in {shown}");
    }
    bot.wait_records(8).await;
    let records = bot.records();
    let calls: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r["service"].as_str().unwrap_or_default().to_owned(),
                r["operation"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("s3api", "HeadBucket"),
            ("s3api", "CreateBucket"),
            ("sns", "CreateTopic"),
            ("configservice", "PutConfigurationRecorder"),
            ("configservice", "PutDeliveryChannel"),
            ("configservice", "StartConfigurationRecorder"),
            ("configservice", "DescribeConfigurationRecorders"),
            ("configservice", "DescribeDeliveryChannels"),
        ]
        .map(|(s, o)| (s.to_owned(), o.to_owned()))
    );
    // The bucket did not exist: its 404 is recorded as what it was, then it was created.
    assert_eq!(records[0]["outcome"]["kind"], "failed", "{}", records[0]);
    assert!(
        records[1..]
            .iter()
            .all(|r| r["outcome"]["kind"] == "confirmed"),
        "{records:#?}"
    );
    let channels = aws("configservice", "DescribeDeliveryChannels", json!({})).await;
    assert_eq!(
        channels["DeliveryChannels"][0]["s3BucketName"], bucket,
        "{channels}"
    );
    assert_eq!(channels["DeliveryChannels"][0]["s3KeyPrefix"], "config");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_a_commands_own_options() {
    let bot = start(moto_engine(), &[]).await;
    let card = bot.say_in(OPS, "emr modify-cluster-attributes help").await;
    let shown = text(&card);
    for option in [
        "--cluster-id",
        "--termination-protected",
        "--no-auto-terminate",
    ] {
        assert!(shown.contains(option), "{option} in {shown}");
    }
    // Not the options of the operation it stands for.
    assert!(!shown.contains("--job-flow-ids"), "{shown}");
}
