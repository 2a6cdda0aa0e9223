//! Pending requests: a command waiting for a form, a confirmation, a next page or the
//! support-case steps, kept in the durable store under an unguessable id. State changes go
//! through `compare_and_swap` on the stored bytes, so exactly one click wins.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::{AuditGrant, AuditUser};
use crate::aws::waiter::WaitProgress;
use crate::bot::MessageRef;
use crate::command::Invocation;
use crate::metrics;
use crate::policy::Requester;
use crate::store::{Record, Store, StoreError, Swap};

/// The store namespace of pending requests.
pub const NAMESPACE: &str = "pending-requests";
/// Where each request's card is (kept apart from the request, so that recording it never
/// races with a click's compare-and-swap).
pub const CARDS_NAMESPACE: &str = "pending-request-cards";

/// Requests claimed for running, by id, so that a sweep finds the ones whose runner died
/// without reading every pending request.
pub const RUNNING_NAMESPACE: &str = "running-requests";

/// How long a request is kept after it expires or finishes, so that a late click is told
/// "expired" or "already handled" rather than "unknown".
pub const TOMBSTONE: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a runner holds a Running request. The work under it is bounded well below this
/// (authorization, one AWS call with its 15 s deadline, the card update), so a lease that
/// runs out means the runner died: its process was killed or lost the store.
pub const RUN_LEASE: Duration = Duration::from_secs(120);

/// A new 128-bit random id, URL-safe base64 without padding (22 characters).
pub fn new_request_id() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// Whether `id` could be one of ours; anything else is refused without a store lookup.
pub fn is_well_formed(id: &str) -> bool {
    id.len() == 22
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for the requester (form, confirmation, next page).
    Open,
    /// Claimed by one click; the AWS call is under way.
    Running,
    Done,
    Failed,
    Cancelled,
    Expired,
    /// An approver rejected it (four-eyes approval); it never ran.
    Rejected,
    /// Its runner died while the AWS call may have been under way: nobody knows whether it
    /// happened, and it is never run again automatically.
    OutcomeUnknown,
}

impl RequestState {
    /// Its name as stored and as the metrics label it.
    pub fn name(self) -> &'static str {
        match self {
            RequestState::Open => "open",
            RequestState::Running => "running",
            RequestState::Done => "done",
            RequestState::Failed => "failed",
            RequestState::Cancelled => "cancelled",
            RequestState::Expired => "expired",
            RequestState::Rejected => "rejected",
            RequestState::OutcomeUnknown => "outcome_unknown",
        }
    }
}

/// What the request is waiting for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestKind {
    /// A form for parameters: the members that were missing, and the resource choices the
    /// form offered (member, names), to show them again with a correction.
    Form {
        missing: Vec<String>,
        #[serde(default)]
        choices: Vec<(String, Vec<String>)>,
    },
    /// A confirmation of a change.
    Confirm,
    /// The next page of a result: the input members that fetch the service's page it is on
    /// (`null` for the first), its number as the cards count, and how many items of that
    /// service page earlier cards showed (see `paging.rs`).
    NextPage {
        next: Value,
        page: u32,
        #[serde(default)]
        skip: usize,
    },
    /// The form for an alias's parameters that `@aws run` left out: the alias, its template
    /// as it was when the form opened, and the values already given (name, value). The stored
    /// invocation is a placeholder until the values are in.
    AliasForm {
        alias_name: String,
        template: String,
        values: Vec<(String, String)>,
        missing: Vec<String>,
    },
    /// The support-case form; the services and severity levels offered, (code, name).
    SupportForm {
        services: Vec<(String, String)>,
        severities: Vec<(String, String)>,
    },
    /// The support-case summary, waiting for the category and Create case.
    SupportSummary { draft: SupportDraft },
    /// A command that waits for a second person (the channel's `approval` rule matched
    /// `rule`, an IAM action pattern). Once approved, `approved_by` names the approver for the
    /// run's card and audit record.
    Approval {
        rule: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<StoredRequester>,
    },
    /// An account choice card. With `run_after`, the stored invocation continues once an
    /// account is chosen (to its form when `missing` is set); without, it is
    /// `@aws set default-account` and nothing runs.
    AccountChoice {
        #[serde(default)]
        missing: Option<Vec<String>>,
        run_after: bool,
    },
    /// A waiter running in a channel that allows long-running commands (B5): Running while
    /// it polls, its progress written after every call so that another process can resume it.
    Wait(WaitState),
    /// A typed read that ran longer than a chat answer in a channel that allows long-running
    /// commands: Running while its one call runs (since `started_at_ms`); resumed (called
    /// again) when its runner died, since it only reads.
    SlowRead { started_at_ms: u64 },
}

impl RequestKind {
    /// Whether the stored invocation is a command someone asked for, rather than a
    /// placeholder: `@aws set default-account` runs nothing, and an alias's parameter form
    /// holds no command until its values are in.
    pub fn holds_a_command(&self) -> bool {
        !matches!(
            self,
            RequestKind::AccountChoice {
                run_after: false,
                ..
            } | RequestKind::AliasForm { .. }
        )
    }
}

/// Where a long-running wait is: what a process that resumes it needs, and what its live
/// card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitState {
    /// The waiter's model name (`TableExists`).
    pub waiter: String,
    pub progress: WaitProgress,
    /// When the wait started and when it stops at the latest (the 15-minute cap), in
    /// milliseconds since the epoch.
    pub started_at_ms: u64,
    pub deadline_ms: u64,
    /// When the next call is due (a resumed wait sleeps until then).
    pub next_poll_at_ms: u64,
    /// What the last response showed (`Table.TableStatus: "CREATING"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
}

/// A support case as the form described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportDraft {
    pub subject: String,
    pub service_code: String,
    pub service_name: String,
    pub severity_code: String,
    pub severity_name: String,
    pub communication_body: String,
    pub cc_email_addresses: Vec<String>,
    pub language: String,
    pub issue_type: String,
    /// The service's categories, (code, name).
    pub categories: Vec<(String, String)>,
    /// A category given with the command, if any.
    pub category_code: Option<String>,
}

/// Who started a request, as stored: the Teams user id, then the requester's fields inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRequester {
    /// The Teams user id (`29:...`): compared when there is no Entra object id.
    pub user_id: Option<String>,
    #[serde(flatten)]
    pub who: Requester,
}

impl StoredRequester {
    pub fn to_requester(&self) -> Requester {
        self.who.clone()
    }

    /// The name Teams gave the user, or "someone" when it gave none.
    pub fn display_name(&self) -> &str {
        self.who
            .user_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("someone")
    }

    /// The user as audit records name them.
    pub fn audit_user(&self) -> AuditUser {
        AuditUser {
            user_object_id: self.who.user_object_id.clone(),
            user_name: self.who.user_name.clone(),
        }
    }

    /// Whether the clicking user (object id, Teams id) is the requester.
    pub fn is(&self, user_object_id: Option<&str>, user_id: Option<&str>) -> bool {
        match (self.who.user_object_id.as_deref(), user_object_id) {
            (Some(stored), Some(clicking)) => stored == clicking,
            _ => self.user_id.is_some() && self.user_id.as_deref() == user_id,
        }
    }
}

/// An invocation as stored: its fields, the global options inline (`--output` by its CLI
/// name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredInvocation(Invocation);

impl From<&Invocation> for StoredInvocation {
    fn from(invocation: &Invocation) -> Self {
        StoredInvocation(invocation.clone())
    }
}

impl StoredInvocation {
    pub fn to_invocation(&self) -> Invocation {
        self.0.clone()
    }
}

/// One pending request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub id: String,
    pub requester: StoredRequester,
    #[serde(flatten)]
    pub kind: RequestKind,
    pub state: RequestState,
    pub invocation: StoredInvocation,
    /// Milliseconds since the epoch.
    pub expires_at_ms: u64,
    /// Who runs it and until when, while it is Running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<RunLease>,
    /// The facts of the permit it was opened with (channel entry, account, role, region),
    /// for the audit record when it ends without running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<AuditGrant>,
    /// The alias the command was expanded from (`@aws run <alias>`), for its cards and audit
    /// records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// The claim of one runner on a Running request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunLease {
    /// The runner (one per `Conversations`, random at start-up), for the logs.
    pub owner: String,
    /// Milliseconds since the epoch when the claim started.
    pub started_at_ms: u64,
    /// Milliseconds since the epoch after which the runner counts as dead.
    pub until_ms: u64,
}

impl RunLease {
    pub fn new(owner: &str, now_ms: u64) -> Self {
        Self::lasting(owner, now_ms, RUN_LEASE)
    }

    /// A lease for `length` (a wait holds one across the sleep between its calls).
    pub fn lasting(owner: &str, now_ms: u64, length: Duration) -> Self {
        RunLease {
            owner: owner.to_owned(),
            started_at_ms: now_ms,
            until_ms: now_ms + length.as_millis() as u64,
        }
    }
}

impl PendingRequest {
    pub fn is_expired(&self) -> bool {
        now_millis() >= self.expires_at_ms
    }

    /// Whether it is Running under a lease that ran out (or none, as written before leases
    /// existed): its runner is gone.
    pub fn is_abandoned(&self, now_ms: u64) -> bool {
        self.state == RequestState::Running
            && self
                .lease
                .as_ref()
                .is_none_or(|lease| now_ms >= lease.until_ms)
    }

    pub fn minutes_left(&self) -> u64 {
        self.expires_at_ms
            .saturating_sub(now_millis())
            .div_ceil(60_000)
    }
}

pub use crate::common::now_millis;

/// A request as read, with the exact bytes a compare-and-swap must match.
pub struct Loaded {
    pub request: PendingRequest,
    raw: Vec<u8>,
}

/// Pending requests over the durable store.
#[derive(Clone)]
pub struct PendingRequests {
    store: Arc<dyn Store>,
}

impl PendingRequests {
    pub fn new(store: Arc<dyn Store>) -> Self {
        PendingRequests { store }
    }

    /// The durable store the requests live in (alarm records share it).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn ttl(request: &PendingRequest) -> Duration {
        Duration::from_millis(request.expires_at_ms.saturating_sub(now_millis())) + TOMBSTONE
    }

    /// Stores a new request (or replaces it outright, for the card reference).
    pub async fn put(&self, request: &PendingRequest) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(request).expect("pending requests serialise");
        self.store
            .put(
                NAMESPACE,
                &request.id,
                Record::expiring(bytes, Self::ttl(request)),
            )
            .await?;
        metrics::global().request_transition(request.state.name());
        Ok(())
    }

    /// Records where the card of request `id` is, for as long as the request is kept.
    pub async fn set_card(
        &self,
        id: &str,
        card: &MessageRef,
        expires_at_ms: u64,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(card).expect("message references serialise");
        let ttl = Duration::from_millis(expires_at_ms.saturating_sub(now_millis())) + TOMBSTONE;
        self.store
            .put(CARDS_NAMESPACE, id, Record::expiring(bytes, ttl))
            .await
    }

    /// Where the card of request `id` is, if it was recorded.
    pub async fn card(&self, id: &str) -> Option<MessageRef> {
        let bytes = self.store.get(CARDS_NAMESPACE, id).await.ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    /// The request under `id`; `None` when unknown (never issued, forged, or long gone).
    pub async fn load(&self, id: &str) -> Result<Option<Loaded>, StoreError> {
        if !is_well_formed(id) {
            return Ok(None);
        }
        let Some(raw) = self.store.get(NAMESPACE, id).await? else {
            return Ok(None);
        };
        match serde_json::from_slice(&raw) {
            Ok(request) => Ok(Some(Loaded { request, raw })),
            Err(source) => Err(StoreError::Decode {
                namespace: NAMESPACE.to_owned(),
                key: id.to_owned(),
                source,
            }),
        }
    }

    /// Notes that `id` is Running, for [`Self::running_ids`]. Kept as long as the request.
    pub async fn mark_running(&self, request: &PendingRequest) -> Result<(), StoreError> {
        self.store
            .put(
                RUNNING_NAMESPACE,
                &request.id,
                Record::expiring(Vec::new(), Self::ttl(request)),
            )
            .await
    }

    /// Ids noted as Running (some may have finished since).
    pub async fn running_ids(&self) -> Result<Vec<String>, StoreError> {
        self.store.keys(RUNNING_NAMESPACE).await
    }

    /// Forgets that `id` was Running.
    pub async fn unmark_running(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete(RUNNING_NAMESPACE, id).await.map(|_| ())
    }

    /// Replaces `loaded` with `next` only if nobody changed it since it was read. True when
    /// this caller won.
    pub async fn transition(
        &self,
        loaded: &Loaded,
        next: &PendingRequest,
    ) -> Result<bool, StoreError> {
        let bytes = serde_json::to_vec(next).expect("pending requests serialise");
        let won = self
            .store
            .compare_and_swap(
                NAMESPACE,
                &next.id,
                Swap::replace(loaded.raw.clone(), Record::expiring(bytes, Self::ttl(next))),
            )
            .await?;
        if won && next.state != loaded.request.state {
            metrics::global().request_transition(next.state.name());
        }
        Ok(won)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{GlobalOptions, OutputFormat};

    #[test]
    fn ids_are_random_url_safe_and_checked() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        assert!(is_well_formed(&a), "{a}");
        for forged in [
            "",
            "short",
            "../../etc/passwd-xxxxxxxxxx",
            "aaaaaaaaaaaaaaaaaaaaa=",
            &format!("{a}x"),
        ] {
            assert!(!is_well_formed(forged), "{forged}");
        }
    }

    #[test]
    fn the_requester_is_matched_by_object_id_then_teams_id() {
        let requester = StoredRequester {
            user_id: Some("29:ada".into()),
            who: Requester {
                user_object_id: Some("oid-ada".into()),
                user_name: Some("Ada".into()),
                tenant_id: None,
                team_id: None,
                channel_id: None,
                conversation_id: "c".into(),
                conversation_type: None,
            },
        };
        assert!(requester.is(Some("oid-ada"), Some("29:other")));
        assert!(!requester.is(Some("oid-bob"), Some("29:ada")));
        assert!(requester.is(None, Some("29:ada")));
        assert!(!requester.is(None, None));
    }

    /// Stored requests outlive the version that wrote them: the requester and the invocation
    /// are written with the same field names in the same order, and what was stored reads back.
    #[test]
    fn stored_requests_keep_their_json() {
        let requester_json = concat!(
            r#"{"user_id":"29:ada","user_object_id":"oid-ada","user_name":"Ada","#,
            r#""tenant_id":"72f988bf-86f1-41af-91ab-2d7cd011db47","team_id":null,"#,
            r#""channel_id":"19:ops@thread.tacv2","conversation_id":"19:ops@thread.tacv2;messageid=1","#,
            r#""conversation_type":"channel"}"#
        );
        let stored: StoredRequester = serde_json::from_str(requester_json).unwrap();
        assert_eq!(serde_json::to_string(&stored).unwrap(), requester_json);
        assert_eq!(
            stored.to_requester(),
            Requester {
                tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
                team_id: None,
                channel_id: Some("19:ops@thread.tacv2".into()),
                conversation_id: "19:ops@thread.tacv2;messageid=1".into(),
                conversation_type: Some("channel".into()),
                user_object_id: Some("oid-ada".into()),
                user_name: Some("Ada".into()),
            }
        );
        assert!(stored.is(None, Some("29:ada")));

        let invocation_json = concat!(
            r#"{"service":"cloudwatch","operation":"DescribeAlarms","cli_operation":"describe-alarms","#,
            r#""params":{"StateValue":"ALARM"},"region":"eu-west-1","query":"MetricAlarms[].AlarmName","#,
            r#""output":"table","max_items":5,"starting_token":null,"page_size":2,"no_paginate":false}"#
        );
        let invocation = Invocation {
            service: "cloudwatch".into(),
            operation: "DescribeAlarms".into(),
            cli_operation: "describe-alarms".into(),
            params: serde_json::json!({"StateValue": "ALARM"})
                .as_object()
                .unwrap()
                .clone(),
            globals: GlobalOptions {
                region: Some("eu-west-1".into()),
                query: Some("MetricAlarms[].AlarmName".into()),
                output: Some(OutputFormat::Table),
                max_items: Some(5),
                starting_token: None,
                page_size: Some(2),
                no_paginate: false,
                ..GlobalOptions::default()
            },
        };
        assert_eq!(
            serde_json::to_string(&StoredInvocation::from(&invocation)).unwrap(),
            invocation_json
        );
        let stored: StoredInvocation = serde_json::from_str(invocation_json).unwrap();
        assert_eq!(stored.to_invocation(), invocation);
        assert_eq!(serde_json::to_string(&stored).unwrap(), invocation_json);
    }
}
