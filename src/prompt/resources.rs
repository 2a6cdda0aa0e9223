//! Resource choice lists: the table of list calls that offer choices for common parameters
//! (function names, alarm names, log groups, ...), the invocation of such a list call, and
//! how its answer becomes the sorted names a dropdown offers. Pure: the calls themselves are
//! made by `conversation/` with the requester's permit.

use serde_json::{Map, Value};

use crate::command::{GlobalOptions, Invocation};
use crate::models::Models;
use crate::output::Query;

/// How many resource choices a dropdown shows; more is not useful on a phone.
pub const MAX_RESOURCE_CHOICES: usize = 50;

/// The list call that fills choices for a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceList {
    /// The AWS CLI service name of the list call.
    pub service: &'static str,
    /// The model operation (`ListFunctions`).
    pub operation: &'static str,
    /// JMESPath over the first page that yields the names.
    pub names: &'static str,
}

/// The list calls that fill choices, each with the members (of its own service's operations)
/// it fills.
const RESOURCE_LISTS: &[(ResourceList, &[&str])] = &[
    (
        list("lambda", "ListFunctions", "Functions[].FunctionName"),
        &["FunctionName"],
    ),
    (
        list("cloudwatch", "DescribeAlarms", "MetricAlarms[].AlarmName"),
        &["AlarmName", "AlarmNames"],
    ),
    (
        list("logs", "DescribeLogGroups", "logGroups[].logGroupName"),
        &["logGroupName", "logGroupIdentifier"],
    ),
    (list("ecs", "ListClusters", "clusterArns[]"), &["cluster"]),
    (list("eks", "ListClusters", "clusters[]"), &["clusterName"]),
    (list("s3api", "ListBuckets", "Buckets[].Name"), &["Bucket"]),
    (
        list(
            "ec2",
            "DescribeInstances",
            "Reservations[].Instances[].InstanceId",
        ),
        &["InstanceIds", "InstanceId"],
    ),
    (
        list("kinesis", "ListStreams", "StreamNames[]"),
        &["StreamName"],
    ),
    (
        list("dynamodb", "ListTables", "TableNames[]"),
        &["TableName"],
    ),
    (
        list("sns", "ListTopics", "Topics[].TopicArn"),
        &["TopicArn"],
    ),
    (list("sqs", "ListQueues", "QueueUrls[]"), &["QueueUrl"]),
    (
        list(
            "rds",
            "DescribeDBInstances",
            "DBInstances[].DBInstanceIdentifier",
        ),
        &["DBInstanceIdentifier"],
    ),
    (
        list("cloudformation", "DescribeStacks", "Stacks[].StackName"),
        &["StackName"],
    ),
];

const fn list(service: &'static str, operation: &'static str, names: &'static str) -> ResourceList {
    ResourceList {
        service,
        operation,
        names,
    }
}

/// The list call that fills choices for `member` of a `service` operation, if the table has one
/// (and it is not the operation itself).
pub fn resource_list(service: &str, operation: &str, member: &str) -> Option<ResourceList> {
    RESOURCE_LISTS
        .iter()
        .find(|(list, members)| {
            list.service == service && members.contains(&member) && list.operation != operation
        })
        .map(|(list, _)| *list)
}

/// The invocation of `list` in `region` (the region of the command whose form it fills), or
/// `None` when the models do not know the list call.
pub fn list_invocation(
    models: &Models,
    list: ResourceList,
    region: Option<String>,
) -> Option<Invocation> {
    let cli_operation = models
        .service(list.service)
        .ok()
        .and_then(|m| m.cli_operation_name(list.operation).map(str::to_owned))?;
    Some(Invocation {
        service: list.service.to_owned(),
        operation: list.operation.to_owned(),
        cli_operation,
        params: Map::new(),
        globals: GlobalOptions {
            region,
            ..Default::default()
        },
    })
}

/// The names `list`'s answer `output` offers: found by its query, sorted, without
/// duplicates, at most [`MAX_RESOURCE_CHOICES`].
pub fn resource_choice_names(list: ResourceList, output: &Value) -> Vec<String> {
    let names = Query::parse(list.names)
        .ok()
        .and_then(|q| q.search(output).ok());
    let mut names: Vec<String> = names
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_RESOURCE_CHOICES);
    names
}

/// Resource choices (member, names) as the (value, title) pairs a form's dropdown shows.
pub fn as_choice_pairs(choices: &[(String, Vec<String>)]) -> Vec<(String, Vec<(String, String)>)> {
    choices
        .iter()
        .map(|(member, names)| {
            (
                member.clone(),
                names.iter().map(|n| (n.clone(), n.clone())).collect(),
            )
        })
        .collect()
}
