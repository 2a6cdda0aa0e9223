//! Endpoint resolution: explicit overrides (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`,
//! passed in as configuration) and botocore's `endpoints.json` (partitions, hostname
//! templates, global services with their credential scope). Pure: never reads the environment.
//! `endpoints.json` is read into a typed [`EndpointIndex`] once per process, and only when a
//! call has no configured endpoint (a local endpoint never pays for it).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

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

/// The parts of `endpoints.json` resolution reads, typed: built once, then every lookup is a
/// few map reads (no copy of the partition data, no regular expression compiled per call).
#[derive(Debug, Deserialize)]
pub(crate) struct EndpointIndex {
    partitions: Vec<Partition>,
}

#[derive(Debug, Deserialize)]
struct Partition {
    #[serde(default)]
    defaults: Defaults,
    #[serde(rename = "dnsSuffix")]
    dns_suffix: String,
    #[serde(rename = "regionRegex")]
    region_regex: String,
    /// `regionRegex` compiled on first need: most lookups find the region among `regions`.
    #[serde(skip)]
    compiled_regex: OnceLock<Option<regex::Regex>>,
    #[serde(default)]
    regions: HashMap<String, serde::de::IgnoredAny>,
    #[serde(default)]
    services: HashMap<String, ServiceEndpoints>,
}

#[derive(Debug, Default, Deserialize)]
struct Defaults {
    hostname: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ServiceEndpoints {
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    endpoints: HashMap<String, EndpointEntry>,
    #[serde(rename = "isRegionalized", default = "regionalized")]
    is_regionalized: bool,
    #[serde(rename = "partitionEndpoint")]
    partition_endpoint: Option<String>,
}

fn regionalized() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
struct EndpointEntry {
    hostname: Option<String>,
    #[serde(rename = "dnsSuffix")]
    dns_suffix: Option<String>,
    #[serde(rename = "credentialScope", default)]
    credential_scope: CredentialScope,
}

#[derive(Debug, Default, Deserialize)]
struct CredentialScope {
    region: Option<String>,
    service: Option<String>,
}

impl Partition {
    fn matches_region_regex(&self, region: &str) -> bool {
        self.compiled_regex
            .get_or_init(|| regex::Regex::new(&self.region_regex).ok())
            .as_ref()
            .is_some_and(|regex| regex.is_match(region))
    }
}

impl EndpointIndex {
    /// The index of the embedded `endpoints.json`, built on first use.
    pub(crate) fn global() -> &'static EndpointIndex {
        static INDEX: OnceLock<EndpointIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            let json =
                crate::models::endpoints_json().expect("the embedded endpoints.json.gz inflates");
            serde_json::from_slice(&json).expect("the embedded endpoints.json parses")
        })
    }

    /// The partition a region belongs to: the one listing it, else the first whose
    /// `regionRegex` matches, else the first (`aws`), as botocore's resolver does.
    fn partition(&self, region: &str) -> Option<&Partition> {
        self.partitions
            .iter()
            .find(|p| p.regions.contains_key(region))
            .or_else(|| {
                self.partitions
                    .iter()
                    .find(|p| p.matches_region_regex(region))
            })
            .or(self.partitions.first())
    }

    /// The endpoint of `endpoint_prefix` in `region` from `endpoints.json`.
    fn resolve(&self, endpoint_prefix: &str, region: &str) -> ResolvedEndpoint {
        let no_entry = EndpointEntry::default();
        let no_service = ServiceEndpoints::default();
        let partition = self.partition(region);
        let service = partition
            .and_then(|p| p.services.get(endpoint_prefix))
            .unwrap_or(&no_service);
        let (entry, endpoint_name) = if let Some(entry) = service.endpoints.get(region) {
            (entry, region)
        } else if !service.is_regionalized {
            match service.partition_endpoint.as_deref() {
                Some(name) => (service.endpoints.get(name).unwrap_or(&no_entry), name),
                None => (&no_entry, region),
            }
        } else {
            (&no_entry, region)
        };
        let hostname = entry
            .hostname
            .as_deref()
            .or(service.defaults.hostname.as_deref())
            .or(partition.and_then(|p| p.defaults.hostname.as_deref()))
            .unwrap_or("{service}.{region}.{dnsSuffix}");
        let dns_suffix = entry
            .dns_suffix
            .as_deref()
            .or(partition.map(|p| p.dns_suffix.as_str()))
            .unwrap_or("amazonaws.com");
        let host = hostname
            .replace("{service}", endpoint_prefix)
            .replace("{region}", endpoint_name)
            .replace("{dnsSuffix}", dns_suffix);
        ResolvedEndpoint {
            url: format!("https://{host}"),
            signing_region: entry
                .credential_scope
                .region
                .clone()
                .unwrap_or_else(|| region.to_owned()),
            signing_name: entry.credential_scope.service.clone(),
            custom: false,
        }
    }
}

/// The endpoint of `model`'s service in `region`: a configured one (per service first), else
/// the one `endpoints.json` gives (the index is built on the first such call).
pub(crate) fn resolve_endpoint(
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
    EndpointIndex::global().resolve(&model.metadata.endpoint_prefix, region)
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
        let resolved = resolve_endpoint(&model, region, None, &HashMap::new());
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
        // Regions endpoints.json does not list yet: the partition whose regionRegex matches.
        check(
            "cloudwatch",
            "cn-southwest-7",
            "https://monitoring.cn-southwest-7.amazonaws.com.cn",
            "cn-southwest-7",
        );
        check(
            "logs",
            "eu-future-9",
            "https://logs.eu-future-9.amazonaws.com",
            "eu-future-9",
        );
    }

    /// The index is built once: every lookup reads the same one.
    #[test]
    fn the_index_is_built_once() {
        assert!(std::ptr::eq(
            EndpointIndex::global(),
            EndpointIndex::global()
        ));
        assert!(EndpointIndex::global().partitions.len() >= 3);
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
            &logs,
            "eu-west-1",
            Some("http://127.0.0.1:5000"),
            &per_service,
        );
        assert_eq!(resolved.url, "http://127.0.0.1:9");
        assert!(resolved.custom);
        let ec2 = models.service("ec2").unwrap();
        let resolved = resolve_endpoint(
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
