//! The AWS engine against a real moto server: every protocol read and write, error parsing,
//! the deadline and the AWS CLI's pagination.

mod assume_role;
mod handlers;
mod idempotency;

use std::time::Duration;

use aws_chatops::aws::{AwsError, Engine, EngineConfig};
use aws_chatops::command::{GlobalOptions, Invocation};
use serde_json::{json, Map, Value};

use crate::support::aws::{call_all, call_page};
use crate::support::{self, moto};

fn engine() -> Engine {
    Engine::new(EngineConfig {
        endpoint_url: Some(moto::moto().url.clone()),
        max_attempts: 1,
        ..EngineConfig::default()
    })
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("params are an object")
}

async fn call(service: &str, operation: &str, params: Value) -> Result<Value, AwsError> {
    call_page(&engine(), service, operation, &object(params))
        .await
        .map(|page| page.output)
}

async fn ok(service: &str, operation: &str, params: Value) -> Value {
    call(service, operation, params)
        .await
        .unwrap_or_else(|e| panic!("{service} {operation}: {e}"))
}

async fn service_error(service: &str, operation: &str, params: Value) -> (String, String) {
    match call(service, operation, params).await {
        Err(AwsError::Service { code, message, .. }) => (code, message),
        other => panic!("{service} {operation}: expected a service error, got {other:?}"),
    }
}

/// `2026-11-27T02:07:54.382000+00:00` or `2026-11-27T02:07:54+00:00`.
fn assert_cli_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    let pattern =
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$").unwrap();
    assert!(pattern.is_match(text), "{text}");
}

/// True when the list `list` in `output` has an item whose `key` is `value`.
fn lists(output: &Value, list: &str, key: &str, value: &str) -> bool {
    let items = output[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list}: {output}"));
    items.iter().any(|item| item[key] == json!(value))
}

fn invocation(service: &str, operation: &str, params: Value, globals: GlobalOptions) -> Invocation {
    Invocation {
        service: service.into(),
        operation: operation.into(),
        cli_operation: String::new(),
        params: object(params),
        globals,
    }
}

#[tokio::test]
async fn a_permit_runs_only_the_invocation_it_was_granted_for() {
    let granted = support::aws::invocation("sns", "ListTopics", Map::new());
    let permit = support::aws::permit(&granted, support::aws::credentials(), "us-east-1").await;
    let other = support::aws::invocation("logs", "DescribeLogGroups", Map::new());
    let error = engine().call_all(&permit, &other).await.unwrap_err();
    assert!(
        matches!(&error, AwsError::NotPermitted { service, operation, permitted }
            if service == "logs" && operation == "DescribeLogGroups" && permitted == "sns ListTopics"),
        "{error:?}"
    );
    engine()
        .call_all(&permit, &granted)
        .await
        .expect("the granted invocation runs");
}

// ---- json ----

#[tokio::test]
async fn json_logs_create_and_describe() {
    let name = unique("/engine/logs");
    let created = ok("logs", "CreateLogGroup", json!({"logGroupName": name})).await;
    assert_eq!(created, json!({}));
    let described = ok(
        "logs",
        "DescribeLogGroups",
        json!({"logGroupNamePrefix": name}),
    )
    .await;
    let groups = described["logGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["logGroupName"], json!(name));
    // creationTime is a long (epoch milliseconds), printed as an integer.
    assert!(groups[0]["creationTime"].is_i64(), "{}", groups[0]);
}

#[tokio::test]
async fn json_error_reads_like_the_cli() {
    let error = call(
        "logs",
        "DescribeLogStreams",
        json!({"logGroupName": unique("/missing")}),
    )
    .await
    .unwrap_err();
    let AwsError::Service {
        code,
        operation,
        status,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(operation, "DescribeLogStreams");
    assert_eq!(*status, 400);
    assert!(
        error
            .to_string()
            .starts_with("An error occurred (ResourceNotFoundException) when calling the DescribeLogStreams operation: "),
        "{error}"
    );
}

#[tokio::test]
async fn json_dynamodb_table_item_scan() {
    let table = unique("engine");
    ok(
        "dynamodb",
        "CreateTable",
        json!({
            "TableName": table,
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    )
    .await;
    ok(
        "dynamodb",
        "PutItem",
        json!({"TableName": table, "Item": {"id": {"S": "a"}, "n": {"N": "5"}, "b": {"B": "hello"}}}),
    )
    .await;
    let scanned = ok("dynamodb", "Scan", json!({"TableName": table})).await;
    assert_eq!(scanned["Count"], json!(1));
    let item = &scanned["Items"][0];
    assert_eq!(item["id"], json!({"S": "a"}));
    assert_eq!(item["n"], json!({"N": "5"}));
    // Blobs go out base64-encoded and come back as the CLI prints them: base64.
    assert_eq!(item["b"], json!({"B": "aGVsbG8="}));
    let described = ok("dynamodb", "DescribeTable", json!({"TableName": table})).await;
    assert_cli_timestamp(&described["Table"]["CreationDateTime"]);
}

#[tokio::test]
async fn json_kinesis_stream_summary() {
    let stream = unique("engine");
    ok(
        "kinesis",
        "CreateStream",
        json!({"StreamName": stream, "ShardCount": 1}),
    )
    .await;
    let summary = ok(
        "kinesis",
        "DescribeStreamSummary",
        json!({"StreamName": stream}),
    )
    .await;
    let description = &summary["StreamDescriptionSummary"];
    assert_eq!(description["StreamName"], json!(stream));
    assert_eq!(description["OpenShardCount"], json!(1));
    assert_cli_timestamp(&description["StreamCreationTimestamp"]);
}

#[tokio::test]
async fn json_cloudwatch_alarms_over_json() {
    let alarm = unique("engine-alarm");
    ok(
        "cloudwatch",
        "PutMetricAlarm",
        json!({
            "AlarmName": alarm, "MetricName": "CPUUtilization", "Namespace": "AWS/EC2",
            "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]
        }),
    )
    .await;
    let described = ok(
        "cloudwatch",
        "DescribeAlarms",
        json!({"AlarmNames": [alarm]}),
    )
    .await;
    let alarms = described["MetricAlarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 1);
    let first = &alarms[0];
    assert_eq!(first["AlarmName"], json!(alarm));
    // A double prints as a float, as the CLI prints it.
    assert_eq!(serde_json::to_string(&first["Threshold"]).unwrap(), "1.0");
    assert_eq!(
        first["Dimensions"],
        json!([{"Name": "InstanceId", "Value": "i-1"}])
    );
    assert_cli_timestamp(&first["StateUpdatedTimestamp"]);
    // Keys follow the output shape's member order.
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    let name_at = keys.iter().position(|k| *k == "AlarmName").unwrap();
    let arn_at = keys.iter().position(|k| *k == "AlarmArn").unwrap();
    assert!(name_at < arn_at, "{keys:?}");
}

// ---- query ----

#[tokio::test]
async fn query_sns_topics_and_missing_topic() {
    let name = unique("engine-topic");
    let created = ok(
        "sns",
        "CreateTopic",
        json!({"Name": name, "Tags": [{"Key": "k", "Value": "v"}]}),
    )
    .await;
    let arn = created["TopicArn"].as_str().unwrap().to_owned();
    assert!(arn.ends_with(&name), "{arn}");
    let listed = call_all(
        &engine(),
        &invocation("sns", "ListTopics", json!({}), GlobalOptions::default()),
    )
    .await
    .unwrap();
    assert!(lists(&listed, "Topics", "TopicArn", &arn));
    let attributes = ok("sns", "GetTopicAttributes", json!({"TopicArn": arn})).await;
    assert_eq!(attributes["Attributes"]["TopicArn"], json!(arn));
    let (code, _) = service_error(
        "sns",
        "GetTopicAttributes",
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing-topic-engine"}),
    )
    .await;
    assert_eq!(code, "NotFound");
}

#[tokio::test]
async fn query_cloudformation_and_elbv2_lists() {
    let stacks = ok(
        "cloudformation",
        "ListStacks",
        json!({"StackStatusFilter": ["CREATE_COMPLETE"]}),
    )
    .await;
    assert!(stacks["StackSummaries"].is_array(), "{stacks}");
    let balancers = ok("elbv2", "DescribeLoadBalancers", json!({})).await;
    assert!(balancers["LoadBalancers"].is_array(), "{balancers}");
    let (code, _) = service_error(
        "elbv2",
        "DescribeLoadBalancers",
        json!({"Names": [unique("missing")]}),
    )
    .await;
    assert_eq!(code, "LoadBalancerNotFound");
}

// ---- ec2 ----

#[tokio::test]
async fn ec2_vpcs_and_tags() {
    let vpcs = ok("ec2", "DescribeVpcs", json!({})).await;
    let vpc = &vpcs["Vpcs"][0];
    let vpc_id = vpc["VpcId"]
        .as_str()
        .expect("moto has a default VPC")
        .to_owned();
    assert!(vpc["IsDefault"].is_boolean(), "{vpc}");
    let key = unique("engine");
    ok(
        "ec2",
        "CreateTags",
        json!({"Resources": [vpc_id], "Tags": [{"Key": key, "Value": "v1"}]}),
    )
    .await;
    let tags = ok(
        "ec2",
        "DescribeTags",
        json!({"Filters": [{"Name": "resource-id", "Values": [vpc_id]}, {"Name": "key", "Values": [key]}]}),
    )
    .await;
    assert_eq!(
        tags["Tags"],
        json!([{"Key": key, "ResourceId": vpc_id, "ResourceType": "vpc", "Value": "v1"}])
    );
    let (code, _) = service_error(
        "ec2",
        "DescribeInstances",
        json!({"InstanceIds": ["i-0123456789abcdef0"]}),
    )
    .await;
    assert_eq!(code, "InvalidInstanceID.NotFound");
}

// ---- rest-json ----

#[tokio::test]
async fn rest_json_lambda_and_apigateway() {
    let functions = ok("lambda", "ListFunctions", json!({})).await;
    assert!(functions["Functions"].is_array(), "{functions}");
    let (code, message) = service_error(
        "lambda",
        "GetFunction",
        json!({"FunctionName": unique("missing")}),
    )
    .await;
    assert_eq!(code, "ResourceNotFoundException", "{message}");
    let name = unique("engine-api");
    let created = ok(
        "apigateway",
        "CreateRestApi",
        json!({"name": name, "description": "d"}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_cli_timestamp(&created["createdDate"]);
    let fetched = ok("apigateway", "GetRestApi", json!({"restApiId": id})).await;
    assert_eq!(fetched["name"], json!(name));
    let listed = ok("apigateway", "GetRestApis", json!({"limit": 500})).await;
    assert!(lists(&listed, "items", "id", &id));
}

// ---- rest-xml ----

#[tokio::test]
async fn rest_xml_s3_buckets_objects_tags() {
    let bucket = unique("engine-bucket");
    ok("s3api", "CreateBucket", json!({"Bucket": bucket})).await;
    ok(
        "s3api",
        "PutBucketTagging",
        json!({"Bucket": bucket, "Tagging": {"TagSet": [{"Key": "team", "Value": "ops"}]}}),
    )
    .await;
    let tagging = ok("s3api", "GetBucketTagging", json!({"Bucket": bucket})).await;
    assert_eq!(tagging["TagSet"], json!([{"Key": "team", "Value": "ops"}]));
    let put = ok(
        "s3api",
        "PutObject",
        json!({"Bucket": bucket, "Key": "dir/a b.txt", "Body": "hello"}),
    )
    .await;
    assert_eq!(put["ETag"], json!("\"5d41402abc4b2a76b9719d911017c592\""));
    let listed = ok(
        "s3api",
        "ListObjectsV2",
        json!({"Bucket": bucket, "Prefix": "dir/"}),
    )
    .await;
    assert_eq!(listed["KeyCount"], json!(1));
    assert_eq!(listed["IsTruncated"], json!(false));
    let object = &listed["Contents"][0];
    assert_eq!(object["Key"], json!("dir/a b.txt"));
    assert_eq!(object["Size"], json!(5));
    assert_cli_timestamp(&object["LastModified"]);
    let buckets = ok("s3api", "ListBuckets", json!({})).await;
    assert!(lists(&buckets, "Buckets", "Name", &bucket));
    // HeadObject is never allowed, so no permit runs it; GetObjectAttributes has a header
    // timestamp (Last-Modified) beside body members, and a list sent as a header.
    let attributes = ok(
        "s3api",
        "GetObjectAttributes",
        json!({"Bucket": bucket, "Key": "dir/a b.txt", "ObjectAttributes": ["ETag", "ObjectSize"]}),
    )
    .await;
    assert_eq!(attributes["ObjectSize"], json!(5));
    assert_cli_timestamp(&attributes["LastModified"]);
}

#[tokio::test]
async fn rest_xml_s3_errors() {
    let missing = unique("missing-bucket");
    let (code, message) = service_error("s3api", "ListObjects", json!({"Bucket": missing})).await;
    assert_eq!(code, "NoSuchBucket");
    assert_eq!(message, "The specified bucket does not exist");
    // HEAD has no body: the code is the status, the message its reason phrase.
    let error = call("s3api", "HeadBucket", json!({"Bucket": missing}))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (404) when calling the HeadBucket operation: Not Found"
    );
}

#[tokio::test]
async fn rest_xml_route53_hosted_zones() {
    let zone = format!("{}.example.com.", unique("engine"));
    let created = ok(
        "route53",
        "CreateHostedZone",
        json!({"Name": zone, "CallerReference": unique("ref"), "HostedZoneConfig": {"Comment": "c", "PrivateZone": false}}),
    )
    .await;
    assert_eq!(created["HostedZone"]["Name"], json!(zone));
    assert!(
        created["Location"].is_string(),
        "the Location header is an output member: {created}"
    );
    let zones = ok("route53", "ListHostedZones", json!({})).await;
    assert!(lists(&zones, "HostedZones", "Name", &zone));
}

// ---- deadline ----

#[tokio::test]
async fn a_silent_endpoint_times_out_with_advice() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // Accept connections and never answer.
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let engine = Engine::new(EngineConfig {
        endpoint_url: Some(format!("http://{address}")),
        timeout: Duration::from_millis(300),
        max_attempts: 1,
        ..EngineConfig::default()
    });
    let started = std::time::Instant::now();
    let error = call_page(&engine, "cloudwatch", "DescribeAlarms", &Map::new())
        .await
        .unwrap_err();
    assert!(matches!(error, AwsError::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = error.to_string();
    assert!(
        text.contains("longer than 0.3 seconds") && text.contains("--max-items"),
        "{text}"
    );
    server.abort();
}

// ---- pagination ----

#[tokio::test]
async fn pagination_follows_the_cli() {
    let prefix = unique("/engine/pages");
    for i in 0..7 {
        ok(
            "logs",
            "CreateLogGroup",
            json!({"logGroupName": format!("{prefix}/{i}")}),
        )
        .await;
    }
    let names = |value: &Value| -> Vec<String> {
        value["logGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g["logGroupName"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let engine = engine();
    let globals = GlobalOptions {
        page_size: Some(2),
        max_items: Some(3),
        ..GlobalOptions::default()
    };
    let params = json!({"logGroupNamePrefix": prefix});
    // Every page of the prefix's log groups, as the CLI pages with `globals`.
    let describe = |globals: GlobalOptions| {
        let invocation = invocation("logs", "DescribeLogGroups", params.clone(), globals);
        let engine = &engine;
        async move { call_all(engine, &invocation).await.unwrap() }
    };
    let first = describe(globals.clone()).await;
    assert_eq!(names(&first), ["0", "1", "2"]);
    let token = first["NextToken"]
        .as_str()
        .expect("cut by --max-items")
        .to_owned();
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["logGroups", "NextToken"]);

    let second = describe(GlobalOptions {
        starting_token: Some(token),
        ..globals.clone()
    })
    .await;
    assert_eq!(names(&second), ["3", "4", "5"]);
    let token = second["NextToken"].as_str().unwrap().to_owned();

    let rest = describe(GlobalOptions {
        starting_token: Some(token),
        page_size: Some(2),
        ..GlobalOptions::default()
    })
    .await;
    assert_eq!(names(&rest), ["6"]);
    assert!(rest.get("NextToken").is_none());

    let everything = describe(GlobalOptions {
        page_size: Some(2),
        ..GlobalOptions::default()
    })
    .await;
    assert_eq!(names(&everything).len(), 7);

    // One page at a time, as the chat path pages.
    let mut limited = object(params.clone());
    limited.insert("limit".into(), json!(2));
    let page_of = |params: &Map<String, Value>| {
        let (engine, params) = (&engine, params.clone());
        async move {
            call_page(engine, "logs", "DescribeLogGroups", &params)
                .await
                .unwrap()
        }
    };
    let page = page_of(&limited).await;
    assert_eq!(names(&page.output), ["0", "1"]);
    let next = page.next.expect("more pages");
    assert!(next["nextToken"].is_string(), "{next}");
    limited.extend(next.as_object().unwrap().clone());
    let page = page_of(&limited).await;
    assert_eq!(names(&page.output), ["2", "3"]);
}

#[tokio::test]
async fn unknown_operations_are_refused_before_any_call() {
    let error = call("logs", "DescribeNothing", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AwsError::UnknownOperation { .. }),
        "{error:?}"
    );
    let error = call("logs", "DescribeLogGroups", json!({"noSuchMember": 1}))
        .await
        .unwrap_err();
    assert!(matches!(error, AwsError::Serialize { .. }), "{error:?}");
}
