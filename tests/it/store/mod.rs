//! The storage conformance suite: the same checks run against the embedded store and a real
//! Redis (127.0.0.1:6379, or `AWS_CHATOPS_TEST_REDIS_URL`). Each Redis run uses a unique key
//! prefix so that parallel runs never see each other's keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_chatops::store::{self, EmbeddedStore, MemoryStore, Record, RedisStore, Store, Swap};

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

/// Polls `condition` until it holds or `deadline` passes.
async fn eventually<F, Fut>(deadline: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    let mut poll = tokio::time::interval(Duration::from_millis(10));
    while start.elapsed() < deadline {
        poll.tick().await;
        if condition().await {
            return true;
        }
    }
    false
}

async fn conformance(store: Arc<dyn Store>) {
    let s = store.as_ref();

    // A reachable store answers the health check.
    s.ping().await.unwrap();

    // Absent keys read as None and delete reports nothing removed.
    assert_eq!(s.get("pending", "nope").await.unwrap(), None);
    assert!(!s.delete("pending", "nope").await.unwrap());

    // Put, get, overwrite.
    s.put("pending", "a", Record::lasting(b"one".to_vec()))
        .await
        .unwrap();
    assert_eq!(
        s.get("pending", "a").await.unwrap().as_deref(),
        Some(&b"one"[..])
    );
    s.put("pending", "a", Record::lasting(b"two".to_vec()))
        .await
        .unwrap();
    assert_eq!(
        s.get("pending", "a").await.unwrap().as_deref(),
        Some(&b"two"[..])
    );

    // Namespaces are separate.
    assert_eq!(s.get("accounts", "a").await.unwrap(), None);
    s.put("accounts", "a", Record::lasting(b"other".to_vec()))
        .await
        .unwrap();
    assert_eq!(
        s.get("pending", "a").await.unwrap().as_deref(),
        Some(&b"two"[..])
    );

    // Empty values and binary values survive.
    s.put("pending", "empty", Record::lasting(Vec::new()))
        .await
        .unwrap();
    assert_eq!(
        s.get("pending", "empty").await.unwrap().as_deref(),
        Some(&b""[..])
    );
    let binary: Vec<u8> = (0..=255).collect();
    s.put("pending", "binary", Record::lasting(binary.clone()))
        .await
        .unwrap();
    assert_eq!(s.get("pending", "binary").await.unwrap(), Some(binary));

    // Keys list only the namespace's own, unexpired keys; odd characters are fine.
    s.put("pending", "with:colon*star", Record::lasting(b"x".to_vec()))
        .await
        .unwrap();
    let mut keys = s.keys("pending").await.unwrap();
    keys.sort();
    assert_eq!(keys, ["a", "binary", "empty", "with:colon*star"]);
    assert_eq!(s.keys("accounts").await.unwrap(), ["a"]);
    assert!(
        s.keys("pend").await.unwrap().is_empty(),
        "a namespace prefix is not a namespace"
    );

    // Delete.
    assert!(s.delete("pending", "a").await.unwrap());
    assert_eq!(s.get("pending", "a").await.unwrap(), None);

    // Compare-and-swap: create only when absent, replace only from the expected value.
    assert!(s
        .compare_and_swap("req", "r1", Swap::create(Record::lasting(b"open".to_vec())))
        .await
        .unwrap());
    assert!(!s
        .compare_and_swap("req", "r1", Swap::create(Record::lasting(b"open".to_vec())))
        .await
        .unwrap());
    assert!(!s
        .compare_and_swap(
            "req",
            "r1",
            Swap::replace(b"running".to_vec(), Record::lasting(b"done".to_vec()))
        )
        .await
        .unwrap());
    assert!(s
        .compare_and_swap(
            "req",
            "r1",
            Swap::replace(b"open".to_vec(), Record::lasting(b"running".to_vec()))
        )
        .await
        .unwrap());
    assert_eq!(
        s.get("req", "r1").await.unwrap().as_deref(),
        Some(&b"running"[..])
    );
    // Compare-and-swap to None removes.
    assert!(s
        .compare_and_swap("req", "r1", Swap::remove(b"running".to_vec()))
        .await
        .unwrap());
    assert_eq!(s.get("req", "r1").await.unwrap(), None);

    // Exactly one of many concurrent claimants wins a transition.
    s.put("req", "race", Record::lasting(b"open".to_vec()))
        .await
        .unwrap();
    let mut claims = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        claims.push(tokio::spawn(async move {
            store
                .compare_and_swap(
                    "req",
                    "race",
                    Swap::replace(
                        b"open".to_vec(),
                        Record::lasting(format!("claimed-{i}").into_bytes()),
                    ),
                )
                .await
                .unwrap()
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

    // Time-to-live: the entry disappears by itself, from get, keys and CAS alike.
    s.put(
        "ttl",
        "short",
        Record::expiring(b"v".to_vec(), Duration::from_millis(150)),
    )
    .await
    .unwrap();
    s.put(
        "ttl",
        "long",
        Record::expiring(b"v".to_vec(), Duration::from_secs(600)),
    )
    .await
    .unwrap();
    assert_eq!(
        s.get("ttl", "short").await.unwrap().as_deref(),
        Some(&b"v"[..])
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            s.get("ttl", "short").await.unwrap().is_none()
        })
        .await,
        "an entry with a 150 ms time-to-live must expire"
    );
    assert_eq!(s.keys("ttl").await.unwrap(), ["long"]);
    assert!(
        !s.delete("ttl", "short").await.unwrap(),
        "an expired entry counts as absent"
    );
    assert!(s
        .compare_and_swap(
            "ttl",
            "short",
            Swap::create(Record::lasting(b"again".to_vec()))
        )
        .await
        .unwrap());

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
    store::put_json(s, "choices", "user-1", &choice, None)
        .await
        .unwrap();
    assert_eq!(
        store::get_json::<Choice>(s, "choices", "user-1")
            .await
            .unwrap(),
        Some(choice)
    );
    s.put("choices", "broken", Record::lasting(b"not json".to_vec()))
        .await
        .unwrap();
    assert!(store::get_json::<Choice>(s, "choices", "broken")
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
        store
            .put(
                "pending",
                "form-1",
                Record::expiring(b"open".to_vec(), Duration::from_secs(900)),
            )
            .await
            .unwrap();
        store
            .put(
                "pending",
                "gone",
                Record::expiring(b"x".to_vec(), Duration::from_millis(1)),
            )
            .await
            .unwrap();
    }
    let reopened = EmbeddedStore::open(&path).await.unwrap();
    assert_eq!(
        reopened.get("pending", "form-1").await.unwrap().as_deref(),
        Some(&b"open"[..])
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            reopened.get("pending", "gone").await.unwrap().is_none()
        })
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_state_is_shared_between_replicas() {
    let prefix = unique("aws-chatops-replicas");
    let first = RedisStore::connect(&redis_url(), &prefix).await.unwrap();
    let second = RedisStore::connect(&redis_url(), &prefix).await.unwrap();
    first
        .put(
            "pending",
            "form-1",
            Record::expiring(b"open".to_vec(), Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(
        second.get("pending", "form-1").await.unwrap().as_deref(),
        Some(&b"open"[..])
    );
    assert!(second
        .compare_and_swap("pending", "form-1", Swap::remove(b"open".to_vec()))
        .await
        .unwrap());
    assert_eq!(first.get("pending", "form-1").await.unwrap(), None);
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
