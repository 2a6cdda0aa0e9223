//! Endpoint resolution: explicit overrides (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`,
//! passed in as configuration) and botocore's `endpoints.json` (partitions, hostname
//! templates, global services with their credential scope). Pure: never reads the environment.

use std::collections::HashMap;

use serde_json::Value;

use crate::models::ServiceModel;

/// Where to send a service's requests and how to sign them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedEndpoint {
    /// `scheme://host[:port][/path]`, without a trailing slash.
    pub url: String,
    pub signing_region: String,
    /// A signing name from the endpoint's credential scope, when it overrides the model's.
    pub signing_name: Option<String>,
    /// True when the URL came from configuration rather than from `endpoints.json`.
    pub custom: bool,
}

/// botocore's environment key for a service: `serviceId` with spaces as underscores, upper
/// case (`CloudWatch Logs` → `CLOUDWATCH_LOGS`).
pub fn service_env_key(service_id: &str) -> String {
    service_id.replace(' ', "_").to_ascii_uppercase()
}

pub(crate) fn resolve_endpoint(
    endpoints: &Value,
    model: &ServiceModel,
    region: &str,
    endpoint_url: Option<&str>,
    service_endpoints: &HashMap<String, String>,
) -> ResolvedEndpoint {
    let service_key = service_env_key(&model.metadata.service_id);
    let custom = service_endpoints
        .get(&service_key)
        .map(String::as_str)
        .or(endpoint_url);
    if let Some(url) = custom {
        return ResolvedEndpoint {
            url: url.trim_end_matches('/').to_owned(),
            signing_region: region.to_owned(),
            signing_name: None,
            custom: true,
        };
    }
    let prefix = model.metadata.endpoint_prefix.as_str();
    let empty = Value::Object(Default::default());
    let partitions = endpoints["partitions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let partition = partitions
        .iter()
        .find(|p| p["regions"].get(region).is_some())
        .or_else(|| {
            partitions.iter().find(|p| {
                p["regionRegex"]
                    .as_str()
                    .and_then(|r| regex::Regex::new(r).ok())
                    .is_some_and(|r| r.is_match(region))
            })
        })
        .or(partitions.first())
        .unwrap_or(&empty);
    let service = partition["services"].get(prefix).unwrap_or(&empty);
    let entries = &service["endpoints"];
    let (entry, endpoint_name) = if let Some(entry) = entries.get(region) {
        (entry, region)
    } else if service["isRegionalized"] == Value::Bool(false) {
        match service["partitionEndpoint"].as_str() {
            Some(name) => (entries.get(name).unwrap_or(&empty), name),
            None => (&empty, region),
        }
    } else {
        (&empty, region)
    };
    let hostname = entry["hostname"]
        .as_str()
        .or(service["defaults"]["hostname"].as_str())
        .or(partition["defaults"]["hostname"].as_str())
        .unwrap_or("{service}.{region}.{dnsSuffix}");
    let dns_suffix = entry["dnsSuffix"]
        .as_str()
        .or(partition["dnsSuffix"].as_str())
        .unwrap_or("amazonaws.com");
    let host = hostname
        .replace("{service}", prefix)
        .replace("{region}", endpoint_name)
        .replace("{dnsSuffix}", dns_suffix);
    let scope = &entry["credentialScope"];
    ResolvedEndpoint {
        url: format!("https://{host}"),
        signing_region: scope["region"].as_str().unwrap_or(region).to_owned(),
        signing_name: scope["service"].as_str().map(str::to_owned),
        custom: false,
    }
}

/// Whether an S3 bucket can be a host name label (botocore's virtual-host check, with dots
/// refused because they break the TLS wildcard certificate).
pub(crate) fn is_virtual_host_bucket(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;

    fn check(service: &str, region: &str, url: &str, signing_region: &str) {
        let models = Models::global();
        let model = models.service(service).unwrap();
        let resolved = resolve_endpoint(models.endpoints(), &model, region, None, &HashMap::new());
        assert_eq!(resolved.url, url, "{service} in {region}");
        assert_eq!(
            resolved.signing_region, signing_region,
            "{service} in {region}"
        );
        assert!(!resolved.custom);
    }

    #[test]
    fn regional_and_global_endpoints() {
        check(
            "cloudwatch",
            "eu-west-1",
            "https://monitoring.eu-west-1.amazonaws.com",
            "eu-west-1",
        );
        check(
            "logs",
            "us-east-1",
            "https://logs.us-east-1.amazonaws.com",
            "us-east-1",
        );
        check("iam", "eu-west-1", "https://iam.amazonaws.com", "us-east-1");
        check(
            "route53",
            "ap-southeast-2",
            "https://route53.amazonaws.com",
            "us-east-1",
        );
        check(
            "cloudfront",
            "eu-central-1",
            "https://cloudfront.amazonaws.com",
            "us-east-1",
        );
        check(
            "sts",
            "eu-west-1",
            "https://sts.eu-west-1.amazonaws.com",
            "eu-west-1",
        );
        check(
            "ec2",
            "cn-north-1",
            "https://ec2.cn-north-1.amazonaws.com.cn",
            "cn-north-1",
        );
        check(
            "s3api",
            "eu-west-1",
            "https://s3.eu-west-1.amazonaws.com",
            "eu-west-1",
        );
    }

    #[test]
    fn configured_endpoints_win_service_first() {
        let models = Models::global();
        let logs = models.service("logs").unwrap();
        let mut per_service = HashMap::new();
        per_service.insert(
            "CLOUDWATCH_LOGS".to_owned(),
            "http://127.0.0.1:9/".to_owned(),
        );
        let resolved = resolve_endpoint(
            models.endpoints(),
            &logs,
            "eu-west-1",
            Some("http://127.0.0.1:5000"),
            &per_service,
        );
        assert_eq!(resolved.url, "http://127.0.0.1:9");
        assert!(resolved.custom);
        let ec2 = models.service("ec2").unwrap();
        let resolved = resolve_endpoint(
            models.endpoints(),
            &ec2,
            "eu-west-1",
            Some("http://127.0.0.1:5000"),
            &per_service,
        );
        assert_eq!(resolved.url, "http://127.0.0.1:5000");
        assert_eq!(resolved.signing_region, "eu-west-1");
        assert_eq!(service_env_key("CloudWatch Logs"), "CLOUDWATCH_LOGS");
        assert_eq!(service_env_key("S3"), "S3");
    }

    #[test]
    fn s3_virtual_host_buckets() {
        assert!(is_virtual_host_bucket("my-bucket-1"));
        assert!(!is_virtual_host_bucket("My_Bucket"));
        assert!(!is_virtual_host_bucket("with.dots"));
        assert!(!is_virtual_host_bucket("ab"));
    }
}
