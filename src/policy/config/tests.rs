//! Table tests of the access config: the committed example, every kind of mistake and the
//! line each explanation points at.

use super::*;
use crate::policy::guardrail::{GuardrailDecision, IamAction};

const EXAMPLE: &str = include_str!("../../../config/example.toml");
const BROKEN: &str = include_str!("../../../tests/fixtures/broken-access.toml");
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn problems(text: &str) -> Vec<ConfigProblem> {
    match AccessConfig::from_toml_str(text) {
        Ok(config) => panic!("expected problems, got {config:#?}"),
        Err(problems) => problems.problems,
    }
}

#[test]
fn the_example_is_valid_and_means_what_it_says() {
    let config = AccessConfig::from_toml_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.accounts.keys().collect::<Vec<_>>(),
        ["production", "staging"]
    );
    assert_eq!(
        config.channels.keys().collect::<Vec<_>>(),
        ["ops", "oncall", "leads-chat", "direct"]
    );
    let production = &config.accounts["production"];
    assert_eq!(production.id, "123456789012");
    assert_eq!(production.default_region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        production.user_roles["3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f"],
        "arn:aws:iam::123456789012:role/oncall-alice"
    );

    let ops = &config.channels["ops"];
    assert_eq!(
        ops.location,
        ChannelLocation::TeamsChannel {
            tenant_id: TENANT.into(),
            team_id: Some("8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d".into()),
            channel_id: "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2".into(),
        }
    );
    assert_eq!(ops.accounts, ["production", "staging"]);
    assert_eq!(
        ops.aliases.keys().collect::<Vec<_>>(),
        ["firing", "fn-info"],
        "the channel's aliases"
    );
    assert!(!ops.require_user_roles);
    assert_eq!(
        ops.guardrail.names(),
        ["ReadOnly", "LambdaInvoke", "Support", "ec2-operator"]
    );
    let terminate = IamAction::new("ec2", "TerminateInstances");
    assert_eq!(
        ops.guardrail.evaluate(&terminate),
        GuardrailDecision::ExplicitlyDenied {
            policy: "ec2-operator".into()
        }
    );

    let approval = ops.approval.as_ref().expect("ops needs approvals");
    let needed = approval
        .needed_for(&IamAction::new("rds", "DeleteDBInstance"))
        .expect("rds:Delete* needs approval");
    assert_eq!(needed.pattern, "rds:Delete*");
    assert_eq!(
        needed.approvers.object_ids,
        ["3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f"]
    );
    assert!(needed.approvers.any_other_member);
    assert!(approval
        .needed_for(&IamAction::new("ec2", "DescribeInstances"))
        .is_none());

    let oncall = &config.channels["oncall"];
    assert!(oncall.approval.is_none());
    assert!(oncall.require_user_roles);
    match &oncall.location {
        ChannelLocation::TeamsChannel { channel_id, .. } => {
            assert_eq!(
                channel_id,
                "19:b1c2d3e4f5a6478899aabbccddeeff00@thread.tacv2"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        oncall.guardrail.names(),
        ["ReadOnly", "IncidentManager", "inline"]
    );
    assert!(matches!(
        oncall
            .guardrail
            .evaluate(&IamAction::new("cloudwatch", "SetAlarmState")),
        GuardrailDecision::Allowed { .. }
    ));
    assert_eq!(
        config.channels["direct"].location,
        ChannelLocation::PersonalChats {
            tenant_id: TENANT.into()
        }
    );
    assert_eq!(config.channels["direct"].guardrail.names(), ["ReadOnly"]);
    assert_eq!(
        config.audit.destination,
        AuditDestination::File("/var/log/aws-chatops/audit.jsonl".into())
    );
    assert_eq!(config.assume_role, AssumeRoleSettings::default());
    assert_eq!(config.default_region.as_deref(), Some("us-east-1"));
}

#[test]
fn a_file_without_access_allows_nothing() {
    let config = AccessConfig::from_toml_str("[bot]\nPORT = 8080\n").unwrap();
    assert!(config.channels.is_empty());
    assert!(config.accounts.is_empty());
}

/// `(needle in the broken fixture, words the explanation on that line must contain)`.
const BROKEN_EXPECTATIONS: &[(&str, &[&str])] = &[
    (
        "MicrosoftAppPasword",
        &["unknown setting", "Did you mean `MicrosoftAppPassword`?"],
    ),
    ("[acess]", &["unknown table `acess`"]),
    (
        "\"syslog\"",
        &["unknown audit destination", "\"stdout\" or \"file\""],
    ),
    ("duration_seconds = 60", &["900 to 43200"]),
    (
        "\"12345678901\"",
        &["is not an AWS account id", "12 digits"],
    ),
    ("arn:aws:iam::12345678901:role", &["is not an IAM role ARN"]),
    ("\"europe\"", &["not an AWS region"]),
    (
        "arn:aws:iam::123456789012:role/chatops-readonly\"\n\n[access.accounts.sandbox]",
        &["the role is in account 123456789012 but this account's id is 210987654321"],
    ),
    ("user/not-a-role", &["is not an IAM role ARN"]),
    ("alice@example.com", &["is not an Entra object id"]),
    ("\"Permit\"", &["neither \"Allow\" nor \"Deny\""]),
    ("ec2 StartInstances", &["service:Action"]),
    (
        "arn:aws:s3:::reports/*",
        &["guardrails cap actions, not resources"],
    ),
    ("groupId=8d9a3c4e", &["no tenantId"]),
    (
        "[\"prod\"]",
        &["unknown account `prod`", "Did you mean `production`?"],
    ),
    (
        "[\"Readonly\"]",
        &["unknown guardrail `Readonly`", "Did you mean `ReadOnly`?"],
    ),
    (
        "require_user_role = true",
        &["unknown key `require_user_role`"],
    ),
    ("[access.channels.both]", &["use only one of"]),
    (
        "staging = \"arn:aws:iam::210987654321:role/y\"",
        &["not in this channel's `accounts`"],
    ),
];

fn line_of(text: &str, needle: &str) -> usize {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the fixture"));
    line_column(text, offset).0
}

#[test]
fn every_mistake_of_the_broken_example_is_explained_at_its_line() {
    let report = match AccessConfig::from_toml_str(BROKEN) {
        Ok(_) => panic!("the broken fixture must not load"),
        Err(problems) => problems,
    };
    let explained = report.explain("broken-access.toml", BROKEN);
    for (needle, words) in BROKEN_EXPECTATIONS {
        let line = line_of(BROKEN, needle);
        let prefix = format!("broken-access.toml:{line}:");
        let found = explained
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .any(|l| words.iter().all(|w| l.contains(w)));
        assert!(
            found,
            "no explanation at line {line} containing {words:?} for {needle:?}:\n{explained}"
        );
    }
    // Nothing else is reported: each problem above is the only one of its table.
    assert_eq!(
        report.problems.len(),
        BROKEN_EXPECTATIONS.len(),
        "{explained}"
    );
    // Each explanation shows the line and points at the place.
    assert!(
        explained.contains("   6 | MicrosoftAppPasword = "),
        "{explained}"
    );
    assert!(explained.contains("^^^^"), "{explained}");
}

#[test]
fn small_mistakes_and_their_explanations() {
    let channel = |body: &str| {
        format!(
            "[access.accounts.a]\nid = \"111111111111\"\nchannel_role = \"arn:aws:iam::111111111111:role/r\"\n[access.channels.c]\n{body}\n"
        )
    };
    // A personal-chats entry of tenant TENANT, then `rest`.
    let personal = |rest: &str| {
        channel(&format!(
            "tenant_id = \"{TENANT}\"\npersonal_chats = true\n{rest}"
        ))
    };
    // A valid personal-chats entry with one inline guardrail statement of `body`.
    let statement = |body: &str| {
        personal(&format!(
            "accounts = [\"a\"]\n[[access.channels.c.guardrail_statement]]\neffect = \"Allow\"\n{body}"
        ))
    };
    // A valid personal-chats entry with the alias `name = "template"`.
    let alias = |name: &str, template: &str| {
        personal(&format!(
            "accounts = [\"a\"]\n[access.channels.c.aliases]\n{name} = \"{template}\""
        ))
    };
    let cases: Vec<(String, &str)> = vec![
        (alias("users", "iam list-users"), "is never available from chat"),
        (alias("\"a b\"", "cloudwatch describe-alarms"), "cannot be an alias name"),
        (alias("x", "cloudwatch describe-alarms --nope 1"), "Unknown option --nope"),
        (alias("x", "lambda get-function --function-name $"), "starts no parameter"),
        ("not toml = = 1".into(), "not valid TOML"),
        ("[access]\nsurprise = 1\n".into(), "unknown key `surprise` in [access]"),
        ("access = 3\n".into(), "`access` must be a table"),
        (
            "[access.accounts.a]\nchannel_role = \"arn:aws:iam::111111111111:role/r\"\n".into(),
            "missing key `id`",
        ),
        ("[access.accounts.a]\nid = 111111111111\n".into(), "expected a string"),
        (channel("accounts = [\"a\"]"), "say where this entry applies"),
        (
            channel(&format!("tenant_id = \"{TENANT}\"\nchannel_id = \"General\"\naccounts = [\"a\"]")),
            "is not a Teams channel id",
        ),
        (
            channel("tenant_id = \"not-a-guid\"\npersonal_chats = true\naccounts = [\"a\"]"),
            "is not a tenant id",
        ),
        (
            channel("channel_id = \"19:x@thread.tacv2\"\naccounts = [\"a\"]"),
            "`tenant_id` is required",
        ),
        (
            channel(&format!("tenant_id = \"{TENANT}\"\nconversation_id = \"19:x@thread.v2\"\nteam_id = \"{TENANT}\"\naccounts = [\"a\"]")),
            "`team_id` belongs with `channel_id`",
        ),
        (personal("accounts = []"), "list at least one account"),
        (personal("accounts = [\"a\", \"a\"]"), "listed twice"),
        (personal("accounts = [\"a\"]\nguardrails = []"), "an empty guardrail list"),
        (personal("accounts = [\"a\"]\nrequire_user_roles = true"), "maps none"),
        (
            channel("link = \"https://teams.microsoft.com/l/chat/0/0\"\naccounts = [\"a\"]"),
            "not a channel link",
        ),
        (
            format!("{}\n[access.channels.c.approval]\nactions = [\"ec2 Terminate\"]\napprovers = [\"any-other-member\"]", channel(&format!("tenant_id = \"{TENANT}\"\nchannel_id = \"19:x@thread.tacv2\"\naccounts = [\"a\"]"))),
            "\"ec2 Terminate\": an action is written service:Action",
        ),
        (
            format!("{}\n[access.channels.c.approval]\nactions = [\"ec2:*\"]\napprovers = [\"team-leads\"]", channel(&format!("tenant_id = \"{TENANT}\"\nchannel_id = \"19:x@thread.tacv2\"\naccounts = [\"a\"]"))),
            "\"team-leads\" is neither an Entra object id",
        ),
        (
            format!("{}\n[access.channels.c.approval]\nactions = []\napprovers = []", channel(&format!("tenant_id = \"{TENANT}\"\nchannel_id = \"19:x@thread.tacv2\"\naccounts = [\"a\"]"))),
            "say who may approve",
        ),
        (
            personal("accounts = [\"a\"]\n[access.channels.c.approval]\nactions = [\"ec2:*\"]\napprovers = [\"any-other-member\"]"),
            "in a personal chat nobody else can click Approve",
        ),
        (statement(""), "needs `action = [...]` or `not_action = [...]`"),
        (statement("action = \"*\"\nnot_action = \"iam:*\""), "either `action` or `not_action`"),
        (statement("action = \"*\"\ncondition = 1"), "unknown key `condition`"),
        (
            "[access.guardrails.ReadOnly]\n[[access.guardrails.ReadOnly.statement]]\neffect = \"Allow\"\naction = \"*\"\n".into(),
            "is the name of a built-in template",
        ),
        ("[access.audit]\ndestination = \"file\"\n".into(), "needs `path ="),
        (
            "[access.accounts.a]\nid = \"111111111111\"\nchannel_role = \"arn:aws:iam::111111111111:role/r\"\n[access.accounts.b]\nid = \"111111111111\"\nchannel_role = \"arn:aws:iam::111111111111:role/r\"\n".into(),
            "already configured as `a`",
        ),
        (
            format!("{}\n[access.channels.d]\ntenant_id = \"{TENANT}\"\npersonal_chats = true\naccounts = [\"a\"]\n", personal("accounts = [\"a\"]")),
            "already configured as `c`",
        ),
    ];
    for (text, expected) in cases {
        let found = problems(&text);
        assert!(
            found.iter().any(|p| p.message.contains(expected)),
            "{text}\n--- expected {expected:?} in {found:#?}"
        );
    }
}

#[test]
fn channel_links_and_ids_are_read_as_teams_writes_them() {
    let link = format!("https://teams.microsoft.com/l/channel/19%3AabcDEF123%40thread.tacv2/General?groupId=8D9A3C4E-5B6F-4A1B-9C2D-3E4F5A6B7C8D&tenantId={TENANT}");
    assert_eq!(
        parse_channel_link(&link).unwrap(),
        ChannelLocation::TeamsChannel {
            tenant_id: TENANT.into(),
            team_id: Some("8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d".into()),
            channel_id: "19:abcDEF123@thread.tacv2".into(),
        }
    );
    assert_eq!(
        normalise_channel_id("19%3aabc%40thread.skype").unwrap(),
        "19:abc@thread.skype"
    );
    assert!(parse_channel_link("http://teams.microsoft.com/l/channel/19%3Aa%40thread.tacv2/x?tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47").is_err());
    for (text, region) in [
        ("us-gov-west-1", true),
        ("ap-southeast-4", true),
        ("us-east", false),
        ("US-EAST-1", false),
    ] {
        assert_eq!(is_region(text), region, "{text}");
    }
}

#[test]
fn line_and_column_count_characters() {
    let text = "a = 1\nbé = \"x\"\n";
    assert_eq!(line_column(text, 0), (1, 1));
    let offset = text.find('"').unwrap();
    assert_eq!(line_column(text, offset), (2, 6));
}

#[test]
fn quoted_lines_never_show_secret_values() {
    let cases = [
        // A syntax error on the password's own line.
        "[bot]\nMicrosoftAppPassword = \"hunter2-s3cret\" trailing\n",
        // An unknown key in an inline table holding the password.
        "bot = { MicrosoftAppPassword = 'hunter2-s3cret', Bogus = 1 }\n",
        // A wrong type next to it.
        "[bot]\nclient_secret = hunter2-s3cret\n",
    ];
    for text in cases {
        let shown = ConfigProblems {
            problems: problems(text),
        }
        .explain("bot.toml", text);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("****"), "{shown}");
    }
    // The caret still points where it did: the masked value keeps its width.
    assert_eq!(
        mask_secret_values("MicrosoftAppPassword = \"abc\", other = 1"),
        "MicrosoftAppPassword = *****, other = 1"
    );
    assert_eq!(
        mask_secret_values("region = \"us-east-1\""),
        "region = \"us-east-1\""
    );
}
