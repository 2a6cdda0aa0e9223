//! The storage conformance suite: the same checks run against the embedded store and a real
//! Redis (127.0.0.1:6379, or `AWS_CHATOPS_TEST_REDIS_URL`). Each Redis run uses a unique key
//! prefix so that parallel runs never see each other's keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_chatops::store::{self, EmbeddedStore, MemoryStore, Record, RedisStore, Store, Swap};

use crate::support::app::poll_for;

fn redis_url() -> String {
    std::env::var("AWS_CHATOPS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique(label: &str) -> String {
    format!(
        "{label}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

async fn embedded() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("state/store.redb"))
        .await
        .unwrap();
    (Arc::new(store), dir)
}

async fn redis() -> Arc<dyn Store> {
    let store = RedisStore::connect(&redis_url(), &unique("aws-chatops-test"))
        .await
        .expect("the tests need Redis on 127.0.0.1:6379 (scripts/setup-test-env.sh starts it)");
    Arc::new(store)
}

/// A store whose every call must succeed (an error fails the test), in the terms the checks
/// use: byte strings in, owned values out.
struct Checked<'a>(&'a dyn Store);

impl Checked<'_> {
    async fn get(&self, namespace: &str, key: &str) -> Option<Vec<u8>> {
        self.0.get(namespace, key).await.unwrap()
    }

    async fn put(&self, namespace: &str, key: &str, value: &[u8], ttl: Option<Duration>) {
        self.0
            .put(
                namespace,
                key,
                Record {
                    value: value.to_vec(),
                    ttl,
                },
            )
            .await
            .unwrap()
    }

    async fn delete(&self, namespace: &str, key: &str) -> bool {
        self.0.delete(namespace, key).await.unwrap()
    }

    async fn keys(&self, namespace: &str) -> Vec<String> {
        self.0.keys(namespace).await.unwrap()
    }

    /// Compare-and-swap from `expected` to `new` (both `None` for absent), no time-to-live.
    async fn cas(
        &self,
        namespace: &str,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> bool {
        self.0
            .compare_and_swap(
                namespace,
                key,
                Swap {
                    expected: expected.map(<[u8]>::to_vec),
                    new: new.map(|value| Record::lasting(value.to_vec())),
                },
            )
            .await
            .unwrap()
    }
}

async fn conformance(store: Arc<dyn Store>) {
    let s = Checked(store.as_ref());

    // A reachable store answers the health check.
    store.ping().await.unwrap();

    // Absent keys read as None and delete reports nothing removed.
    assert_eq!(s.get("pending", "nope").await, None);
    assert!(!s.delete("pending", "nope").await);

    // Put, get, overwrite.
    s.put("pending", "a", b"one", None).await;
    assert_eq!(s.get("pending", "a").await.as_deref(), Some(&b"one"[..]));
    s.put("pending", "a", b"two", None).await;
    assert_eq!(s.get("pending", "a").await.as_deref(), Some(&b"two"[..]));

    // Namespaces are separate.
    assert_eq!(s.get("accounts", "a").await, None);
    s.put("accounts", "a", b"other", None).await;
    assert_eq!(s.get("pending", "a").await.as_deref(), Some(&b"two"[..]));

    // Empty values and binary values survive.
    s.put("pending", "empty", b"", None).await;
    assert_eq!(s.get("pending", "empty").await.as_deref(), Some(&b""[..]));
    let binary: Vec<u8> = (0..=255).collect();
    s.put("pending", "binary", &binary, None).await;
    assert_eq!(s.get("pending", "binary").await, Some(binary));

    // Keys list only the namespace's own, unexpired keys; odd characters are fine.
    s.put("pending", "with:colon*star", b"x", None).await;
    let mut keys = s.keys("pending").await;
    keys.sort();
    assert_eq!(keys, ["a", "binary", "empty", "with:colon*star"]);
    assert_eq!(s.keys("accounts").await, ["a"]);
    assert!(
        s.keys("pend").await.is_empty(),
        "a namespace prefix is not a namespace"
    );

    // Delete.
    assert!(s.delete("pending", "a").await);
    assert_eq!(s.get("pending", "a").await, None);

    // Compare-and-swap: create only when absent, replace only from the expected value.
    assert!(s.cas("req", "r1", None, Some(b"open")).await);
    assert!(!s.cas("req", "r1", None, Some(b"open")).await);
    assert!(!s.cas("req", "r1", Some(b"running"), Some(b"done")).await);
    assert!(s.cas("req", "r1", Some(b"open"), Some(b"running")).await);
    assert_eq!(s.get("req", "r1").await.as_deref(), Some(&b"running"[..]));
    // Compare-and-swap to None removes.
    assert!(s.cas("req", "r1", Some(b"running"), None).await);
    assert_eq!(s.get("req", "r1").await, None);

    // Exactly one of many concurrent claimants wins a transition.
    s.put("req", "race", b"open", None).await;
    let mut claims = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        claims.push(tokio::spawn(async move {
            let claimed = format!("claimed-{i}").into_bytes();
            Checked(store.as_ref())
                .cas("req", "race", Some(b"open"), Some(&claimed))
                .await
        }));
    }
    let mut winners = 0;
    for claim in claims {
        winners += usize::from(claim.await.unwrap());
    }
    assert_eq!(
        winners, 1,
        "exactly one concurrent compare-and-swap must win"
    );

    // Counters: one atomic step each, read back as decimal digits, no lost increments under
    // concurrency; the first increment's time-to-live holds, and a fresh window starts at 1.
    let minute = Duration::from_secs(60);
    assert_eq!(store.increment("rates", "c", minute).await.unwrap(), 1);
    assert_eq!(store.increment("rates", "c", minute).await.unwrap(), 2);
    assert_eq!(s.get("rates", "c").await.as_deref(), Some(&b"2"[..]));
    let mut increments = Vec::new();
    for _ in 0..32 {
        let store = store.clone();
        increments.push(tokio::spawn(async move {
            store.increment("rates", "c", minute).await.unwrap()
        }));
    }
    let mut counts = Vec::new();
    for increment in increments {
        counts.push(increment.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (3..=34).collect::<Vec<u64>>(),
        "each increment counted once"
    );
    s.put("rates", "not-a-count", b"open", None).await;
    assert!(store
        .increment("rates", "not-a-count", minute)
        .await
        .is_err());
    let short = Duration::from_millis(150);
    assert_eq!(store.increment("rates", "short", short).await.unwrap(), 1);
    assert_eq!(
        store.increment("rates", "short", minute).await.unwrap(),
        2,
        "a later increment keeps the window"
    );
    poll_for("a counter with a 150 ms time-to-live to expire", || async {
        s.get("rates", "short").await.is_none().then_some(())
    })
    .await;
    assert_eq!(store.increment("rates", "short", short).await.unwrap(), 1);

    // Time-to-live: the entry disappears by itself, from get, keys and CAS alike.
    s.put("ttl", "short", b"v", Some(Duration::from_millis(150)))
        .await;
    s.put("ttl", "long", b"v", Some(Duration::from_secs(600)))
        .await;
    assert_eq!(s.get("ttl", "short").await.as_deref(), Some(&b"v"[..]));
    poll_for("an entry with a 150 ms time-to-live to expire", || async {
        s.get("ttl", "short").await.is_none().then_some(())
    })
    .await;
    assert_eq!(s.keys("ttl").await, ["long"]);
    assert!(
        !s.delete("ttl", "short").await,
        "an expired entry counts as absent"
    );
    assert!(s.cas("ttl", "short", None, Some(b"again")).await);

    // JSON helpers round-trip typed values.
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Choice {
        account: String,
        remembered_days: u32,
    }
    let choice = Choice {
        account: "prod".into(),
        remembered_days: 7,
    };
    store::put_json(s.0, "choices", "user-1", &choice, None)
        .await
        .unwrap();
    assert_eq!(
        store::get_json::<Choice>(s.0, "choices", "user-1")
            .await
            .unwrap(),
        Some(choice)
    );
    s.put("choices", "broken", b"not json", None).await;
    assert!(store::get_json::<Choice>(s.0, "choices", "broken")
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_store_conforms() {
    let (store, _dir) = embedded().await;
    conformance(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    conformance(Arc::new(MemoryStore::default())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_conforms() {
    conformance(redis().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_does_not_answer_fails_the_health_check_in_time() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store =
        RedisStore::connect_lazy(&format!("redis://127.0.0.1:{port}"), &unique("down")).unwrap();
    let started = Instant::now();
    assert!(store.ping().await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_store_keeps_state_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = EmbeddedStore::open(&path).await.unwrap();
        let store = Checked(&store);
        store
            .put("pending", "form-1", b"open", Some(Duration::from_secs(900)))
            .await;
        store
            .put("pending", "gone", b"x", Some(Duration::from_millis(1)))
            .await;
    }
    let reopened = EmbeddedStore::open(&path).await.unwrap();
    let reopened = Checked(&reopened);
    assert_eq!(
        reopened.get("pending", "form-1").await.as_deref(),
        Some(&b"open"[..])
    );
    poll_for("the 1 ms entry to expire after the restart", || async {
        reopened
            .get("pending", "gone")
            .await
            .is_none()
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_state_is_shared_between_replicas() {
    let prefix = unique("aws-chatops-replicas");
    let first = RedisStore::connect(&redis_url(), &prefix).await.unwrap();
    let second = RedisStore::connect(&redis_url(), &prefix).await.unwrap();
    let (first, second) = (Checked(&first), Checked(&second));
    first
        .put("pending", "form-1", b"open", Some(Duration::from_secs(60)))
        .await;
    assert_eq!(
        second.get("pending", "form-1").await.as_deref(),
        Some(&b"open"[..])
    );
    assert!(second.cas("pending", "form-1", Some(b"open"), None).await);
    assert_eq!(first.get("pending", "form-1").await, None);
}

#[tokio::test]
async fn store_locations_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.redb");
    assert!(store::open(path.to_str().unwrap()).await.is_ok());
    let error = store::open("postgres://db/x")
        .await
        .err()
        .expect("not a supported location");
    assert!(error.to_string().contains("redis://"), "{error}");
}
