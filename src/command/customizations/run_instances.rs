//! `ec2 run-instances` shortcuts (awscli `ec2/runinstances.py`): `--secondary-private-ip-
//! addresses`, `--secondary-private-ip-address-count` and `--[no-]associate-public-ip-address`
//! build the first network interface, and then the instance-level subnet, security groups,
//! private and IPv6 addresses move into it, as the CLI does before it builds the request.
//! `--count N` or `--count MIN:MAX` (`ec2/addcount.py`) replaces the model's `--min-count`
//! and `--max-count`, which the CLI removes; both counts default to 1.

use serde_json::{Map, Value};

use super::super::CommandError;
use super::Arity;

/// One option of the customization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum RunInstancesOption {
    SecondaryPrivateIpAddresses,
    SecondaryPrivateIpAddressCount,
    AssociatePublicIpAddress,
    NoAssociatePublicIpAddress,
    Count,
}

/// The model's options the CLI removes from `run-instances`, and why.
pub(super) const REMOVED: [(&str, &str); 2] =
    [("min-count", COUNT_INSTEAD), ("max-count", COUNT_INSTEAD)];

const COUNT_INSTEAD: &str = "the AWS CLI's run-instances takes --count instead: `--count 2` \
                             launches 2, `--count 1:3` at least 1 and up to 3 (1 when not given)";

pub(super) const OPTIONS: [(&str, RunInstancesOption); 5] = [
    ("count", RunInstancesOption::Count),
    (
        "secondary-private-ip-addresses",
        RunInstancesOption::SecondaryPrivateIpAddresses,
    ),
    (
        "secondary-private-ip-address-count",
        RunInstancesOption::SecondaryPrivateIpAddressCount,
    ),
    (
        "associate-public-ip-address",
        RunInstancesOption::AssociatePublicIpAddress,
    ),
    (
        "no-associate-public-ip-address",
        RunInstancesOption::NoAssociatePublicIpAddress,
    ),
];

impl RunInstancesOption {
    pub(super) fn arity(self) -> Arity {
        match self {
            RunInstancesOption::SecondaryPrivateIpAddresses => Arity::Many,
            RunInstancesOption::SecondaryPrivateIpAddressCount | RunInstancesOption::Count => {
                Arity::One
            }
            RunInstancesOption::AssociatePublicIpAddress
            | RunInstancesOption::NoAssociatePublicIpAddress => Arity::Flag,
        }
    }
}

/// The members of the first network interface that make the CLI move the instance-level
/// settings into it.
const INTERFACE_SHORTCUTS: [&str; 3] = [
    "PrivateIpAddresses",
    "SecondaryPrivateIpAddressCount",
    "AssociatePublicIpAddress",
];

/// Builds the first network interface from the options given.
pub(super) fn apply(
    params: &mut Map<String, Value>,
    given: Vec<(String, RunInstancesOption, Vec<String>)>,
) -> Result<(), CommandError> {
    // The CLI refuses a shortcut that sets something beside `--network-interfaces` (no
    // address, a count of 0 and `--no-associate-public-ip-address` set nothing there).
    if params.contains_key("NetworkInterfaces") {
        let sets_something =
            |(_, option, words): &&(String, RunInstancesOption, Vec<String>)| match option {
                RunInstancesOption::SecondaryPrivateIpAddresses => !words.is_empty(),
                RunInstancesOption::SecondaryPrivateIpAddressCount => {
                    words.first().is_some_and(|count| count.trim() != "0")
                }
                RunInstancesOption::AssociatePublicIpAddress => true,
                RunInstancesOption::NoAssociatePublicIpAddress | RunInstancesOption::Count => false,
            };
        if let Some((name, _, _)) = given.iter().find(sets_something) {
            return Err(CommandError::OptionConflict {
                option: name.clone(),
                other: "network-interfaces".to_owned(),
                hint: "mixing --network-interfaces with the simple, scalar options is not \
                       supported; put the setting inside --network-interfaces instead"
                    .to_owned(),
            });
        }
    }
    // As with argparse, the later of --associate-public-ip-address and its --no- twin wins.
    for (name, option, words) in given {
        match option {
            RunInstancesOption::Count => {
                let (min, max) = parse_count(&words).ok_or_else(|| CommandError::InvalidValue {
                    option: name,
                    path: String::new(),
                    problem: format!("'{}' is not a count", words.join(" ")),
                    expected: "min[:max], like 1 or 1:10".to_owned(),
                })?;
                params.insert("MinCount".to_owned(), min.into());
                params.insert("MaxCount".to_owned(), max.into());
            }
            RunInstancesOption::SecondaryPrivateIpAddresses => {
                // `nargs='*'`: no address adds nothing, as in the CLI.
                if words.is_empty() {
                    continue;
                }
                let addresses = words
                    .into_iter()
                    .map(|address| {
                        let mut entry = Map::new();
                        entry.insert("PrivateIpAddress".to_owned(), Value::String(address));
                        entry.insert("Primary".to_owned(), Value::Bool(false));
                        Value::Object(entry)
                    })
                    .collect();
                let interface = first_interface(params);
                interface
                    .entry("PrivateIpAddresses")
                    .or_insert(Value::Array(addresses));
            }
            RunInstancesOption::SecondaryPrivateIpAddressCount => {
                let count = match words.as_slice() {
                    [word] => word.trim().parse::<i64>().ok(),
                    _ => None,
                };
                let Some(count) = count else {
                    return Err(CommandError::InvalidValue {
                        option: name,
                        path: String::new(),
                        problem: format!("'{}' is not a whole number", words.join(" ")),
                        expected: "a whole number of addresses, like 2".to_owned(),
                    });
                };
                // The CLI leaves a count of 0 out.
                if count != 0 {
                    first_interface(params)
                        .insert("SecondaryPrivateIpAddressCount".to_owned(), count.into());
                }
            }
            RunInstancesOption::AssociatePublicIpAddress
            | RunInstancesOption::NoAssociatePublicIpAddress => {
                if let Some(value) = words.into_iter().next() {
                    return Err(CommandError::FlagWithValue {
                        option: name,
                        value,
                    });
                }
                let associate = option == RunInstancesOption::AssociatePublicIpAddress;
                first_interface(params)
                    .insert("AssociatePublicIpAddress".to_owned(), associate.into());
            }
        }
    }
    Ok(())
}

/// `N` (both counts) or `MIN:MAX`, as the CLI's `CountArgument` reads it.
fn parse_count(words: &[String]) -> Option<(i64, i64)> {
    let [word] = words else { return None };
    let (min, max) = word.split_once(':').unwrap_or((word, word));
    Some((min.trim().parse().ok()?, max.trim().parse().ok()?))
}

/// The CLI's default of one instance when `--count` is not given.
pub(super) fn default_count(params: &mut Map<String, Value>) {
    params.entry("MinCount").or_insert(1.into());
    params.entry("MaxCount").or_insert(1.into());
}

/// `--count` as the canonical command line prints MinCount and MaxCount: `2`, or `1:3`.
pub(in crate::command) fn count_word(min: &Value, max: &Value) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}:{max}")
    }
}

/// The first network interface, created as `{"DeviceIndex": 0}` when there is none.
fn first_interface(params: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let interfaces = params
        .entry("NetworkInterfaces")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !interfaces.is_array() {
        *interfaces = Value::Array(Vec::new());
    }
    let Value::Array(list) = interfaces else {
        unreachable!("made an array above")
    };
    if !list.first().is_some_and(Value::is_object) {
        let mut interface = Map::new();
        interface.insert("DeviceIndex".to_owned(), 0.into());
        list.insert(0, Value::Object(interface));
    }
    match list.first_mut() {
        Some(Value::Object(interface)) => interface,
        _ => unreachable!("the first interface is an object"),
    }
}

/// When the first network interface carries one of the shortcuts (given by the options or
/// inside `--network-interfaces`), the instance-level subnet, security groups, primary private
/// address and IPv6 settings move into it (RunInstances refuses them beside an interface).
pub(super) fn move_into_network_interface(params: &mut Map<String, Value>) {
    let has_shortcut = match params.get("NetworkInterfaces") {
        Some(Value::Array(list)) => list.first().is_some_and(|first| {
            INTERFACE_SHORTCUTS
                .iter()
                .any(|member| first.get(member).is_some())
        }),
        _ => false,
    };
    if !has_shortcut {
        return;
    }
    let subnet = params.shift_remove("SubnetId");
    let groups = params.shift_remove("SecurityGroupIds");
    let private_address = params.shift_remove("PrivateIpAddress");
    let ipv6: Vec<(&str, Value)> = [
        ("Ipv6AddressCount", "Ipv6AddressCount"),
        ("Ipv6Addresses", "Ipv6Addresses"),
        ("EnablePrimaryIpv6", "PrimaryIpv6"),
    ]
    .into_iter()
    .filter_map(|(from, to)| params.shift_remove(from).map(|value| (to, value)))
    .collect();
    // In the CLI's order: subnet, groups, the primary address, then IPv6.
    let interface = first_interface(params);
    if let Some(subnet) = subnet {
        interface.insert("SubnetId".to_owned(), subnet);
    }
    if let Some(groups) = groups {
        interface.insert("Groups".to_owned(), groups);
    }
    if let Some(address) = private_address {
        let mut entry = Map::new();
        entry.insert("PrivateIpAddress".to_owned(), address);
        entry.insert("Primary".to_owned(), Value::Bool(true));
        interface.insert(
            "PrivateIpAddresses".to_owned(),
            Value::Array(vec![Value::Object(entry)]),
        );
    }
    for (to, value) in ipv6 {
        interface.insert(to.to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("an object"),
        }
    }

    #[test]
    fn shortcuts_build_the_first_interface_and_move_the_instance_settings_into_it() {
        let mut params = object(json!({
            "ImageId": "ami-1", "SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"],
            "PrivateIpAddress": "10.0.0.5"
        }));
        apply(
            &mut params,
            vec![
                (
                    "secondary-private-ip-addresses".into(),
                    RunInstancesOption::SecondaryPrivateIpAddresses,
                    vec!["10.0.0.6".into(), "10.0.0.7".into()],
                ),
                (
                    "associate-public-ip-address".into(),
                    RunInstancesOption::AssociatePublicIpAddress,
                    vec![],
                ),
            ],
        )
        .unwrap();
        move_into_network_interface(&mut params);
        // The primary address given at the instance level replaces the secondary ones, as
        // the CLI's `_fix_args` does.
        assert_eq!(
            Value::Object(params),
            json!({
                "ImageId": "ami-1",
                "NetworkInterfaces": [{
                    "DeviceIndex": 0,
                    "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5", "Primary": true}],
                    "AssociatePublicIpAddress": true,
                    "SubnetId": "subnet-1",
                    "Groups": ["sg-1"]
                }]
            })
        );
    }

    #[test]
    fn count_is_one_number_or_a_range_and_anything_else_is_refused() {
        let count = |word: &str| {
            let mut params = Map::new();
            apply(
                &mut params,
                vec![("count".into(), RunInstancesOption::Count, vec![word.into()])],
            )
            .map(|()| (params["MinCount"].clone(), params["MaxCount"].clone()))
        };
        assert_eq!(count("2").unwrap(), (json!(2), json!(2)));
        assert_eq!(count("1:3").unwrap(), (json!(1), json!(3)));
        for bad in ["", "two", "1:", "1:2:3"] {
            let error = count(bad).unwrap_err().to_string();
            assert!(error.contains("min[:max]"), "{bad}: {error}");
        }
        let mut params = object(json!({"MinCount": 2}));
        default_count(&mut params);
        assert_eq!(Value::Object(params), json!({"MinCount": 2, "MaxCount": 1}));
        assert_eq!(count_word(&json!(2), &json!(2)), "2");
        assert_eq!(count_word(&json!(1), &json!(3)), "1:3");
    }

    #[test]
    fn a_count_of_zero_and_no_shortcut_change_nothing() {
        let mut params = object(json!({"ImageId": "ami-1", "SubnetId": "subnet-1"}));
        apply(
            &mut params,
            vec![(
                "secondary-private-ip-address-count".into(),
                RunInstancesOption::SecondaryPrivateIpAddressCount,
                vec!["0".into()],
            )],
        )
        .unwrap();
        move_into_network_interface(&mut params);
        assert_eq!(
            Value::Object(params),
            json!({"ImageId": "ami-1", "SubnetId": "subnet-1"})
        );
    }

    #[test]
    fn a_shortcut_beside_network_interfaces_is_refused_and_the_last_flag_wins() {
        let mut params = object(json!({"NetworkInterfaces": [{"DeviceIndex": 0}]}));
        let error = apply(
            &mut params,
            vec![(
                "associate-public-ip-address".into(),
                RunInstancesOption::AssociatePublicIpAddress,
                vec![],
            )],
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("--network-interfaces"),
            "{error}"
        );
        let mut params = Map::new();
        apply(
            &mut params,
            vec![
                (
                    "associate-public-ip-address".into(),
                    RunInstancesOption::AssociatePublicIpAddress,
                    vec![],
                ),
                (
                    "no-associate-public-ip-address".into(),
                    RunInstancesOption::NoAssociatePublicIpAddress,
                    vec![],
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            params["NetworkInterfaces"][0]["AssociatePublicIpAddress"],
            false
        );
    }
}
