//! Guardrail evaluation, IAM action names and the built-in templates, table by table.

use super::*;
use crate::models::Models;

fn action(text: &str) -> IamAction {
    let (prefix, name) = text.split_once(':').unwrap();
    IamAction::new(prefix, name)
}

fn guardrail(names: &[&str]) -> Guardrail {
    Guardrail::new(names.iter().map(|n| template(n).unwrap()).collect())
}

fn statement(effect: Effect, negated: bool, actions: &[&str]) -> Statement {
    Statement {
        effect,
        negated,
        patterns: patterns(actions),
    }
}

/// Actions, each with whether it is expected to match (or to be allowed).
type Expectations<'a> = &'a [(&'a str, bool)];

/// Actions, each with the decision expected on it.
type Decisions<'a> = Vec<(&'a str, GuardrailDecision)>;

/// Each pattern with actions and whether it matches them.
#[test]
fn wildcards_match_like_iam() {
    let cases: &[(&str, Expectations)] = &[
        ("*", &[("ec2:DescribeInstances", true)]),
        (
            "ec2:*",
            &[
                ("ec2:DescribeInstances", true),
                ("ec22:DescribeInstances", false),
            ],
        ),
        (
            "ec2:Describe*",
            &[("ec2:DescribeInstances", true), ("ec2:RunInstances", false)],
        ),
        ("EC2:describe*", &[("ec2:DescribeInstances", true)]),
        (
            "ec2:Describe?nstances",
            &[
                ("ec2:DescribeInstances", true),
                ("ec2:DescribeXXnstances", false),
            ],
        ),
        ("ec2:*Instances", &[("ec2:TerminateInstances", true)]),
        ("ec2:*Inst*es", &[("ec2:TerminateInstances", true)]),
        ("ec2:RunInstances", &[("ec2:RunInstancesX", false)]),
        (
            "*:Get*",
            &[
                ("s3:GetBucketPolicy", true),
                ("lambda:InvokeFunction", false),
            ],
        ),
        ("lambda:invokeFunction", &[("lambda:InvokeFunction", true)]),
        (
            "s3:*Object",
            &[("s3:GetObject", true), ("s3:GetObjectAcl", false)],
        ),
        ("*:*", &[("a:b", true)]),
    ];
    for (pattern, candidates) in cases {
        let parsed = ActionPattern::parse(pattern).unwrap();
        for (candidate, expected) in *candidates {
            assert_eq!(
                parsed.matches(&action(candidate)),
                *expected,
                "{pattern} vs {candidate}"
            );
        }
    }
}

#[test]
fn malformed_patterns_are_refused() {
    for bad in [
        "ec2",
        "ec2:",
        ":Describe",
        "ec2:Describe Instances",
        "ec2:a:b",
        "",
    ] {
        assert!(ActionPattern::parse(bad).is_err(), "{bad:?}");
    }
}

fn allowed(policy: &str) -> GuardrailDecision {
    GuardrailDecision::Allowed {
        policy: policy.into(),
    }
}

fn denied(policy: &str) -> GuardrailDecision {
    GuardrailDecision::ExplicitlyDenied {
        policy: policy.into(),
    }
}

/// Each set of policies with the decisions it makes on some actions.
#[test]
fn evaluation_follows_iam_order() {
    use Effect::{Allow, Deny};
    let policy = |name: &str, statements| Policy::new(name, statements);
    let not_allowed = GuardrailDecision::NotAllowed;
    let cases: Vec<(Vec<Policy>, Decisions)> = vec![
        // Allow then nothing else; nothing allows: implicit deny.
        (
            vec![policy("p", vec![statement(Allow, false, &["ec2:*"])])],
            vec![
                ("ec2:RebootInstances", allowed("p")),
                ("s3:ListBucket", not_allowed.clone()),
            ],
        ),
        // Inline deny beats allow, whichever comes first and in whichever policy.
        (
            vec![
                policy("allow-all", vec![statement(Allow, false, &["*"])]),
                policy(
                    INLINE_POLICY_NAME,
                    vec![statement(Deny, false, &["ec2:Terminate*"])],
                ),
            ],
            vec![("ec2:TerminateInstances", denied(INLINE_POLICY_NAME))],
        ),
        (
            vec![policy(
                "p",
                vec![
                    statement(Deny, false, &["ec2:Terminate*"]),
                    statement(Allow, false, &["ec2:*"]),
                ],
            )],
            vec![("ec2:TerminateInstances", denied("p"))],
        ),
        // NotAction allow: everything but the listed.
        (
            vec![policy("p", vec![statement(Allow, true, &["iam:*"])])],
            vec![
                ("ec2:RunInstances", allowed("p")),
                ("iam:ListRoles", not_allowed),
            ],
        ),
        // NotAction deny: denies everything but the listed.
        (
            vec![policy(
                "p",
                vec![
                    statement(Allow, false, &["*"]),
                    statement(Deny, true, &["cloudwatch:*", "logs:*"]),
                ],
            )],
            vec![
                ("ec2:DescribeInstances", denied("p")),
                ("logs:FilterLogEvents", allowed("p")),
            ],
        ),
    ];
    for (policies, decisions) in cases {
        let guardrail = Guardrail::new(policies);
        for (candidate, expected) in decisions {
            assert_eq!(
                guardrail.evaluate(&action(candidate)),
                expected,
                "{candidate}"
            );
        }
    }
}

/// Each template (or combination) with actions and whether it allows them.
#[test]
fn templates_hold_what_aws_chatbot_documents() {
    let cases: &[(&[&str], Expectations)] = &[
        (
            &["Notification"],
            &[
                ("cloudwatch:DescribeAlarms", true),
                ("cloudwatch:GetMetricData", true),
                ("cloudwatch:ListMetrics", true),
                ("cloudwatch:PutMetricAlarm", false),
                ("ec2:DescribeInstances", false),
            ],
        ),
        (
            &["ReadOnly"],
            &[
                ("ec2:DescribeInstances", true),
                ("lambda:ListFunctions", true),
                ("lambda:GetFunction", true),
                ("logs:FilterLogEvents", true),
                ("logs:StartQuery", true),
                ("lambda:InvokeFunction", false),
                ("ec2:RunInstances", false),
                ("ec2:TerminateInstances", false),
                ("support:CreateCase", false),
                ("iam:ListRoles", false),
                ("kms:ListKeys", false),
                ("sts:GetCallerIdentity", false),
                ("ssm:GetParameter", false),
                ("ssm:DescribeParameters", false),
                ("s3:GetBucketPolicy", false),
                ("s3:GetBucketLocation", true),
                ("cognito-idp:GetSigningCertificate", false),
                ("ec2:GetPasswordData", false),
                ("ecr:GetAuthorizationToken", false),
                ("gamelift:RequestUploadCredentials", false),
                ("gamelift:GetInstanceAccess", false),
                ("lightsail:DownloadDefaultKeyPair", false),
                ("lightsail:GetInstanceAccessDetails", false),
                ("lightsail:GetKeyPair", false),
                ("lightsail:GetKeyPairs", false),
                ("lightsail:GetInstances", true),
                ("redshift:GetClusterCredentials", false),
                ("storagegateway:DescribeChapCredentials", false),
            ],
        ),
        (
            &["LambdaInvoke"],
            &[
                ("lambda:InvokeFunction", true),
                ("lambda:InvokeAsync", true),
                ("lambda:ListFunctions", false),
            ],
        ),
        (
            &["Support"],
            &[
                ("support:CreateCase", true),
                ("support:DescribeCases", true),
                ("ec2:DescribeInstances", false),
            ],
        ),
        (
            &["IncidentManager"],
            &[
                ("ssm-incidents:ListIncidentRecords", true),
                ("ssm:ListDocuments", false),
            ],
        ),
        // Combinations: the ReadOnly deny list still applies to what others allow.
        (
            &["ReadOnly", "LambdaInvoke"],
            &[("lambda:InvokeFunction", true)],
        ),
        (&["ReadOnly", "Support"], &[("support:CreateCase", true)]),
        (
            &["ReadOnly", "IncidentManager"],
            &[
                ("ssm-incidents:StartIncident", true),
                ("ssm:GetParameter", false),
            ],
        ),
    ];
    for (names, actions) in cases {
        let guardrail = guardrail(names);
        for (candidate, expected) in *actions {
            let decision = guardrail.evaluate(&action(candidate));
            assert_eq!(
                matches!(decision, GuardrailDecision::Allowed { .. }),
                *expected,
                "{names:?} {candidate}: {decision:?}"
            );
        }
    }
    assert!(TEMPLATE_NAMES.iter().all(|name| template(name).is_some()));
    assert!(template("readonly").is_none(), "template names are exact");
}

#[test]
fn no_guardrail_means_read_only_and_never_more() {
    let default = Guardrail::new(Vec::new());
    assert_eq!(default, Guardrail::default_read_only());
    assert_eq!(default.names(), ["ReadOnly"]);
    assert_eq!(
        default.evaluate(&action("ec2:RunInstances")),
        GuardrailDecision::NotAllowed
    );
}

#[test]
fn refusals_name_the_guardrail_and_the_action() {
    let read_only = guardrail(&["ReadOnly"]);
    let invoke = action("lambda:InvokeFunction");
    assert_eq!(
        read_only
            .refusal(&read_only.evaluate(&invoke), &invoke)
            .unwrap(),
        "the channel guardrail ReadOnly does not allow lambda:InvokeFunction"
    );
    let iam = action("iam:ListRoles");
    assert_eq!(
        read_only.refusal(&read_only.evaluate(&iam), &iam).unwrap(),
        "the channel guardrail ReadOnly denies iam:ListRoles"
    );
    let two = guardrail(&["Notification", "Support"]);
    let run = action("ec2:RunInstances");
    assert_eq!(
        two.refusal(&two.evaluate(&run), &run).unwrap(),
        "the channel guardrails Notification, Support do not allow ec2:RunInstances"
    );
    let allowed = action("support:CreateCase");
    assert!(two.refusal(&two.evaluate(&allowed), &allowed).is_none());
}

/// Most operations need the action of their own name under the service's IAM prefix; the
/// second table holds those whose IAM action has another name.
#[test]
fn iam_action_names_come_from_the_models() {
    let models = Models::global();
    let action_of = |service: &str, operation: &str| {
        let model = models.service(service).unwrap();
        iam_action(&model, operation).to_string()
    };
    // (service, IAM prefix, operations).
    let prefixes: &[(&str, &str, &[&str])] = &[
        ("cloudwatch", "cloudwatch", &["DescribeAlarms"]),
        ("logs", "logs", &["FilterLogEvents"]),
        ("lambda", "lambda", &["ListFunctions"]),
        ("s3api", "s3", &["GetBucketLocation"]),
        ("ec2", "ec2", &["DescribeInstances"]),
        ("support", "support", &["CreateCase"]),
        ("ses", "ses", &["SendEmail"]),
        ("sesv2", "ses", &["SendEmail"]),
        ("elbv2", "elasticloadbalancing", &["DescribeLoadBalancers"]),
        ("stepfunctions", "states", &["ListStateMachines"]),
        ("resourcegroupstaggingapi", "tag", &["GetResources"]),
        ("iot-data", "iot", &["GetThingShadow"]),
        ("ssm-incidents", "ssm-incidents", &["ListIncidentRecords"]),
        ("emr", "elasticmapreduce", &["ListClusters"]),
    ];
    for (service, prefix, operations) in prefixes {
        for operation in *operations {
            assert_eq!(
                action_of(service, operation),
                format!("{prefix}:{operation}")
            );
        }
    }
    // (service, operations with the IAM action each needs).
    let renamed: &[(&str, &[(&str, &str)])] = &[
        ("lambda", &[("Invoke", "lambda:InvokeFunction")]),
        (
            "s3api",
            &[
                ("ListObjectsV2", "s3:ListBucket"),
                ("ListBuckets", "s3:ListAllMyBuckets"),
                ("HeadObject", "s3:GetObject"),
            ],
        ),
        // API Gateway's management APIs are authorised by HTTP method.
        (
            "apigateway",
            &[
                ("GetRestApis", "apigateway:GET"),
                ("DeleteRestApi", "apigateway:DELETE"),
            ],
        ),
    ];
    for (service, operations) in renamed {
        for (operation, expected) in *operations {
            assert_eq!(
                action_of(service, operation),
                *expected,
                "{service} {operation}"
            );
        }
    }
}
