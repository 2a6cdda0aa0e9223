//! The Redis store, for several replicas sharing state. Keys are `{prefix}:{namespace}:{key}`;
//! time-to-live is Redis' own (`PX`), and compare-and-swap is one Lua script so that it is
//! atomic on the server.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};

use super::{Record, Store, StoreError, StoreResult, Swap};

pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    compare_and_swap: Script,
    increment: Script,
}

const COMPARE_AND_SWAP: &str = r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then
  if ARGV[5] ~= '0' then
    redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
  else
    redis.call('SET', KEYS[1], ARGV[4])
  end
else
  redis.call('DEL', KEYS[1])
end
return 1
";

/// A counter's first increment sets its time-to-live; the next ones keep it.
const INCREMENT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
";

/// How long a health check waits for `PONG`: a readiness probe must answer quickly, and a Redis
/// that takes longer than this to answer PING is not fit to serve turns.
const PING_TIMEOUT: Duration = Duration::from_secs(1);

/// Redis `PX` wants at least one millisecond.
fn ttl_millis(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

/// Escapes the glob characters of `SCAN MATCH` so that a namespace matches only itself.
fn escape_glob(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl RedisStore {
    /// Connects to `url`; every key is put under `prefix` so that several deployments (or
    /// test runs) can share one Redis.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let connection = ConnectionManager::new(client).await?;
        Ok(Self::from_connection(connection, prefix))
    }

    /// Like [`connect`](Self::connect) but without connecting first: the first command
    /// connects, and [`Store::ping`] reports a Redis that is down instead of start-up failing.
    pub fn connect_lazy(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new().set_connection_timeout(Some(PING_TIMEOUT));
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self::from_connection(connection, prefix))
    }

    fn from_connection(connection: ConnectionManager, prefix: &str) -> Self {
        Self {
            connection,
            prefix: prefix.to_owned(),
            compare_and_swap: Script::new(COMPARE_AND_SWAP),
            increment: Script::new(INCREMENT),
        }
    }

    fn full_key(&self, namespace: &str, key: &str) -> String {
        format!("{}:{namespace}:{key}", self.prefix)
    }
}

#[async_trait::async_trait]
impl Store for RedisStore {
    async fn ping(&self) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut connection);
        match tokio::time::timeout(PING_TIMEOUT, ping).await {
            Ok(answer) => answer.map(drop).map_err(StoreError::from),
            Err(_) => Err(StoreError::Timeout(PING_TIMEOUT)),
        }
    }

    async fn get(&self, namespace: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let mut connection = self.connection.clone();
        Ok(connection.get(self.full_key(namespace, key)).await?)
    }

    async fn put(&self, namespace: &str, key: &str, record: Record) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let key = self.full_key(namespace, key);
        match record.ttl {
            Some(ttl) => {
                connection
                    .pset_ex::<_, _, ()>(key, record.value, ttl_millis(ttl))
                    .await?
            }
            None => connection.set::<_, _, ()>(key, record.value).await?,
        }
        Ok(())
    }

    async fn delete(&self, namespace: &str, key: &str) -> StoreResult<bool> {
        let mut connection = self.connection.clone();
        let removed: u64 = connection.del(self.full_key(namespace, key)).await?;
        Ok(removed > 0)
    }

    async fn compare_and_swap(&self, namespace: &str, key: &str, swap: Swap) -> StoreResult<bool> {
        let mut connection = self.connection.clone();
        if let Swap {
            expected: None,
            new: Some(record),
        } = &swap
        {
            // Creating is SET NX: the same atomic step as the script, without running one.
            let mut set = redis::cmd("SET");
            set.arg(self.full_key(namespace, key))
                .arg(&record.value)
                .arg("NX");
            if let Some(ttl) = record.ttl {
                set.arg("PX").arg(ttl_millis(ttl));
            }
            let created: Option<String> = set.query_async(&mut connection).await?;
            return Ok(created.is_some());
        }
        let ttl = swap.new.as_ref().and_then(|record| record.ttl);
        let new = swap.new.map(|record| record.value);
        let swapped: i64 = self
            .compare_and_swap
            .key(self.full_key(namespace, key))
            .arg(if swap.expected.is_some() { "1" } else { "0" })
            .arg(swap.expected.unwrap_or_default())
            .arg(if new.is_some() { "1" } else { "0" })
            .arg(new.unwrap_or_default())
            .arg(ttl.map(ttl_millis).unwrap_or(0))
            .invoke_async(&mut connection)
            .await?;
        Ok(swapped == 1)
    }

    async fn increment(&self, namespace: &str, key: &str, ttl: Duration) -> StoreResult<u64> {
        let mut connection = self.connection.clone();
        let count: u64 = self
            .increment
            .key(self.full_key(namespace, key))
            .arg(ttl_millis(ttl))
            .invoke_async(&mut connection)
            .await?;
        Ok(count)
    }

    async fn keys(&self, namespace: &str) -> StoreResult<Vec<String>> {
        let mut connection = self.connection.clone();
        let prefix = self.full_key(namespace, "");
        let pattern = format!("{}*", escape_glob(&prefix));
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut connection)
                .await?;
            keys.extend(
                batch
                    .into_iter()
                    .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned)),
            );
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }
}
