//! The input handlers botocore registers, which the AWS CLI therefore applies before it
//! serialises a request: idempotency tokens filled in for every service, and fixes for single
//! services. Pure: rewrites parameters only.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::models::{Operation, ServiceModel};

/// botocore fills top-level idempotency tokens the caller left out with a UUID.
pub(super) fn with_idempotency_tokens(
    model: &ServiceModel,
    operation: &Operation,
    params: &Map<String, Value>,
) -> Map<String, Value> {
    let mut params = params.clone();
    if let Some(input) = model.input_shape(operation) {
        for (name, member) in &input.members {
            if member.idempotency_token && !params.contains_key(name) {
                params.insert(
                    name.clone(),
                    Value::String(uuid::Uuid::new_v4().to_string()),
                );
            }
        }
    }
    params
}

/// The input handlers botocore registers for single services, which the AWS CLI therefore
/// applies: Route 53 ids are accepted with their `/hostedzone/` (`/change/`,
/// `/delegationset/`) prefix, as other Route 53 operations return them (`fix_route53_ids`).
pub(super) fn service_input_fixes<'p>(
    model: &ServiceModel,
    operation: &Operation,
    params: &'p Map<String, Value>,
) -> Cow<'p, Map<String, Value>> {
    if model.metadata.endpoint_prefix != "route53" {
        return Cow::Borrowed(params);
    }
    let Some(input) = model.input_shape(operation) else {
        return Cow::Borrowed(params);
    };
    let mut fixed = params.clone();
    for (name, member) in &input.members {
        if !matches!(
            member.shape.as_str(),
            "ResourceId" | "DelegationSetId" | "ChangeId"
        ) {
            continue;
        }
        if let Some(Value::String(id)) = fixed.get_mut(name) {
            if let Some(last) = id.rsplit('/').next() {
                *id = last.to_owned();
            }
        }
    }
    Cow::Owned(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;

    #[test]
    fn missing_idempotency_tokens_get_a_uuid_and_given_ones_stay() {
        let model = Models::global().service("ec2").unwrap();
        let operation = &model.operations["RunInstances"];
        let filled = with_idempotency_tokens(&model, operation, &Map::new());
        let token = filled["ClientToken"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(token).is_ok(), "{token}");
        let mut given = Map::new();
        given.insert("ClientToken".into(), Value::String("mine".into()));
        let kept = with_idempotency_tokens(&model, operation, &given);
        assert_eq!(kept["ClientToken"], "mine");
    }
}
