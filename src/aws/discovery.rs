//! Endpoint discovery (botocore's `discovery.py`): Timestream's operations must be sent to
//! the endpoint its `DescribeEndpoints` names for the caller (a "cell" of the service), not to
//! the Region's endpoint. Discovered endpoints are kept for the period the answer gives, per
//! service, Region and access key (botocore keeps them per client, and a client has one set
//! of credentials); a failed discovery is not retried for a minute, and a stale endpoint is
//! used meanwhile; an answer of 421 or `InvalidEndpointException` forgets the endpoint.
//!
//! The embedded models keep no `endpointdiscovery` flags: the services whose operations
//! require discovery are named here (botocore 1.45's models: every operation of
//! `timestream-query` and `timestream-write` but `DescribeEndpoints`). DynamoDB's discovery is
//! optional and, as in botocore by default, not done. As in botocore, a configured endpoint
//! (`AWS_ENDPOINT_URL`) is asked too: only an explicit `--endpoint-url`, which the bot and
//! `exec` refuse, turns discovery off; `AWS_ENABLE_ENDPOINT_DISCOVERY=false` refuses the
//! operations that need it, with botocore's sentence.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::models::ServiceModel;

/// The discovery operation of the services that have one.
pub(super) const OPERATION: &str = "DescribeEndpoints";
/// botocore's pause after a failed discovery.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);
/// Endpoints kept at most (one per service, Region and access key in use).
const MAX_ENTRIES: usize = 1024;
/// The longest period an answer may ask its endpoint to be kept (botocore keeps whatever the
/// service says; Timestream says 1,440 minutes).
const MAX_CACHE_PERIOD: Duration = Duration::from_secs(24 * 3600);

/// botocore's `EndpointDiscoveryRefreshFailed`.
pub(super) const REFRESH_FAILED: &str =
    "Endpoint Discovery failed to refresh the required endpoints.";
/// botocore's `EndpointDiscoveryRequired`.
pub(super) const REQUIRED_BUT_OFF: &str =
    "Endpoint Discovery is not enabled but this operation requires it.";

/// Whether `operation_key` of `model`'s service must be sent to a discovered endpoint.
pub(super) fn required(model: &ServiceModel, operation_key: &str) -> bool {
    operation_key != OPERATION
        && matches!(
            model.metadata.service_id.as_str(),
            "Timestream Query" | "Timestream Write"
        )
}

/// The endpoint of a `DescribeEndpoints` answer (its first, as botocore selects), with how
/// long to keep it; `None` when the answer names none or names something that is not a
/// host. An address without a scheme is reached over HTTPS.
pub(super) fn endpoint_of(answer: &Value) -> Option<(String, Duration)> {
    let first = answer.get("Endpoints")?.as_array()?.first()?;
    let address = first.get("Address")?.as_str()?.trim();
    let minutes = first
        .get("CachePeriodInMinutes")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let url = if address.starts_with("http") {
        address.trim_end_matches('/').to_owned()
    } else {
        format!("https://{address}")
    };
    // Only a scheme and a host (and port): credentials are signed for whatever it names.
    let (scheme, host) = url.split_once("://")?;
    let is_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    if !matches!(scheme, "http" | "https") || !is_host {
        return None;
    }
    let period = Duration::from_secs(minutes.saturating_mul(60)).min(MAX_CACHE_PERIOD);
    Some((url, period))
}

/// Which endpoints a caller has: service, Region, access key id.
type Key = (String, String, String);

struct Entry {
    url: Option<String>,
    expires: Instant,
    /// After a failed discovery: no new attempt before this.
    failed_until: Option<Instant>,
}

/// What to do before sending a call that needs discovery.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Lookup {
    /// Send it there.
    Use(String),
    /// Ask `DescribeEndpoints` first.
    Discover,
    /// Discovery failed less than a minute ago and nothing was ever discovered: fail.
    Failed,
}

/// The discovered endpoints of the engine's callers.
#[derive(Default)]
pub(super) struct Cache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Cache {
    pub(super) fn lookup(&self, key: &Key, now: Instant) -> Lookup {
        let entries = self
            .entries
            .lock()
            .expect("the endpoint cache is never poisoned");
        let Some(entry) = entries.get(key) else {
            return Lookup::Discover;
        };
        match (&entry.url, entry.failed_until) {
            (Some(url), _) if now < entry.expires => Lookup::Use(url.clone()),
            (stale, Some(until)) if now < until => match stale {
                Some(url) => Lookup::Use(url.clone()),
                None => Lookup::Failed,
            },
            _ => Lookup::Discover,
        }
    }

    pub(super) fn store(&self, key: Key, url: String, period: Duration, now: Instant) {
        let mut entries = self
            .entries
            .lock()
            .expect("the endpoint cache is never poisoned");
        make_room(&mut entries, now);
        entries.insert(
            key,
            Entry {
                url: Some(url),
                expires: now + period,
                failed_until: None,
            },
        );
    }

    /// A discovery that could not reach the service: keep any stale endpoint, pause.
    pub(super) fn failed(&self, key: Key, now: Instant) {
        let mut entries = self
            .entries
            .lock()
            .expect("the endpoint cache is never poisoned");
        make_room(&mut entries, now);
        let entry = entries.entry(key).or_insert(Entry {
            url: None,
            expires: now,
            failed_until: None,
        });
        entry.failed_until = Some(now + RETRY_AFTER_FAILURE);
    }

    /// The service refused the endpoint (421, `InvalidEndpointException`): forget it.
    pub(super) fn forget(&self, key: &Key) {
        self.entries
            .lock()
            .expect("the endpoint cache is never poisoned")
            .remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

/// Drops expired entries when the cache is full, then the one that expires first.
fn make_room(entries: &mut HashMap<Key, Entry>, now: Instant) {
    if entries.len() < MAX_ENTRIES {
        return;
    }
    entries.retain(|_, e| e.expires > now || e.failed_until.is_some_and(|t| t > now));
    if entries.len() >= MAX_ENTRIES {
        if let Some(key) = entries
            .iter()
            .min_by_key(|(_, e)| e.expires)
            .map(|(k, _)| k.clone())
        {
            entries.remove(&key);
        }
    }
}

/// The cache key of a call.
pub(super) fn key(model: &ServiceModel, region: &str, access_key_id: &str) -> Key {
    (
        model.metadata.service_id.clone(),
        region.to_owned(),
        access_key_id.to_owned(),
    )
}

/// Whether an answer says the discovered endpoint is not the caller's any more.
pub(super) fn refused_endpoint(status: u16, code: Option<&str>) -> bool {
    status == 421 || code == Some("InvalidEndpointException")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key_of(n: usize) -> Key {
        (
            "Timestream Write".into(),
            "us-east-1".into(),
            format!("AKID{n}"),
        )
    }

    #[test]
    fn the_first_address_is_used_over_https_unless_it_names_its_scheme() {
        let answer = json!({"Endpoints": [
            {"Address": "ingest-cell2.timestream.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440},
            {"Address": "other", "CachePeriodInMinutes": 1}
        ]});
        assert_eq!(
            endpoint_of(&answer),
            Some((
                "https://ingest-cell2.timestream.us-east-1.amazonaws.com".to_owned(),
                Duration::from_secs(86_400)
            ))
        );
        let local = json!({"Endpoints": [{"Address": "http://127.0.0.1:4566/", "CachePeriodInMinutes": 5}]});
        assert_eq!(
            endpoint_of(&local),
            Some(("http://127.0.0.1:4566".to_owned(), Duration::from_secs(300)))
        );
        // Longer than a day is kept a day.
        let long =
            json!({"Endpoints": [{"Address": "a.example", "CachePeriodInMinutes": 100000000}]});
        assert_eq!(endpoint_of(&long).unwrap().1, MAX_CACHE_PERIOD);
        for bad in [
            json!({}),
            json!({"Endpoints": []}),
            json!({"Endpoints": [{"CachePeriodInMinutes": 5}]}),
            json!({"Endpoints": [{"Address": "evil.example/path"}]}),
            json!({"Endpoints": [{"Address": "user@evil.example"}]}),
            json!({"Endpoints": [{"Address": "ftp://evil.example"}]}),
            json!({"Endpoints": [{"Address": ""}]}),
        ] {
            assert_eq!(endpoint_of(&bad), None, "{bad}");
        }
    }

    #[test]
    fn only_timestream_operations_need_discovery() {
        let models = crate::models::Models::global();
        let write = models.service("timestream-write").unwrap();
        let query = models.service("timestream-query").unwrap();
        let dynamodb = models.service("dynamodb").unwrap();
        assert!(required(&write, "ListDatabases"));
        assert!(required(&query, "Query"));
        assert!(!required(&write, OPERATION));
        assert!(!required(&dynamodb, "ListTables"));
    }

    #[test]
    fn endpoints_expire_failures_pause_and_stale_endpoints_serve_meanwhile() {
        let cache = Cache::default();
        let now = Instant::now();
        let key = key_of(1);
        assert_eq!(cache.lookup(&key, now), Lookup::Discover);
        // A failure with nothing known: fail for a minute, then try again.
        cache.failed(key.clone(), now);
        assert_eq!(cache.lookup(&key, now), Lookup::Failed);
        assert_eq!(
            cache.lookup(&key, now + RETRY_AFTER_FAILURE),
            Lookup::Discover
        );
        cache.store(
            key.clone(),
            "https://a".into(),
            Duration::from_secs(60),
            now,
        );
        assert_eq!(cache.lookup(&key, now), Lookup::Use("https://a".into()));
        let later = now + Duration::from_secs(61);
        assert_eq!(cache.lookup(&key, later), Lookup::Discover);
        // Expired, then a failed refresh: the stale endpoint serves for the pause.
        cache.failed(key.clone(), later);
        assert_eq!(cache.lookup(&key, later), Lookup::Use("https://a".into()));
        cache.forget(&key);
        assert_eq!(cache.lookup(&key, later), Lookup::Discover);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = Cache::default();
        let now = Instant::now();
        for n in 0..MAX_ENTRIES + 50 {
            cache.store(
                key_of(n),
                "https://a".into(),
                Duration::from_secs(n as u64 + 1),
                now,
            );
        }
        assert!(cache.len() <= MAX_ENTRIES);
        // The newest stays; the ones that expire first went.
        assert!(matches!(
            cache.lookup(&key_of(MAX_ENTRIES + 49), now),
            Lookup::Use(_)
        ));
        assert_eq!(cache.lookup(&key_of(0), now), Lookup::Discover);
    }

    #[test]
    fn a_refused_endpoint_is_a_421_or_invalid_endpoint_exception() {
        assert!(refused_endpoint(421, None));
        assert!(refused_endpoint(400, Some("InvalidEndpointException")));
        assert!(!refused_endpoint(400, Some("ValidationException")));
    }
}
