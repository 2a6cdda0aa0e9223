//! The authorizer's decisions, table by table: every refusal names its layer and is audited,
//! accounts are asked for and remembered, regions remembered, and a configuration change
//! applies to the next decision. STS is stood in for here (the moto tests cover the real one).

use std::collections::HashSet;
use std::sync::Mutex;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::*;
use crate::audit::AuditMemory;
use crate::command::GlobalOptions;
use crate::policy::assume_role::AssumeRoleError;
use crate::policy::Credentials;
use crate::store::EmbeddedStore;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const TEAM: &str = "8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d";
const OPS: &str = "19:ops@thread.tacv2";
const ONCALL: &str = "19:oncall@thread.tacv2";
const ALICE: &str = "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f";
const CAROL: &str = "cccccccc-0000-0000-0000-000000000003";

fn config_text(ops_guardrails: &str) -> String {
    format!(
        r#"
[access]
default_region = "us-east-1"

[access.accounts.production]
id = "123456789012"
default_region = "eu-west-1"
channel_role = "arn:aws:iam::123456789012:role/chatops-readonly"
user_roles = {{ "{ALICE}" = "arn:aws:iam::123456789012:role/oncall-alice" }}

[access.accounts.staging]
id = "210987654321"
channel_role = "arn:aws:iam::210987654321:role/chatops-staging"

[access.channels.ops]
tenant_id = "{TENANT}"
team_id = "{TEAM}"
channel_id = "{OPS}"
accounts = ["production", "staging"]
guardrails = [{ops_guardrails}]

[access.channels.oncall]
tenant_id = "{TENANT}"
channel_id = "{ONCALL}"
accounts = ["production"]
require_user_roles = true
"#
    )
}

#[derive(Default)]
struct FakeSts {
    requests: Mutex<Vec<RoleRequest>>,
    refused_roles: HashSet<String>,
}

impl RoleAssumer for FakeSts {
    fn assume<'a>(
        &'a self,
        request: &'a RoleRequest,
    ) -> BoxFuture<'a, Result<Credentials, AssumeRoleError>> {
        Box::pin(async move {
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
        })
    }
}

struct Fixture {
    authorizer: ChannelAuthorizer,
    audit: AuditMemory,
    sts: Arc<FakeSts>,
    _directory: tempfile::TempDir,
}

async fn fixture_with(ops_guardrails: &str, sts: FakeSts) -> Fixture {
    let directory = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(directory.path().join("state.redb"))
        .await
        .unwrap();
    let (log, audit) = AuditLog::memory();
    let sts = Arc::new(sts);
    let config = AccessConfig::from_toml_str(&config_text(ops_guardrails)).unwrap();
    Fixture {
        authorizer: ChannelAuthorizer::new(
            config,
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
    fixture_with("\"ReadOnly\", \"Support\"", FakeSts::default()).await
}

fn requester(channel: &str, user: Option<&str>) -> Requester {
    Requester {
        tenant_id: Some(TENANT.into()),
        team_id: Some(TEAM.into()),
        channel_id: Some(channel.into()),
        conversation_id: channel.into(),
        conversation_type: Some("channel".into()),
        user_object_id: user.map(str::to_owned),
        user_name: Some("Alice Example".into()),
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
        ..requester(OPS, Some(ALICE))
    };
    let cases: Vec<(Requester, Invocation, DenialLayer, &str)> = vec![
        (
            requester(OPS, Some(ALICE)),
            invocation("iam", "ListRoles", None),
            DenialLayer::NeverAllowed,
            "never allowed",
        ),
        (
            other_channel,
            invocation("cloudwatch", "DescribeAlarms", None),
            DenialLayer::Channel,
            "channel_id = \"19:elsewhere@thread.tacv2\"",
        ),
        (
            requester(OPS, None),
            invocation("cloudwatch", "DescribeAlarms", None),
            DenialLayer::Role,
            "no Entra object id",
        ),
        (
            requester(OPS, Some(ALICE)),
            invocation("lambda", "Invoke", None),
            DenialLayer::Guardrail,
            "The channel guardrails ReadOnly, Support do not allow lambda:InvokeFunction",
        ),
        (
            requester(OPS, Some(ALICE)),
            invocation("ssm", "GetParameter", None),
            DenialLayer::Guardrail,
            "The channel guardrail ReadOnly denies ssm:GetParameter",
        ),
        (
            requester(ONCALL, Some(CAROL)),
            invocation("cloudwatch", "DescribeAlarms", None),
            DenialLayer::Role,
            CAROL,
        ),
    ];
    for (requester, invocation, layer, words) in cases {
        let refused = denial(fixture.authorizer.decide(&requester, &invocation).await);
        assert_eq!(refused.layer, layer, "{refused:?}");
        assert!(
            refused.message.contains(words),
            "{:?} lacks {words:?}",
            refused.message
        );
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
    let alice = requester(OPS, Some(ALICE));
    let describe = invocation("cloudwatch", "DescribeAlarms", None);
    match fixture.authorizer.decide(&alice, &describe).await {
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
    let refused = fixture
        .authorizer
        .authorize(&alice, &describe)
        .await
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Account);
    assert!(
        refused.message.contains("set default-account"),
        "{}",
        refused.message
    );

    let chosen = fixture
        .authorizer
        .set_default_account(&alice, "210987654321")
        .await
        .unwrap();
    assert_eq!(chosen.name, "staging");
    let granted = permit(fixture.authorizer.decide(&alice, &describe).await);
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
    let carol = requester(OPS, Some(CAROL));
    assert!(matches!(
        fixture.authorizer.decide(&carol, &describe).await,
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
    let alice = requester(ONCALL, Some(&ALICE.to_uppercase()));
    let granted = permit(
        fixture
            .authorizer
            .decide(&alice, &invocation("cloudwatch", "DescribeAlarms", None))
            .await,
    );
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
    let alice = requester(OPS, Some(ALICE));
    fixture
        .authorizer
        .set_default_account(&alice, "production")
        .await
        .unwrap();
    let describe = |region| invocation("cloudwatch", "DescribeAlarms", region);
    assert_eq!(
        permit(fixture.authorizer.decide(&alice, &describe(None)).await).region(),
        "eu-west-1"
    );
    assert_eq!(
        permit(
            fixture
                .authorizer
                .decide(&alice, &describe(Some("us-west-2")))
                .await
        )
        .region(),
        "us-west-2"
    );
    assert_eq!(
        permit(fixture.authorizer.decide(&alice, &describe(None)).await).region(),
        "us-west-2",
        "remembered for the channel"
    );
    // Another member of the channel gets the channel's region too.
    let carol = requester(OPS, Some(CAROL));
    fixture
        .authorizer
        .set_default_account(&carol, "production")
        .await
        .unwrap();
    assert_eq!(
        permit(fixture.authorizer.decide(&carol, &describe(None)).await).region(),
        "us-west-2"
    );
    // --region overrides, and becomes the remembered one.
    assert_eq!(
        permit(
            fixture
                .authorizer
                .decide(&carol, &describe(Some("eu-central-1")))
                .await
        )
        .region(),
        "eu-central-1"
    );
    assert_eq!(
        permit(fixture.authorizer.decide(&alice, &describe(None)).await).region(),
        "eu-central-1"
    );
    // Another channel has its own memory.
    let oncall = requester(ONCALL, Some(ALICE));
    assert_eq!(
        permit(fixture.authorizer.decide(&oncall, &describe(None)).await).region(),
        "eu-west-1"
    );
}

#[tokio::test]
async fn sts_refusals_are_credential_denials() {
    let sts = FakeSts {
        refused_roles: ["arn:aws:iam::123456789012:role/oncall-alice".to_owned()].into(),
        ..FakeSts::default()
    };
    let fixture = fixture_with("\"ReadOnly\"", sts).await;
    let refused = denial(
        fixture
            .authorizer
            .decide(
                &requester(ONCALL, Some(ALICE)),
                &invocation("cloudwatch", "DescribeAlarms", None),
            )
            .await,
    );
    assert_eq!(refused.layer, DenialLayer::Credentials);
    assert!(
        refused.message.contains("AccessDenied"),
        "{}",
        refused.message
    );
    assert!(
        refused.message.contains("trust policy"),
        "{}",
        refused.message
    );
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
    let fixture = fixture_with("\"ReadOnly\", \"LambdaInvoke\"", FakeSts::default()).await;
    let alice = requester(OPS, Some(ALICE));
    fixture
        .authorizer
        .set_default_account(&alice, "production")
        .await
        .unwrap();
    let invoke = invocation("lambda", "Invoke", None);
    permit(fixture.authorizer.decide(&alice, &invoke).await);
    // The administrator removes LambdaInvoke; the re-check at submission refuses.
    fixture
        .authorizer
        .replace_config(AccessConfig::from_toml_str(&config_text("\"ReadOnly\"")).unwrap());
    let refused = denial(fixture.authorizer.decide(&alice, &invoke).await);
    assert_eq!(refused.layer, DenialLayer::Guardrail);
    assert!(refused
        .message
        .contains("ReadOnly does not allow lambda:InvokeFunction"));
    // The remembered account that the channel no longer lists is asked about again.
    let text = config_text("\"ReadOnly\"").replace(
        "accounts = [\"production\", \"staging\"]",
        "accounts = [\"staging\", \"production\"]",
    );
    fixture
        .authorizer
        .replace_config(AccessConfig::from_toml_str(&text).unwrap());
    let granted = permit(
        fixture
            .authorizer
            .decide(&alice, &invocation("cloudwatch", "DescribeAlarms", None))
            .await,
    );
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
    let granted = permit(
        fixture
            .authorizer
            .decide(
                &requester,
                &invocation("cloudwatch", "DescribeAlarms", None),
            )
            .await,
    );
    assert_eq!(
        granted.role_arn(),
        Some("arn:aws:iam::123456789012:role/oncall-alice")
    );
    let refused = fixture
        .authorizer
        .terminal_requester("nope", ALICE)
        .unwrap_err();
    assert_eq!(refused.layer, DenialLayer::Channel);
    assert!(
        refused.message.contains("`ops`, `oncall`"),
        "{}",
        refused.message
    );
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
