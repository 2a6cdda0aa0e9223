//! botocore's handlers through the engine against moto: what is sent (EC2 user data in
//! base64, S3 copy sources percent-encoded) and what is shown (console output and template
//! bodies decoded, listed keys decoded).

use serde_json::json;

use super::{ok, unique};

#[tokio::test]
async fn user_data_is_sent_in_base64_and_console_output_is_shown_decoded() {
    let launched = ok(
        "ec2",
        "RunInstances",
        json!({"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1, "UserData": "hello world"}),
    )
    .await;
    let instance = launched["Instances"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let attribute = ok(
        "ec2",
        "DescribeInstanceAttribute",
        json!({"InstanceId": instance, "Attribute": "userData"}),
    )
    .await;
    // EC2 keeps what arrived: base64 of the text, once.
    assert_eq!(attribute["UserData"]["Value"], json!("aGVsbG8gd29ybGQ="));
    let console = ok("ec2", "GetConsoleOutput", json!({"InstanceId": instance})).await;
    let output = console["Output"].as_str().unwrap();
    assert!(output.starts_with("Linux version"), "{output}");
}

#[tokio::test]
async fn a_json_template_body_is_shown_as_json() {
    let stack = unique("engine-h3");
    let body = r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}"#;
    ok(
        "cloudformation",
        "CreateStack",
        json!({"StackName": stack, "TemplateBody": body}),
    )
    .await;
    let template = ok("cloudformation", "GetTemplate", json!({"StackName": stack})).await;
    assert_eq!(
        template["TemplateBody"],
        json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    );
}

#[tokio::test]
async fn keys_round_trip_through_listing_and_copying() {
    let bucket = unique("engine-h3");
    ok("s3api", "CreateBucket", json!({"Bucket": bucket})).await;
    let key = "dir/a b%41+é.txt";
    ok(
        "s3api",
        "PutObject",
        json!({"Bucket": bucket, "Key": key, "Body": "x"}),
    )
    .await;
    ok(
        "s3api",
        "CopyObject",
        json!({"Bucket": bucket, "Key": "copy", "CopySource": format!("{bucket}/{key}")}),
    )
    .await;
    let listed = ok("s3api", "ListObjectsV2", json!({"Bucket": bucket})).await;
    let keys: Vec<&str> = listed["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["copy", key]);
    // Asked for by the caller, the encoding is the caller's to undo.
    let encoded = ok(
        "s3api",
        "ListObjectsV2",
        json!({"Bucket": bucket, "EncodingType": "url", "Prefix": "dir/"}),
    )
    .await;
    assert_eq!(
        encoded["Contents"][0]["Key"],
        json!("dir/a%20b%2541%2B%C3%A9.txt")
    );
}
