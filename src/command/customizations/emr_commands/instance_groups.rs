//! `instancegroupsutils.py` and `instancefleetsutils.py`: the instance groups and fleets of
//! `add-instance-groups` and `create-cluster`.

use super::*;

/// `instancegroupsutils.build_instance_groups`.
pub(in crate::command) fn build_instance_groups(
    groups: &[Value],
) -> Result<Vec<Value>, CommandError> {
    let mut built = Vec::new();
    for group in groups {
        let group = group.as_object().cloned().unwrap_or_default();
        // The CLI reads these keys without a default (a Python KeyError); say which is missing.
        for key in ["InstanceGroupType", "InstanceType", "InstanceCount"] {
            if !group.contains_key(key) {
                return Err(usage(format!(
                    "The following required parameters are missing for InstanceGroupConfig: \
                     {key}."
                )));
            }
        }
        let role = text_of(&group["InstanceGroupType"]);
        let mut config = Map::new();
        config.insert(
            "Name".into(),
            group
                .get("Name")
                .cloned()
                .unwrap_or_else(|| Value::String(role.clone())),
        );
        config.insert("InstanceType".into(), group["InstanceType"].clone());
        config.insert("InstanceCount".into(), group["InstanceCount"].clone());
        config.insert("InstanceRole".into(), Value::String(role.to_uppercase()));
        match group.get("BidPrice") {
            Some(price) => {
                if price != "OnDemandPrice" {
                    config.insert("BidPrice".into(), price.clone());
                }
                config.insert("Market".into(), Value::from("SPOT"));
            }
            None => {
                config.insert("Market".into(), Value::from("ON_DEMAND"));
            }
        }
        for key in [
            "EbsConfiguration",
            "AutoScalingPolicy",
            "Configurations",
            "CustomAmiId",
        ] {
            if let Some(value) = group.get(key) {
                config.insert(key.into(), value.clone());
            }
        }
        built.push(Value::Object(config));
    }
    Ok(built)
}

/// `instancegroupsutils._build_instance_group`.
pub(super) fn shortcut_group(instance_type: &Value, count: i64, role: &str) -> Value {
    let mut config = Map::new();
    config.insert("InstanceType".into(), instance_type.clone());
    config.insert("InstanceCount".into(), Value::from(count));
    config.insert("InstanceRole".into(), Value::from(role));
    config.insert("Name".into(), Value::from(role));
    config.insert("Market".into(), Value::from("ON_DEMAND"));
    Value::Object(config)
}

/// `instancefleetsutils.validate_and_build_instance_fleets`.
pub(super) fn build_instance_fleets(fleets: &Value) -> Value {
    let built = fleets
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|fleet| {
            let mut config = Map::new();
            let fleet_type = fleet
                .get("InstanceFleetType")
                .cloned()
                .unwrap_or(Value::Null);
            config.insert(
                "Name".into(),
                fleet
                    .get("Name")
                    .cloned()
                    .unwrap_or_else(|| fleet_type.clone()),
            );
            config.insert("InstanceFleetType".into(), fleet_type);
            for key in [
                "TargetOnDemandCapacity",
                "TargetSpotCapacity",
                "InstanceTypeConfigs",
            ] {
                if let Some(value) = fleet.get(key) {
                    config.insert(key.into(), value.clone());
                }
            }
            for (key, inner) in [
                (
                    "LaunchSpecifications",
                    ["SpotSpecification", "OnDemandSpecification"],
                ),
                (
                    "ResizeSpecifications",
                    ["SpotResizeSpecification", "OnDemandResizeSpecification"],
                ),
            ] {
                if let Some(spec) = fleet.get(key) {
                    let mut out = Map::new();
                    for name in inner {
                        if let Some(value) = spec.get(name) {
                            out.insert(name.into(), value.clone());
                        }
                    }
                    config.insert(key.into(), Value::Object(out));
                }
            }
            if let Some(value) = fleet.get("Context") {
                config.insert("Context".into(), value.clone());
            }
            Value::Object(config)
        })
        .collect();
    Value::Array(built)
}
