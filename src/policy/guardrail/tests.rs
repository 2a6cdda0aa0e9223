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

#[test]
fn wildcards_match_like_iam() {
    let cases: &[(&str, &str, bool)] = &[
        ("*", "ec2:DescribeInstances", true),
        ("ec2:*", "ec2:DescribeInstances", true),
        ("ec2:*", "ec22:DescribeInstances", false),
        ("ec2:Describe*", "ec2:DescribeInstances", true),
        ("EC2:describe*", "ec2:DescribeInstances", true),
        ("ec2:Describe*", "ec2:RunInstances", false),
        ("ec2:Describe?nstances", "ec2:DescribeInstances", true),
        ("ec2:Describe?nstances", "ec2:DescribeXXnstances", false),
        ("ec2:*Instances", "ec2:TerminateInstances", true),
        ("ec2:*Inst*es", "ec2:TerminateInstances", true),
        ("ec2:RunInstances", "ec2:RunInstancesX", false),
        ("*:Get*", "s3:GetBucketPolicy", true),
        ("*:Get*", "lambda:InvokeFunction", false),
        ("lambda:invokeFunction", "lambda:InvokeFunction", true),
        ("s3:*Object", "s3:GetObject", true),
        ("s3:*Object", "s3:GetObjectAcl", false),
        ("*:*", "a:b", true),
    ];
    for (pattern, candidate, expected) in cases {
        let parsed = ActionPattern::parse(pattern).unwrap();
        assert_eq!(
            parsed.matches(&action(candidate)),
            *expected,
            "{pattern} vs {candidate}"
        );
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

#[test]
fn evaluation_follows_iam_order() {
    let policy = |name: &str, statements| Policy::new(name, statements);
    let cases: Vec<(Vec<Policy>, &str, GuardrailDecision)> = vec![
        // Allow then nothing else.
        (
            vec![policy(
                "p",
                vec![statement(Effect::Allow, false, &["ec2:*"])],
            )],
            "ec2:RebootInstances",
            GuardrailDecision::Allowed { policy: "p".into() },
        ),
        // Nothing allows: implicit deny.
        (
            vec![policy(
                "p",
                vec![statement(Effect::Allow, false, &["ec2:*"])],
            )],
            "s3:ListBucket",
            GuardrailDecision::NotAllowed,
        ),
        // Inline deny beats allow, whichever comes first and in whichever policy.
        (
            vec![
                policy("allow-all", vec![statement(Effect::Allow, false, &["*"])]),
                policy(
                    INLINE_POLICY_NAME,
                    vec![statement(Effect::Deny, false, &["ec2:Terminate*"])],
                ),
            ],
            "ec2:TerminateInstances",
            GuardrailDecision::ExplicitlyDenied {
                policy: INLINE_POLICY_NAME.into(),
            },
        ),
        (
            vec![policy(
                "p",
                vec![
                    statement(Effect::Deny, false, &["ec2:Terminate*"]),
                    statement(Effect::Allow, false, &["ec2:*"]),
                ],
            )],
            "ec2:TerminateInstances",
            GuardrailDecision::ExplicitlyDenied { policy: "p".into() },
        ),
        // NotAction allow: everything but the listed.
        (
            vec![policy(
                "p",
                vec![statement(Effect::Allow, true, &["iam:*"])],
            )],
            "ec2:RunInstances",
            GuardrailDecision::Allowed { policy: "p".into() },
        ),
        (
            vec![policy(
                "p",
                vec![statement(Effect::Allow, true, &["iam:*"])],
            )],
            "iam:ListRoles",
            GuardrailDecision::NotAllowed,
        ),
        // NotAction deny: denies everything but the listed.
        (
            vec![policy(
                "p",
                vec![
                    statement(Effect::Allow, false, &["*"]),
                    statement(Effect::Deny, true, &["cloudwatch:*", "logs:*"]),
                ],
            )],
            "ec2:DescribeInstances",
            GuardrailDecision::ExplicitlyDenied { policy: "p".into() },
        ),
        (
            vec![policy(
                "p",
                vec![
                    statement(Effect::Allow, false, &["*"]),
                    statement(Effect::Deny, true, &["cloudwatch:*", "logs:*"]),
                ],
            )],
            "logs:FilterLogEvents",
            GuardrailDecision::Allowed { policy: "p".into() },
        ),
    ];
    for (policies, candidate, expected) in cases {
        let guardrail = Guardrail::new(policies);
        assert_eq!(
            guardrail.evaluate(&action(candidate)),
            expected,
            "{candidate}"
        );
    }
}

#[test]
fn templates_hold_what_aws_chatbot_documents() {
    let cases: &[(&[&str], &str, bool)] = &[
        (&["Notification"], "cloudwatch:DescribeAlarms", true),
        (&["Notification"], "cloudwatch:GetMetricData", true),
        (&["Notification"], "cloudwatch:ListMetrics", true),
        (&["Notification"], "cloudwatch:PutMetricAlarm", false),
        (&["Notification"], "ec2:DescribeInstances", false),
        (&["ReadOnly"], "ec2:DescribeInstances", true),
        (&["ReadOnly"], "lambda:ListFunctions", true),
        (&["ReadOnly"], "lambda:GetFunction", true),
        (&["ReadOnly"], "logs:FilterLogEvents", true),
        (&["ReadOnly"], "logs:StartQuery", true),
        (&["ReadOnly"], "lambda:InvokeFunction", false),
        (&["ReadOnly"], "ec2:RunInstances", false),
        (&["ReadOnly"], "ec2:TerminateInstances", false),
        (&["ReadOnly"], "support:CreateCase", false),
        (&["ReadOnly"], "iam:ListRoles", false),
        (&["ReadOnly"], "kms:ListKeys", false),
        (&["ReadOnly"], "sts:GetCallerIdentity", false),
        (&["ReadOnly"], "ssm:GetParameter", false),
        (&["ReadOnly"], "ssm:DescribeParameters", false),
        (&["ReadOnly"], "s3:GetBucketPolicy", false),
        (&["ReadOnly"], "s3:GetBucketLocation", true),
        (&["ReadOnly"], "cognito-idp:GetSigningCertificate", false),
        (&["ReadOnly"], "ec2:GetPasswordData", false),
        (&["ReadOnly"], "ecr:GetAuthorizationToken", false),
        (&["ReadOnly"], "gamelift:RequestUploadCredentials", false),
        (&["ReadOnly"], "gamelift:GetInstanceAccess", false),
        (&["ReadOnly"], "lightsail:DownloadDefaultKeyPair", false),
        (&["ReadOnly"], "lightsail:GetInstanceAccessDetails", false),
        (&["ReadOnly"], "lightsail:GetKeyPair", false),
        (&["ReadOnly"], "lightsail:GetKeyPairs", false),
        (&["ReadOnly"], "lightsail:GetInstances", true),
        (&["ReadOnly"], "redshift:GetClusterCredentials", false),
        (
            &["ReadOnly"],
            "storagegateway:DescribeChapCredentials",
            false,
        ),
        (&["LambdaInvoke"], "lambda:InvokeFunction", true),
        (&["LambdaInvoke"], "lambda:InvokeAsync", true),
        (&["LambdaInvoke"], "lambda:ListFunctions", false),
        (&["Support"], "support:CreateCase", true),
        (&["Support"], "support:DescribeCases", true),
        (&["Support"], "ec2:DescribeInstances", false),
        (
            &["IncidentManager"],
            "ssm-incidents:ListIncidentRecords",
            true,
        ),
        (&["IncidentManager"], "ssm:ListDocuments", false),
        // Combinations: the ReadOnly deny list still applies to what others allow.
        (&["ReadOnly", "LambdaInvoke"], "lambda:InvokeFunction", true),
        (&["ReadOnly", "Support"], "support:CreateCase", true),
        (
            &["ReadOnly", "IncidentManager"],
            "ssm-incidents:StartIncident",
            true,
        ),
        (&["ReadOnly", "IncidentManager"], "ssm:GetParameter", false),
    ];
    for (names, candidate, expected) in cases {
        let decision = guardrail(names).evaluate(&action(candidate));
        assert_eq!(
            matches!(decision, GuardrailDecision::Allowed { .. }),
            *expected,
            "{names:?} {candidate}: {decision:?}"
        );
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

#[test]
fn iam_action_names_come_from_the_models() {
    let models = Models::global();
    let cases: &[(&str, &str, &str)] = &[
        ("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
        ("logs", "FilterLogEvents", "logs:FilterLogEvents"),
        ("lambda", "Invoke", "lambda:InvokeFunction"),
        ("lambda", "ListFunctions", "lambda:ListFunctions"),
        ("s3api", "ListObjectsV2", "s3:ListBucket"),
        ("s3api", "ListBuckets", "s3:ListAllMyBuckets"),
        ("s3api", "HeadObject", "s3:GetObject"),
        ("s3api", "GetBucketLocation", "s3:GetBucketLocation"),
        ("ec2", "DescribeInstances", "ec2:DescribeInstances"),
        ("support", "CreateCase", "support:CreateCase"),
        ("ses", "SendEmail", "ses:SendEmail"),
        ("sesv2", "SendEmail", "ses:SendEmail"),
        (
            "elbv2",
            "DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancers",
        ),
        (
            "stepfunctions",
            "ListStateMachines",
            "states:ListStateMachines",
        ),
        (
            "resourcegroupstaggingapi",
            "GetResources",
            "tag:GetResources",
        ),
        ("iot-data", "GetThingShadow", "iot:GetThingShadow"),
        ("apigateway", "GetRestApis", "apigateway:GET"),
        ("apigateway", "DeleteRestApi", "apigateway:DELETE"),
        (
            "ssm-incidents",
            "ListIncidentRecords",
            "ssm-incidents:ListIncidentRecords",
        ),
        ("emr", "ListClusters", "elasticmapreduce:ListClusters"),
    ];
    for (service, operation, expected) in cases {
        let model = models.service(service).unwrap();
        assert_eq!(iam_action(&model, operation).to_string(), *expected);
    }
}
