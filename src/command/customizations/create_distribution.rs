//! `cloudfront create-distribution --origin-domain-name D [--default-root-object O]` (awscli
//! `cloudfront.py`): the CLI builds a whole `DistributionConfig` from the domain name (one
//! origin, a default cache behavior that forwards nothing, enabled), so `--distribution-config`
//! is then optional and cannot be combined with them. Its `CallerReference` and origin id end
//! in the time and a random number, as the CLI's `unique_string` makes them: the invocation
//! keeps them, so a confirmed or retried call sends the same ones.
//!
//! `update-distribution --default-root-object` is refused with the way to do it: the CLI
//! reads the distribution's config first (a GetDistributionConfig call), which a parsed
//! command cannot do.

use rand::Rng;
use serde_json::{json, Map, Value};

use super::super::CommandError;

/// One option of the customization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum DistributionOption {
    OriginDomainName,
    DefaultRootObject,
}

/// The options in the CLI's order (the order it adds them to the request).
pub(super) const OPTIONS: [(&str, DistributionOption); 2] = [
    ("origin-domain-name", DistributionOption::OriginDomainName),
    ("default-root-object", DistributionOption::DefaultRootObject),
];

/// `update-distribution`'s CLI option the bot does not offer, and what to do instead.
pub(super) const UPDATE_REMOVED: [(&str, &str); 1] = [(
    "default-root-object",
    "the AWS CLI first reads the distribution's whole config (get-distribution-config) and \
     sends it back with the new root object, a second call the bot does not make for you. Run \
     `cloudfront get-distribution-config --id ID`, then `cloudfront update-distribution --id ID \
     --if-match ETAG --distribution-config '<that config with DefaultRootObject set>'`",
)];

/// Fills `DistributionConfig` from the options given (`given` in the order typed), with the
/// time and random numbers of the CLI's unique strings.
pub(super) fn apply(
    params: &mut Map<String, Value>,
    given: Vec<(String, DistributionOption, Vec<String>)>,
) -> Result<(), CommandError> {
    let caller_reference = format!("cli-{}", unique_suffix());
    let origin_suffix = unique_suffix();
    build(params, given, &caller_reference, &origin_suffix)
}

/// The part of the CLI's `unique_string` after its prefix: `<time>-<n>`, the time in seconds
/// and a random number from 1 to 1,000,000.
pub(super) fn unique_suffix() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let random = rand::thread_rng().gen_range(1..=1_000_000u32);
    format!("{now}-{random}")
}

/// [`apply`] with the unique parts given: `caller_reference` (`cli-<time>-<n>`) and the
/// suffix of the origin id (`<time>-<n>`).
fn build(
    params: &mut Map<String, Value>,
    mut given: Vec<(String, DistributionOption, Vec<String>)>,
    caller_reference: &str,
    origin_suffix: &str,
) -> Result<(), CommandError> {
    given.sort_by_key(|(_, option, _)| OPTIONS.iter().position(|(_, o)| o == option));
    if let Some((name, _, _)) = given.first() {
        if params.contains_key("DistributionConfig") {
            return Err(CommandError::OptionConflict {
                option: name.clone(),
                other: "distribution-config".to_owned(),
                hint: "give the whole config with --distribution-config, or let \
                       --origin-domain-name and --default-root-object build it"
                    .to_owned(),
            });
        }
    }
    for (name, option, words) in given {
        let value = one_word(&name, option, words)?;
        let config = match params
            .entry("DistributionConfig")
            .or_insert_with(|| template(caller_reference))
        {
            Value::Object(config) => config,
            _ => unreachable!("the template is an object"),
        };
        match option {
            DistributionOption::OriginDomainName => {
                let origin_id = format!("{value}-{origin_suffix}");
                let mut origin = Map::new();
                origin.insert("Id".to_owned(), Value::String(origin_id.clone()));
                origin.insert("DomainName".to_owned(), Value::String(value.clone()));
                origin.insert("OriginPath".to_owned(), Value::String(String::new()));
                // CloudFront treats GovCloud S3 buckets as custom domains, so only this
                // suffix means an S3 origin (as in the CLI).
                if value.ends_with(".s3.amazonaws.com") {
                    origin.insert(
                        "S3OriginConfig".to_owned(),
                        json!({"OriginAccessIdentity": ""}),
                    );
                } else {
                    origin.insert(
                        "CustomOriginConfig".to_owned(),
                        json!({"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}),
                    );
                }
                config.insert(
                    "Origins".to_owned(),
                    json!({"Quantity": 1, "Items": [Value::Object(origin)]}),
                );
                if let Some(Value::Object(behavior)) = config.get_mut("DefaultCacheBehavior") {
                    behavior.insert("TargetOriginId".to_owned(), Value::String(origin_id));
                }
            }
            DistributionOption::DefaultRootObject => {
                config.insert("DefaultRootObject".to_owned(), Value::String(value));
            }
        }
    }
    Ok(())
}

/// The CLI's `distribution_config_template`, in its key order.
fn template(caller_reference: &str) -> Value {
    json!({
        "CallerReference": caller_reference,
        "Origins": {"Quantity": 0, "Items": []},
        "DefaultCacheBehavior": {
            "TargetOriginId": "placeholder",
            "ForwardedValues": {
                "QueryString": false,
                "Cookies": {"Forward": "none"}
            },
            "TrustedSigners": {"Enabled": false, "Quantity": 0},
            "ViewerProtocolPolicy": "allow-all",
            "MinTTL": 0
        },
        "Enabled": true,
        "Comment": ""
    })
}

/// The single word of an option.
fn one_word(
    name: &str,
    option: DistributionOption,
    words: Vec<String>,
) -> Result<String, CommandError> {
    let expected = match option {
        DistributionOption::OriginDomainName => {
            "the origin's domain name, like my-bucket.s3.amazonaws.com or example.com"
        }
        DistributionOption::DefaultRootObject => "an object name, like index.html",
    };
    super::single_word(name, words, expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_the_cli_template_with_the_origin() {
        let mut params = Map::new();
        build(
            &mut params,
            vec![
                (
                    "default-root-object".into(),
                    DistributionOption::DefaultRootObject,
                    vec!["index.html".into()],
                ),
                (
                    "origin-domain-name".into(),
                    DistributionOption::OriginDomainName,
                    vec!["site.s3.amazonaws.com".into()],
                ),
            ],
            "cli-1700000000-42",
            "1700000000-7",
        )
        .unwrap();
        let expected = json!({"DistributionConfig": {
            "CallerReference": "cli-1700000000-42",
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "site.s3.amazonaws.com-1700000000-7",
                "DomainName": "site.s3.amazonaws.com",
                "OriginPath": "",
                "S3OriginConfig": {"OriginAccessIdentity": ""}
            }]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site.s3.amazonaws.com-1700000000-7",
                "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": false, "Quantity": 0},
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0
            },
            "Enabled": true,
            "Comment": "",
            "DefaultRootObject": "index.html"
        }});
        assert_eq!(Value::Object(params.clone()), expected);
        // The key order is the CLI's too (the request body follows it).
        let keys: Vec<&String> = params["DistributionConfig"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            [
                "CallerReference",
                "Origins",
                "DefaultCacheBehavior",
                "Enabled",
                "Comment",
                "DefaultRootObject"
            ]
        );
    }
}
