//! Outbound pacing: a Connector request waits for its slot so that Teams' per-conversation and
//! per-tenant rate limits are met by design rather than by 429s. In-process and per replica;
//! memory is bounded because conversations and tenants idle for longer than the longest window
//! are forgotten (they constrain nothing any more). It never drops or reorders a request of one
//! conversation: each conversation is a first-come, first-served lane.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// At most `messages` requests in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub messages: usize,
    pub window: Duration,
}

impl RateLimit {
    pub const fn new(messages: usize, window: Duration) -> Self {
        RateLimit { messages, window }
    }
}

/// The limits the pacer keeps. Defaults: Teams' per-thread limits for sending (7 per second,
/// 60 per 30 seconds) and its per-app, per-tenant limit (50 requests per second),
/// botframework.md §3.7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacingPolicy {
    pub per_conversation: Vec<RateLimit>,
    pub per_tenant: Vec<RateLimit>,
}

impl Default for PacingPolicy {
    fn default() -> Self {
        PacingPolicy {
            per_conversation: vec![
                RateLimit::new(7, Duration::from_secs(1)),
                RateLimit::new(60, Duration::from_secs(30)),
            ],
            per_tenant: vec![RateLimit::new(50, Duration::from_secs(1))],
        }
    }
}

impl PacingPolicy {
    /// No waiting at all (`AWS_CHATOPS_OUTBOUND_PACING=false`): for load tests against a
    /// stand-in that does not enforce Teams' limits.
    pub fn unpaced() -> Self {
        PacingPolicy {
            per_conversation: Vec::new(),
            per_tenant: Vec::new(),
        }
    }
}

/// Idle lanes are swept after this many slots are granted.
const SWEEP_EVERY: u64 = 256;

/// The times of the most recent requests of one conversation or tenant, oldest first. Every
/// time is recorded under the tenant lock at the moment it is granted, so the log stays sorted.
#[derive(Default)]
struct SendLog(VecDeque<Instant>);

impl SendLog {
    /// The earliest instant at or after `now` at which one more request keeps every limit.
    fn earliest(&self, now: Instant, limits: &[RateLimit]) -> Instant {
        let mut ready = now;
        for limit in limits {
            if limit.messages == 0 {
                continue;
            }
            if self.0.len() >= limit.messages {
                // The request `messages` places back must have left the window.
                let bound = self.0[self.0.len() - limit.messages] + limit.window;
                ready = ready.max(bound);
            }
        }
        ready
    }

    fn record(&mut self, at: Instant, limits: &[RateLimit]) {
        self.0.push_back(at);
        let keep = limits.iter().map(|l| l.messages).max().unwrap_or(0);
        while self.0.len() > keep {
            self.0.pop_front();
        }
    }

    /// True when nothing recorded is still inside the longest window.
    fn idle(&self, now: Instant, limits: &[RateLimit]) -> bool {
        let longest = limits.iter().map(|l| l.window).max().unwrap_or_default();
        self.0.back().is_none_or(|last| *last + longest <= now)
    }
}

type Lane = Arc<tokio::sync::Mutex<SendLog>>;

#[derive(Default)]
struct Lanes {
    conversations: HashMap<String, Lane>,
    granted: u64,
}

/// Waits out per-conversation and per-tenant limits before each Connector request.
pub struct Pacer {
    policy: PacingPolicy,
    lanes: Mutex<Lanes>,
    /// Also the lock under which every slot is granted, so that times are recorded in order.
    tenants: Mutex<HashMap<String, SendLog>>,
}

impl Pacer {
    pub fn new(policy: PacingPolicy) -> Self {
        Pacer {
            policy,
            lanes: Mutex::default(),
            tenants: Mutex::default(),
        }
    }

    fn lane(&self, conversation_id: &str) -> Lane {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes
            .conversations
            .entry(conversation_id.to_owned())
            .or_default()
            .clone()
    }

    /// Returns when a request to `conversation_id` (in `tenant_id`, when known) may be sent,
    /// and counts it as sent.
    pub async fn wait_for_slot(&self, conversation_id: &str, tenant_id: Option<&str>) {
        if self.policy.per_conversation.is_empty() && self.policy.per_tenant.is_empty() {
            return;
        }
        let lane = self.lane(conversation_id);
        // Requests of one conversation queue here in arrival order (tokio's mutex is fair).
        let mut log = lane.lock().await;
        loop {
            let ready = {
                let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let mut ready = log.earliest(now, &self.policy.per_conversation);
                if let Some(tenant) = tenant_id {
                    let tenant_log = tenants.entry(tenant.to_owned()).or_default();
                    ready = ready.max(tenant_log.earliest(now, &self.policy.per_tenant));
                    if ready <= now {
                        tenant_log.record(now, &self.policy.per_tenant);
                    }
                }
                if ready <= now {
                    log.record(now, &self.policy.per_conversation);
                }
                ready
            };
            if ready <= Instant::now() {
                break;
            }
            tokio::time::sleep_until(ready).await;
        }
        drop(log);
        drop(lane);
        self.sweep_now_and_then();
    }

    /// Forgets lanes that no request holds or waits on and that no longer constrain anything.
    fn sweep_now_and_then(&self) {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        lanes.granted += 1;
        if !lanes.granted.is_multiple_of(SWEEP_EVERY) {
            return;
        }
        let now = Instant::now();
        let limits = &self.policy.per_conversation;
        lanes.conversations.retain(|_, lane| {
            if Arc::strong_count(lane) > 1 {
                return true;
            }
            match lane.try_lock() {
                Ok(log) => !log.idle(now, limits),
                Err(_) => true,
            }
        });
        drop(lanes);
        let mut tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        tenants.retain(|_, log| !log.idle(now, &self.policy.per_tenant));
    }

    /// Whether requests wait for slots at all (false for [`PacingPolicy::unpaced`]).
    pub fn is_pacing(&self) -> bool {
        !(self.policy.per_conversation.is_empty() && self.policy.per_tenant.is_empty())
    }

    /// Conversations and tenants currently remembered (for tests of the memory bound).
    pub fn tracked(&self) -> (usize, usize) {
        let conversations = self
            .lanes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .conversations
            .len();
        let tenants = self.tenants.lock().unwrap_or_else(|p| p.into_inner()).len();
        (conversations, tenants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most requests seen in any window of length `window` (half-open, as the pacer counts).
    fn busiest(times: &[Duration], window: Duration) -> usize {
        let mut sorted = times.to_vec();
        sorted.sort();
        (0..sorted.len())
            .map(|i| {
                sorted[i..]
                    .iter()
                    .take_while(|t| **t < sorted[i] + window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Sends `count` requests at once, one per (conversation, tenant) pair produced by `target`,
    /// and returns when each was let through, relative to the start.
    async fn burst(
        pacer: Arc<Pacer>,
        count: usize,
        target: impl Fn(usize) -> (String, Option<String>),
    ) -> Vec<Duration> {
        let start = Instant::now();
        let mut tasks = Vec::new();
        for index in 0..count {
            let pacer = pacer.clone();
            let (conversation, tenant) = target(index);
            tasks.push(tokio::spawn(async move {
                pacer.wait_for_slot(&conversation, tenant.as_deref()).await;
                (index, Instant::now() - start)
            }));
            // Spawned in order, so each lane's queue has a known order.
            tokio::task::yield_now().await;
        }
        let mut times = vec![Duration::ZERO; count];
        for task in tasks {
            let (index, at) = task.await.unwrap();
            times[index] = at;
        }
        times
    }

    #[tokio::test(start_paused = true)]
    async fn one_conversation_gets_seven_a_second_and_sixty_per_thirty_seconds() {
        let pacer = Arc::new(Pacer::new(PacingPolicy::default()));
        let times = burst(pacer, 70, |_| ("19:c".into(), Some("t".into()))).await;
        assert_eq!(busiest(&times, Duration::from_secs(1)), 7);
        assert!(busiest(&times, Duration::from_secs(30)) <= 60);
        // Seven go at once, the next seven a second later, and so on; the 61st waits for the
        // first to leave the 30 s window.
        assert_eq!(times[6], Duration::ZERO);
        assert_eq!(times[7], Duration::from_secs(1));
        assert_eq!(times[59], Duration::from_secs(8));
        assert_eq!(times[60], Duration::from_secs(30));
        // First come, first served within the conversation.
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "{times:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn one_tenant_gets_fifty_a_second_across_its_conversations() {
        let pacer = Arc::new(Pacer::new(PacingPolicy::default()));
        let times = burst(pacer, 120, |i| (format!("c-{i}"), Some("t".into()))).await;
        assert_eq!(busiest(&times, Duration::from_secs(1)), 50);
        let at = |secs| {
            times
                .iter()
                .filter(|t| **t == Duration::from_secs(secs))
                .count()
        };
        assert_eq!((at(0), at(1), at(2)), (50, 50, 20));
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_conversation_or_tenant_does_not_slow_the_others() {
        let pacer = Arc::new(Pacer::new(PacingPolicy::default()));
        let busy = burst(pacer.clone(), 20, |_| ("busy".into(), Some("t1".into())));
        let busy = tokio::spawn(busy);
        tokio::task::yield_now().await;
        let started = Instant::now();
        pacer.wait_for_slot("quiet", Some("t1")).await;
        pacer.wait_for_slot("other-tenant", Some("t2")).await;
        pacer.wait_for_slot("no-tenant", None).await;
        assert_eq!(Instant::now() - started, Duration::ZERO);
        let busy = busy.await.unwrap();
        assert_eq!(busy[19], Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_conversations_and_tenants_are_forgotten() {
        let pacer = Arc::new(Pacer::new(PacingPolicy::default()));
        for index in 0..(SWEEP_EVERY as usize - 1) {
            pacer
                .wait_for_slot(&format!("c-{index}"), Some(&format!("t-{}", index % 3)))
                .await;
            // One request a second per tenant at most: nobody waits.
            tokio::time::advance(Duration::from_millis(40)).await;
        }
        assert_eq!(pacer.tracked(), (SWEEP_EVERY as usize - 1, 3));
        // Past the longest window, the next grant sweeps everything but itself.
        tokio::time::advance(Duration::from_secs(31)).await;
        pacer.wait_for_slot("fresh", Some("t-new")).await;
        assert_eq!(pacer.tracked(), (1, 1));
    }

    #[test]
    fn the_log_computes_the_earliest_slot_for_every_limit() {
        let policy = PacingPolicy::default();
        let start = Instant::now();
        let mut log = SendLog::default();
        assert_eq!(log.earliest(start, &policy.per_conversation), start);
        for _ in 0..7 {
            log.record(start, &policy.per_conversation);
        }
        assert_eq!(
            log.earliest(start, &policy.per_conversation),
            start + Duration::from_secs(1)
        );
        // Only the longest limit's worth of history is kept.
        for _ in 0..100 {
            log.record(start, &policy.per_conversation);
        }
        assert_eq!(log.0.len(), 60);
        assert!(!log.idle(start + Duration::from_secs(29), &policy.per_conversation));
        assert!(log.idle(start + Duration::from_secs(30), &policy.per_conversation));
    }
}
