//! The authorizer's decisions, table by table: every refusal names its layer and is audited,
//! accounts are asked for and remembered, regions remembered, and a configuration change
//! applies to the next decision. STS is stood in for here (the moto tests cover the real one).

use std::collections::HashSet;
use std::sync::Mutex;

use serde_json::Value;

use super::*;
use crate::audit::AuditMemory;
use crate::command::GlobalOptions;
use crate::policy::assume_role::AssumeRoleError;
use crate::policy::test_fixtures::{
    access_config, account, assert_mentions, channel, channel_requester, Place, ALICE, CAROL,
    ONCALL, OPS, TEAM, TENANT,
};
use crate::policy::Credentials;
use crate::store::EmbeddedStore;

/// Two accounts; `ops` may use both under `ops_guardrails`, `oncall` only production and only
/// with user roles.
fn config(ops_guardrails: &[&str], ops_accounts: &[&str]) -> AccessConfig {
    access_config(
        Some("us-east-1"),
        &[
            account("production", "123456789012")
                .default_region("eu-west-1")
                .channel_role("chatops-readonly")
                .user_role(ALICE, "oncall-alice"),
            account("staging", "210987654321").channel_role("chatops-staging"),
        ],
        &[
            channel(
                "ops",
                Place::Channel {
                    team: Some(TEAM),
                    channel_id: OPS,
                },
                ops_accounts,
            )
            .guardrails(ops_guardrails),
            channel(
                "oncall",
                Place::Channel {
                    team: None,
                    channel_id: ONCALL,
                },
                &["production"],
            )
            .require_user_roles(),
        ],
    )
}

const BOTH_ACCOUNTS: &[&str] = &["production", "staging"];

#[derive(Default)]
struct FakeSts {
    requests: Mutex<Vec<RoleRequest>>,
    refused_roles: HashSet<String>,
}

impl FakeSts {
    /// Records the request, and refuses the roles it was told to as STS words it.
    fn answer(&self, request: &RoleRequest) -> Result<Credentials, AssumeRoleError> {
        self.requests.lock().unwrap().push(request.clone());
        if self.refused_roles.contains(&request.role_arn) {
            return Err(AssumeRoleError::Refused {
                role_arn: request.role_arn.clone(),
                code: "AccessDenied".into(),
                message: "not authorized to perform sts:AssumeRole".into(),
            });
        }
        Ok(Credentials::new(
            "ASIAFAKE",
            "secret-never-shown",
            Some("token".into()),
            None,
            "fake",
        ))
    }
}

#[async_trait::async_trait]
impl RoleAssumer for FakeSts {
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, AssumeRoleError> {
        self.answer(request)
    }
}

struct Fixture {
    authorizer: ChannelAuthorizer,
    audit: AuditMemory,
    sts: Arc<FakeSts>,
    _directory: tempfile::TempDir,
}

async fn fixture_with(ops_guardrails: &[&str], sts: FakeSts) -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(directory.path().join("state.redb"))
        .await
        .unwrap();
    let (log, audit) = AuditLog::memory();
    let sts = Arc::new(sts);
    Fixture {
        authorizer: ChannelAuthorizer::new(
            config(ops_guardrails, BOTH_ACCOUNTS),
            Arc::new(store),
            sts.clone(),
            Arc::new(log),
            "ap-south-1",
        ),
        audit,
        sts,
        _directory: directory,
    }
}

async fn fixture() -> Fixture {
    fixture_with(&["ReadOnly", "Support"], FakeSts::default()).await
}

impl Fixture {
    /// The decision on `cloudwatch describe-alarms` (with `--region` when given).
    async fn describe_alarms(&self, requester: &Requester, region: Option<&str>) -> Decision {
        let describe = invocation("cloudwatch", "DescribeAlarms", region);
        self.authorizer.decide(requester, &describe).await
    }

    /// The region a permit to describe alarms runs in.
    async fn region(&self, requester: &Requester, region: Option<&str>) -> String {
        permit(self.describe_alarms(requester, region).await)
            .region()
            .to_owned()
    }

    async fn choose_account(&self, requester: &Requester, account: &str) {
        self.authorizer
            .set_default_account(requester, account)
            .await
            .unwrap();
    }
}

fn invocation(service: &str, operation: &str, region: Option<&str>) -> Invocation {
    Invocation {
        service: service.into(),
        operation: operation.into(),
        cli_operation: crate::models::xform_name(operation),
        params: serde_json::Map::new(),
        globals: GlobalOptions {
            region: region.map(str::to_owned),
            ..GlobalOptions::default()
        },
    }
}

fn denial(decision: Decision) -> Denial {
    match decision {
        Decision::Deny(denial) => denial,
        other => panic!("expected a denial, got {other:?}"),
    }
}

fn permit(decision: Decision) -> Permit {
    match decision {
        Decision::Permit(permit) => permit,
        other => panic!("expected a permit, got {other:?}"),
    }
}

fn last_record(audit: &AuditMemory) -> Value {
    audit.records().last().cloned().expect("an audit record")
}

#[tokio::test]
async fn every_refusal_names_its_layer_and_is_audited() {
    let fixture = fixture().await;
    let other_channel = Requester {
        channel_id: Some("19:elsewhere@thread.tacv2".into()),
        conversation_id: "19:elsewhere@thread.tacv2".into(),
        ..channel_requester(OPS, Some(ALICE))
    };
    let describe = || invocation("cloudwatch", "DescribeAlarms", None);
    let alice = || channel_requester(OPS, Some(ALICE));
    let cases: Vec<(Requester, Invocation, DenialLayer, &str)> = vec![
        (
            alice(),
            invocation("iam", "ListRoles", None),
            DenialLayer::NeverAllowed,
            "never allowed",
        ),
        (
            other_channel,
            describe(),
            DenialLayer::Channel,
            "channel_id = \"19:elsewhere@thread.tacv2\"",
        ),
        (
            channel_requester(OPS, None),
            describe(),
            DenialLayer::Role,
            "no Entra object id",
        ),
        (
            alice(),
            invocation("lambda", "Invoke", None),
            DenialLayer::Guardrail,
            "The channel guardrails ReadOnly, Support do not allow lambda:InvokeFunction",
        ),
        (
            alice(),
            invocation("ssm", "GetParameter", None),
            DenialLayer::Guardrail,
            "The channel guardrail ReadOnly denies ssm:GetParameter",
        ),
        (
            channel_requester(ONCALL, Some(CAROL)),
            describe(),
            DenialLayer::Role,
            CAROL,
        ),
    ];
    for (requester, invocation, layer, words) in cases {
        let refused = denial(fixture.authorizer.decide(&requester, &invocation).await);
        assert_eq!(refused.layer, layer, "{refused:?}");
        assert_mentions(&refused.message, &[words]);
        let record = last_record(&fixture.audit);
        assert_eq!(record["outcome"]["kind"], "denied");
        assert_eq!(record["outcome"]["layer"], layer.name());
        assert_eq!(record["outcome"]["reason"], refused.message.as_str());
        assert_eq!(record["operation"], invocation.operation.as_str());
    }
    assert_eq!(fixture.audit.records().len(), 6, "one record per refusal");
    assert!(
        fixture.sts.requests.lock().unwrap().is_empty(),
        "no role assumed for a refusal"
    );
}

#[tokio::test]
async fn several_accounts_are_asked_about_then_remembered() {
    let fixture = fixture().await;
    let alice = channel_requester(OPS, Some(ALICE));
    match fixture.describe_alarms(&alice, None).await {
        Decision::ChooseAccount(question) => {
            let names: Vec<&str> = question.accounts.iter().map(|a| a.name.as_str()).collect();
            assert_eq!(names, ["production", "staging"]);
            assert!(question.message.contains("7 days"));
        }
        other => panic!("expected the account question, got {other:?}"),
    }
    assert!(
        fixture.audit.records().is_empty(),
        "a question is not an outcome"
    );
    // authorize() tells a flow without the question how to choose.
    let describe = invocation("cloudwatch", "DescribeAlarms", None);
    let refused = fixture
        .authorizer
        .authorize(&alice, &describe)
        .await
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Account);
    assert_mentions(&refused.message, &["set default-account"]);

    let chosen = fixture
        .authorizer
        .set_default_account(&alice, "210987654321")
        .await
        .unwrap();
    assert_eq!(chosen.name, "staging");
    let granted = permit(fixture.describe_alarms(&alice, None).await);
    assert_eq!(granted.account().unwrap().name, "staging");
    assert_eq!(
        granted.role_arn(),
        Some("arn:aws:iam::210987654321:role/chatops-staging")
    );
    // staging has no default region: access.default_region.
    assert_eq!(granted.region(), "us-east-1");
    assert_eq!(granted.channel_key(), Some("ops"));
    assert_eq!(granted.iam_action(), Some("cloudwatch:DescribeAlarms"));

    let choices = fixture.authorizer.account_choices(&alice).await.unwrap();
    assert_eq!(choices.current.unwrap().name, "staging");
    assert_eq!(choices.accounts.len(), 2);

    // Another user in the same channel still gets the question.
    let carol = channel_requester(OPS, Some(CAROL));
    assert!(matches!(
        fixture.describe_alarms(&carol, None).await,
        Decision::ChooseAccount(_)
    ));
    // Only the channel's accounts can be chosen.
    let refused = fixture
        .authorizer
        .set_default_account(&alice, "999999999999")
        .await
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Account);
}

#[tokio::test]
async fn the_role_is_assumed_as_the_user_with_tags() {
    let fixture = fixture().await;
    let alice = channel_requester(ONCALL, Some(&ALICE.to_uppercase()));
    let granted = permit(fixture.describe_alarms(&alice, None).await);
    // One account: no question. A user role, in a channel that requires them.
    assert_eq!(granted.account().unwrap().id, "123456789012");
    assert_eq!(
        granted.role_arn(),
        Some("arn:aws:iam::123456789012:role/oncall-alice")
    );
    assert_eq!(
        granted.region(),
        "eu-west-1",
        "the account's default region"
    );
    assert!(!format!("{granted:?}").contains("secret-never-shown"));
    let requests = fixture.sts.requests.lock().unwrap();
    let request = requests.last().unwrap();
    assert_eq!(request.session_name, "Alice.Example");
    assert_eq!(request.source_identity.as_deref(), Some(ALICE));
    assert_eq!(request.user_object_id, ALICE);
    assert_eq!(request.duration_seconds, 3600);
    let tags: Vec<(&str, &str)> = request
        .session_tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            ("teams-tenant", TENANT),
            ("teams-team", TEAM),
            ("teams-channel", ONCALL),
            ("chatops-channel", "oncall"),
        ]
    );
}

#[tokio::test]
async fn the_region_given_once_is_remembered_for_the_channel() {
    let fixture = fixture().await;
    let alice = channel_requester(OPS, Some(ALICE));
    fixture.choose_account(&alice, "production").await;
    assert_eq!(fixture.region(&alice, None).await, "eu-west-1");
    assert_eq!(fixture.region(&alice, Some("us-west-2")).await, "us-west-2");
    assert_eq!(
        fixture.region(&alice, None).await,
        "us-west-2",
        "remembered for the channel"
    );
    // Another member of the channel gets the channel's region too.
    let carol = channel_requester(OPS, Some(CAROL));
    fixture.choose_account(&carol, "production").await;
    assert_eq!(fixture.region(&carol, None).await, "us-west-2");
    // --region overrides, and becomes the remembered one.
    assert_eq!(
        fixture.region(&carol, Some("eu-central-1")).await,
        "eu-central-1"
    );
    assert_eq!(fixture.region(&alice, None).await, "eu-central-1");
    // Another channel has its own memory.
    let oncall = channel_requester(ONCALL, Some(ALICE));
    assert_eq!(fixture.region(&oncall, None).await, "eu-west-1");
}

#[tokio::test]
async fn sts_refusals_are_credential_denials() {
    let sts = FakeSts {
        refused_roles: ["arn:aws:iam::123456789012:role/oncall-alice".to_owned()].into(),
        ..FakeSts::default()
    };
    let fixture = fixture_with(&["ReadOnly"], sts).await;
    let oncall = channel_requester(ONCALL, Some(ALICE));
    let refused = denial(fixture.describe_alarms(&oncall, None).await);
    assert_eq!(refused.layer, DenialLayer::Credentials);
    assert_mentions(&refused.message, &["AccessDenied", "trust policy"]);
    let record = last_record(&fixture.audit);
    assert_eq!(record["outcome"]["layer"], "credentials");
    assert_eq!(
        record["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-alice"
    );
    assert_eq!(record["account_id"], "123456789012");
    assert_eq!(record["channel_key"], "oncall");
}

#[tokio::test]
async fn a_changed_configuration_applies_to_the_next_decision() {
    let fixture = fixture_with(&["ReadOnly", "LambdaInvoke"], FakeSts::default()).await;
    let alice = channel_requester(OPS, Some(ALICE));
    fixture.choose_account(&alice, "production").await;
    let invoke = invocation("lambda", "Invoke", None);
    permit(fixture.authorizer.decide(&alice, &invoke).await);
    // The administrator removes LambdaInvoke; the re-check at submission refuses.
    fixture
        .authorizer
        .replace_config(config(&["ReadOnly"], BOTH_ACCOUNTS));
    let refused = denial(fixture.authorizer.decide(&alice, &invoke).await);
    assert_eq!(refused.layer, DenialLayer::Guardrail);
    assert!(refused
        .message
        .contains("ReadOnly does not allow lambda:InvokeFunction"));
    // The remembered account that the channel no longer lists is asked about again.
    fixture
        .authorizer
        .replace_config(config(&["ReadOnly"], &["staging", "production"]));
    let granted = permit(fixture.describe_alarms(&alice, None).await);
    assert_eq!(
        granted.account().unwrap().name,
        "production",
        "still a valid choice"
    );
}

#[tokio::test]
async fn terminal_requesters_stand_in_the_configured_channel() {
    let fixture = fixture().await;
    let requester = fixture
        .authorizer
        .terminal_requester("oncall", ALICE)
        .unwrap();
    let granted = permit(fixture.describe_alarms(&requester, None).await);
    assert_eq!(
        granted.role_arn(),
        Some("arn:aws:iam::123456789012:role/oncall-alice")
    );
    let refused = fixture
        .authorizer
        .terminal_requester("nope", ALICE)
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Channel);
    assert_mentions(&refused.message, &["`ops`, `oncall`"]);
    // --account picks the account without a remembered choice.
    let ops = fixture.authorizer.terminal_requester("ops", ALICE).unwrap();
    let granted = permit(
        fixture
            .authorizer
            .decide_with_account(
                &ops,
                &invocation("cloudwatch", "DescribeAlarms", None),
                Some("staging"),
            )
            .await,
    );
    assert_eq!(granted.account().unwrap().name, "staging");
}

/// A notification's chart is fetched as the channel: its channel role in the alarm's account,
/// no user, no source identity.
#[tokio::test]
async fn a_notification_acts_as_the_channel_role_of_the_alarms_account() {
    let fixture = fixture().await;
    let metric_data = invocation("cloudwatch", "GetMetricData", Some("us-west-2"));
    let granted = fixture
        .authorizer
        .authorize_as_channel("ops", "210987654321", &metric_data)
        .await
        .unwrap();
    assert_eq!(granted.account().unwrap().name, "staging");
    assert_eq!(
        granted.role_arn(),
        Some("arn:aws:iam::210987654321:role/chatops-staging")
    );
    assert_eq!(granted.region(), "us-west-2");
    assert_eq!(granted.channel_key(), Some("ops"));
    assert_eq!(granted.iam_action(), Some("cloudwatch:GetMetricData"));
    assert!(granted.covers(&metric_data));
    let requests = fixture.sts.requests.lock().unwrap();
    let request = requests.last().unwrap();
    assert_eq!(request.source_identity, None, "no user behind it");
    assert_eq!(request.session_name, "aws-chatops-notification");
    assert_eq!(request.user_object_id, "notification:ops");
    assert!(
        fixture.audit.records().is_empty(),
        "the caller records the call itself"
    );
}

/// Every refusal of a notification's call names its layer and is audited as the notification.
#[tokio::test]
async fn a_notification_is_refused_layer_by_layer_and_audited() {
    let fixture = fixture().await;
    let metric_data = || invocation("cloudwatch", "GetMetricData", None);
    let cases: Vec<(&str, &str, Invocation, DenialLayer, &str)> = vec![
        (
            "nowhere",
            "123456789012",
            metric_data(),
            DenialLayer::Channel,
            "no channel `nowhere`",
        ),
        (
            "ops",
            "999999999999",
            metric_data(),
            DenialLayer::Account,
            "999999999999",
        ),
        (
            "oncall",
            "123456789012",
            metric_data(),
            DenialLayer::Role,
            "requires user roles",
        ),
        (
            "ops",
            "123456789012",
            invocation("lambda", "Invoke", None),
            DenialLayer::Guardrail,
            "lambda:InvokeFunction",
        ),
        (
            "ops",
            "123456789012",
            invocation("iam", "ListRoles", None),
            DenialLayer::NeverAllowed,
            "never allowed",
        ),
    ];
    for (channel_key, account_id, invocation, layer, words) in cases {
        let refused = fixture
            .authorizer
            .authorize_as_channel(channel_key, account_id, &invocation)
            .await
            .unwrap_err();
        assert_eq!(refused.layer, layer, "{refused:?}");
        assert_mentions(&refused.message, &[words]);
        let record = last_record(&fixture.audit);
        assert_eq!(record["outcome"]["layer"], layer.name());
        assert_eq!(record["user_name"], NOTIFICATION_REQUESTER);
        assert_eq!(record["user_object_id"], Value::Null);
    }
    assert_eq!(fixture.audit.records().len(), 5);
    assert!(fixture.sts.requests.lock().unwrap().is_empty());
}

/// Authorizers without channels (the terminal's local operator) never act as one.
#[tokio::test]
async fn an_authorizer_without_channels_refuses_to_act_as_one() {
    let local = crate::policy::LocalOperator::with_credentials(
        "us-east-1",
        Credentials::new("a", "b", None, None, "test"),
    );
    let refused = local
        .authorize_as_channel(
            "ops",
            "123456789012",
            &invocation("cloudwatch", "GetMetricData", None),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Channel);
}
