//! The EventBridge events with a layout of their own: AWS Health events, GuardDuty findings,
//! Security Hub findings and CodePipeline executions. Each fills in the title, the facts in
//! display order, a description and the console link of the event's subject, and says `false`
//! when the detail is not what it expects (the generic layout is used instead).

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::eventbridge::{summary, FACT_CHARS};
use super::fields::{array_field, cut_text, f64_field, object_field, str_field, string_field};
use super::regions::console_host;
use super::{EventKind, EventNotification};

/// Descriptions are cut to this many characters (the card cuts again to fit).
const DESCRIPTION_CHARS: usize = 4000;
/// At most this many affected entities are named.
const ENTITIES: usize = 5;

fn push(facts: &mut Vec<(String, String)>, label: &str, value: Option<String>) {
    if let Some(value) = value.filter(|value| !value.is_empty()) {
        facts.push((label.to_owned(), cut_text(&value, FACT_CHARS)));
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// "AWS Health Event": the service and event type, status, times, affected entities and the
/// latest description, linked to the event in the Health dashboard.
pub(super) fn health(event: &mut EventNotification, detail: &Map<String, Value>) -> bool {
    let (Some(service), Some(code)) = (
        str_field(detail, "service"),
        str_field(detail, "eventTypeCode"),
    ) else {
        return false;
    };
    event.kind = EventKind::HealthEvent;
    event.title = format!("AWS Health: {service} {}", readable_code(service, code));
    let facts = &mut event.facts;
    push(facts, "Service", Some(service.to_owned()));
    push(facts, "Event type", Some(code.to_owned()));
    push(facts, "Category", string_field(detail, "eventTypeCategory"));
    push(facts, "Status", string_field(detail, "statusCode"));
    push(facts, "Region", string_field(detail, "eventRegion"));
    push(facts, "Start", string_field(detail, "startTime"));
    push(facts, "End", string_field(detail, "endTime"));
    let entities: Vec<&str> = array_field(detail, "affectedEntities")
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|entity| str_field(entity, "entityValue"))
        .collect();
    if !entities.is_empty() {
        let mut named = entities[..entities.len().min(ENTITIES)].join(", ");
        if entities.len() > ENTITIES {
            named.push_str(&format!(" and {} more", entities.len() - ENTITIES));
        }
        push(facts, "Affected", Some(named));
    }
    let descriptions = array_field(detail, "eventDescription");
    let description = descriptions
        .iter()
        .filter_map(Value::as_object)
        .find(|d| str_field(d, "language").is_none_or(|l| l.starts_with("en")))
        .or_else(|| descriptions.first().and_then(Value::as_object))
        .and_then(|d| str_field(d, "latestDescription"));
    event.description = description.map(|text| cut_text(text, DESCRIPTION_CHARS));
    event.console_url = Some(match str_field(detail, "eventArn") {
        Some(arn) => format!(
            "https://health.aws.amazon.com/health/home#/account/event-log?eventID={}&eventTab=details",
            encode(arn)
        ),
        None => "https://health.aws.amazon.com/health/home#/account/dashboard/open-issues".to_owned(),
    });
    true
}

/// `AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED` → `instance retirement scheduled`.
fn readable_code(service: &str, code: &str) -> String {
    let trimmed = code
        .strip_prefix("AWS_")
        .and_then(|rest| rest.strip_prefix(service))
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(code);
    trimmed.replace('_', " ").to_lowercase()
}

/// GuardDuty's severity bands: 1–3.9 Low, 4–6.9 Medium, 7–8.9 High, 9 and over Critical.
fn guardduty_severity(severity: f64) -> &'static str {
    match severity {
        s if s >= 9.0 => "Critical",
        s if s >= 7.0 => "High",
        s if s >= 4.0 => "Medium",
        _ => "Low",
    }
}

/// "GuardDuty Finding": its title, severity band, type, resource, account and Region, linked
/// to the finding in the GuardDuty console.
pub(super) fn guardduty(event: &mut EventNotification, detail: &Map<String, Value>) -> bool {
    let Some(title) = str_field(detail, "title") else {
        return false;
    };
    event.kind = EventKind::GuardDutyFinding;
    event.title = cut_text(title, FACT_CHARS);
    let region = str_field(detail, "region")
        .unwrap_or(&event.region)
        .to_owned();
    let facts = &mut event.facts;
    if let Some(severity) = f64_field(detail, "severity") {
        push(
            facts,
            "Severity",
            Some(format!("{} ({severity})", guardduty_severity(severity))),
        );
    }
    push(facts, "Finding type", string_field(detail, "type"));
    push(
        facts,
        "Resource",
        object_field(detail, "resource").and_then(guardduty_resource),
    );
    push(facts, "Account", string_field(detail, "accountId"));
    push(facts, "Region", Some(region.clone()));
    let service = object_field(detail, "service");
    push(
        facts,
        "Count",
        service.and_then(|s| s.get("count")).and_then(summary),
    );
    push(
        facts,
        "Last seen",
        service.and_then(|s| string_field(s, "eventLastSeen")),
    );
    event.description = str_field(detail, "description").map(|d| cut_text(d, DESCRIPTION_CHARS));
    event.console_url = str_field(detail, "id").map(|id| {
        format!(
            "https://{}/guardduty/home?region={region}#/findings?macros=current&fId={}",
            console_host(&region),
            encode(id)
        )
    });
    true
}

/// The finding's resource: its type and the identifier GuardDuty gives for that type.
fn guardduty_resource(resource: &Map<String, Value>) -> Option<String> {
    let kind = str_field(resource, "resourceType");
    let id = object_field(resource, "instanceDetails")
        .and_then(|d| string_field(d, "instanceId"))
        .or_else(|| {
            object_field(resource, "accessKeyDetails").and_then(|d| string_field(d, "userName"))
        })
        .or_else(|| {
            array_field(resource, "s3BucketDetails")
                .first()
                .and_then(Value::as_object)
                .and_then(|d| string_field(d, "name"))
        })
        .or_else(|| {
            object_field(resource, "eksClusterDetails").and_then(|d| string_field(d, "name"))
        })
        .or_else(|| {
            object_field(resource, "lambdaDetails").and_then(|d| string_field(d, "functionName"))
        });
    match (kind, id) {
        (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
        (Some(kind), None) => Some(kind.to_owned()),
        (None, id) => id,
    }
}

/// "Security Hub Findings - Imported": the first finding's title, severity, types, resource and
/// compliance status, and how many findings the event carries.
pub(super) fn security_hub(event: &mut EventNotification, detail: &Map<String, Value>) -> bool {
    let findings = array_field(detail, "findings");
    let Some(finding) = findings.first().and_then(Value::as_object) else {
        return false;
    };
    let Some(title) = str_field(finding, "Title") else {
        return false;
    };
    event.kind = EventKind::SecurityHubFindings;
    event.title = cut_text(title, FACT_CHARS);
    let facts = &mut event.facts;
    push(
        facts,
        "Severity",
        object_field(finding, "Severity").and_then(|s| string_field(s, "Label")),
    );
    let types: Vec<String> = super::fields::strings(array_field(finding, "Types"), 3);
    push(facts, "Type", Some(types.join(", ")));
    let resource = array_field(finding, "Resources")
        .first()
        .and_then(Value::as_object);
    push(
        facts,
        "Resource",
        resource.and_then(|r| string_field(r, "Id")),
    );
    push(
        facts,
        "Compliance",
        object_field(finding, "Compliance").and_then(|c| string_field(c, "Status")),
    );
    push(
        facts,
        "Workflow",
        object_field(finding, "Workflow").and_then(|w| string_field(w, "Status")),
    );
    push(facts, "Product", string_field(finding, "ProductName"));
    push(facts, "Account", string_field(finding, "AwsAccountId"));
    if findings.len() > 1 {
        push(
            facts,
            "Findings",
            Some(format!(
                "{} in this event (the first is shown)",
                findings.len()
            )),
        );
    }
    event.description = str_field(finding, "Description").map(|d| cut_text(d, DESCRIPTION_CHARS));
    let region = str_field(finding, "Region")
        .unwrap_or(&event.region)
        .to_owned();
    event.console_url = Some(format!(
        "https://{}/securityhub/home?region={region}#/findings",
        console_host(&region)
    ));
    true
}

/// "CodePipeline Pipeline Execution State Change": the pipeline and its state, linked to the
/// execution in the CodePipeline console.
pub(super) fn codepipeline(event: &mut EventNotification, detail: &Map<String, Value>) -> bool {
    let (Some(pipeline), Some(state)) = (str_field(detail, "pipeline"), str_field(detail, "state"))
    else {
        return false;
    };
    event.kind = EventKind::CodePipelineExecution;
    event.title = cut_text(&format!("Pipeline {pipeline}: {state}"), FACT_CHARS);
    let execution = str_field(detail, "execution-id");
    let facts = &mut event.facts;
    push(facts, "Pipeline", Some(pipeline.to_owned()));
    push(facts, "State", Some(state.to_owned()));
    push(facts, "Execution", execution.map(str::to_owned));
    push(
        facts,
        "Trigger",
        object_field(detail, "execution-trigger").and_then(|t| string_field(t, "trigger-type")),
    );
    push(facts, "Version", detail.get("version").and_then(summary));
    let region = event.region.clone();
    let base = format!(
        "https://{}/codesuite/codepipeline/pipelines/{}",
        console_host(&region),
        encode(pipeline)
    );
    event.console_url = Some(match execution {
        Some(id) => format!("{base}/executions/{}/timeline?region={region}", encode(id)),
        None => format!("{base}/view?region={region}"),
    });
    true
}
