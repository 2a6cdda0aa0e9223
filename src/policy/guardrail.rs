//! Guardrails: per-channel IAM-style policies that cap what can run in a conversation (F11).
//! Pure: evaluates IAM action names against policy statements with IAM's rules for actions
//! (explicit Deny wins, then Allow, else deny), names the IAM action an operation needs, and
//! holds the built-in templates of AWS Chatbot's guardrail policies. No IO, no configuration files.
//!
//! Only actions are evaluated. Resources and conditions are the role's business: a guardrail
//! is a cap on top of the role, and what a user may do is guardrail ∩ role.
//!
//! IAM action names come from the service models: the prefix is the model's signing name
//! (`monitoring` for CloudWatch), corrected by [`PREFIX_OVERRIDES`] where IAM uses another
//! prefix, and the action is the operation's name, corrected by [`ACTION_OVERRIDES`] where
//! IAM names the permission differently (`lambda:Invoke` needs `lambda:InvokeFunction`).
//! API Gateway's management APIs are authorised by HTTP method (`apigateway:GET`).

use std::fmt;

use crate::models::ServiceModel;

/// Statement effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// An IAM action: `cloudwatch:DescribeAlarms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAction {
    /// The service prefix, lower case (`cloudwatch`).
    pub prefix: String,
    /// The action name as IAM writes it (`DescribeAlarms`).
    pub name: String,
}

impl IamAction {
    pub fn new(prefix: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into().to_ascii_lowercase(),
            name: name.into(),
        }
    }
}

impl fmt::Display for IamAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.prefix, self.name)
    }
}

/// Signing names whose IAM prefix differs.
pub const PREFIX_OVERRIDES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("iotdata", "iot"),
    ("ioteventsdata", "iotevents"),
    ("IoTSecuredTunneling", "iot"),
    ("tagging", "tag"),
    ("mturk-requester", "mechanicalturk"),
    ("cloudcontrolapi", "cloudformation"),
    ("awsssoportal", "sso"),
];

/// `(IAM prefix, operation)` → the IAM action that authorises it, where the names differ.
/// S3's object and bucket listings are the classic cases; CopyObject also needs
/// `s3:GetObject` on the source, which the role (not the guardrail) decides.
pub const ACTION_OVERRIDES: &[(&str, &str, &str)] = &[
    ("lambda", "Invoke", "InvokeFunction"),
    ("lambda", "InvokeWithResponseStream", "InvokeFunction"),
    ("s3", "ListBuckets", "ListAllMyBuckets"),
    ("s3", "ListObjects", "ListBucket"),
    ("s3", "ListObjectsV2", "ListBucket"),
    ("s3", "ListObjectVersions", "ListBucketVersions"),
    ("s3", "HeadBucket", "ListBucket"),
    ("s3", "HeadObject", "GetObject"),
    ("s3", "CopyObject", "PutObject"),
    ("s3", "DeleteObjects", "DeleteObject"),
    ("s3", "ListMultipartUploads", "ListBucketMultipartUploads"),
    ("s3", "ListParts", "ListMultipartUploadParts"),
    (
        "s3",
        "GetBucketLifecycleConfiguration",
        "GetLifecycleConfiguration",
    ),
    (
        "s3",
        "PutBucketLifecycleConfiguration",
        "PutLifecycleConfiguration",
    ),
    (
        "s3",
        "GetBucketNotificationConfiguration",
        "GetBucketNotification",
    ),
    (
        "s3",
        "PutBucketNotificationConfiguration",
        "PutBucketNotification",
    ),
];

/// The IAM action that `operation_key` of `model` needs.
pub fn iam_action(model: &ServiceModel, operation_key: &str) -> IamAction {
    let signing_name = model.metadata.signing_name();
    let prefix = PREFIX_OVERRIDES
        .iter()
        .find(|(signing, _)| *signing == signing_name)
        .map(|(_, prefix)| (*prefix).to_owned())
        .unwrap_or_else(|| signing_name.to_ascii_lowercase());
    if prefix == "apigateway" {
        if let Some(operation) = model.operations.get(operation_key) {
            return IamAction::new(prefix, operation.http.method.to_ascii_uppercase());
        }
    }
    let name = ACTION_OVERRIDES
        .iter()
        .find(|(p, operation, _)| *p == prefix && *operation == operation_key)
        .map(|(_, _, action)| (*action).to_owned())
        .unwrap_or_else(|| operation_key.to_owned());
    IamAction::new(prefix, name)
}

/// An action pattern from a statement: `*`, `ec2:*`, `cloudwatch:Describe*`, `s3:Get?bject`.
/// Matched case-insensitively, as IAM does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    text: String,
    lowered: Vec<char>,
}

impl ActionPattern {
    /// Checks the shape IAM accepts: `*`, or `prefix:action` where both parts use letters,
    /// digits, `-`, `_`, `.` and the wildcards `*` and `?`.
    pub fn parse(text: &str) -> Result<ActionPattern, String> {
        let text = text.trim();
        if text != "*" {
            let Some((prefix, action)) = text.split_once(':') else {
                return Err("an action is written service:Action, such as \"cloudwatch:DescribeAlarms\" or \"ec2:Describe*\"".into());
            };
            let valid_part = |part: &str| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.*?".contains(c))
            };
            if !valid_part(prefix) || !valid_part(action) {
                return Err("an action uses letters, digits, '-', '_', '.' and the wildcards '*' and '?' on both sides of one ':'".into());
            }
        }
        Ok(ActionPattern {
            text: text.to_owned(),
            lowered: text.to_ascii_lowercase().chars().collect(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, action: &IamAction) -> bool {
        let candidate: Vec<char> = action.to_string().to_ascii_lowercase().chars().collect();
        wildcard_match(&self.lowered, &candidate)
    }
}

/// `pattern` (`*` any run of characters, `?` one character) matches all of `text`, case
/// sensitively: alarm-name patterns of `[notifications.log_groups]`.
pub fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    wildcard_match(&pattern, &text)
}

/// `*` matches any run of characters (colons included, as in IAM), `?` one character.
fn wildcard_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// One statement: an effect over `Action` (the listed actions) or `NotAction` (every action
/// except the listed ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub effect: Effect,
    /// True for `NotAction`.
    pub negated: bool,
    pub patterns: Vec<ActionPattern>,
}

impl Statement {
    pub fn action(effect: Effect, patterns: Vec<ActionPattern>) -> Self {
        Self {
            effect,
            negated: false,
            patterns,
        }
    }

    pub fn not_action(effect: Effect, patterns: Vec<ActionPattern>) -> Self {
        Self {
            effect,
            negated: true,
            patterns,
        }
    }

    /// Whether the statement applies to `action`.
    pub fn applies_to(&self, action: &IamAction) -> bool {
        let listed = self.patterns.iter().any(|p| p.matches(action));
        listed != self.negated
    }
}

/// A named policy: a template, a `[access.guardrails.<name>]` table, or a channel's inline
/// statements (named [`INLINE_POLICY_NAME`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub statements: Vec<Statement>,
}

impl Policy {
    pub fn new(name: impl Into<String>, statements: Vec<Statement>) -> Self {
        Self {
            name: name.into(),
            statements,
        }
    }
}

/// The name a channel's inline statements go by in messages.
pub const INLINE_POLICY_NAME: &str = "inline";

/// How one action fares against a guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardrailDecision {
    /// A statement of this policy allows it and none denies it.
    Allowed { policy: String },
    /// A Deny statement of this policy names it.
    ExplicitlyDenied { policy: String },
    /// No statement allows it.
    NotAllowed,
}

/// The guardrail of one channel: the union of its policies, as IAM combines the policies
/// attached to one principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardrail {
    policies: Vec<Policy>,
}

impl Guardrail {
    /// A guardrail of these policies. An empty list is replaced by ReadOnly: a channel never
    /// gets more than read-only by omission.
    pub fn new(policies: Vec<Policy>) -> Self {
        if policies.is_empty() {
            return Self::default_read_only();
        }
        Self { policies }
    }

    /// What a channel that configures no guardrail gets.
    pub fn default_read_only() -> Self {
        Self {
            policies: vec![template("ReadOnly").expect("ReadOnly is a template")],
        }
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy names, for messages (`ReadOnly, LambdaInvoke`).
    pub fn names(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.name.as_str()).collect()
    }

    /// IAM's order: an explicit Deny anywhere wins; then any Allow; otherwise denied.
    pub fn evaluate(&self, action: &IamAction) -> GuardrailDecision {
        let mut allowed_by = None;
        for policy in &self.policies {
            for statement in &policy.statements {
                if !statement.applies_to(action) {
                    continue;
                }
                match statement.effect {
                    Effect::Deny => {
                        return GuardrailDecision::ExplicitlyDenied {
                            policy: policy.name.clone(),
                        }
                    }
                    Effect::Allow => {
                        allowed_by.get_or_insert_with(|| policy.name.clone());
                    }
                }
            }
        }
        match allowed_by {
            Some(policy) => GuardrailDecision::Allowed { policy },
            None => GuardrailDecision::NotAllowed,
        }
    }

    /// The sentence a refusal shows: "the channel guardrail ReadOnly does not allow
    /// lambda:InvokeFunction". `None` when the decision allows.
    pub fn refusal(&self, decision: &GuardrailDecision, action: &IamAction) -> Option<String> {
        match decision {
            GuardrailDecision::Allowed { .. } => None,
            GuardrailDecision::ExplicitlyDenied { policy } => Some(format!(
                "the channel guardrail {} denies {action}",
                display_policy_name(policy)
            )),
            GuardrailDecision::NotAllowed => {
                let names: Vec<String> = self
                    .policies
                    .iter()
                    .map(|p| display_policy_name(&p.name))
                    .collect();
                Some(if names.len() == 1 {
                    format!("the channel guardrail {} does not allow {action}", names[0])
                } else {
                    format!(
                        "the channel guardrails {} do not allow {action}",
                        names.join(", ")
                    )
                })
            }
        }
    }
}

fn display_policy_name(name: &str) -> String {
    if name == INLINE_POLICY_NAME {
        "(the channel's inline statements)".to_owned()
    } else {
        name.to_owned()
    }
}

/// The built-in templates, by the names a config file uses.
pub const TEMPLATE_NAMES: &[&str] = &[
    "Notification",
    "ReadOnly",
    "LambdaInvoke",
    "Support",
    "IncidentManager",
];

/// The read-only deny list of AWS Chatbot's ReadOnly command permissions
/// (`AWS-Chatbot-ReadOnly-Commands-Policy`), word for word.
pub const READ_ONLY_DENY: &[&str] = &[
    "iam:*",
    "kms:*",
    "sts:*",
    "ssm:*",
    "s3:GetBucketPolicy",
    "cognito-idp:GetSigningCertificate",
    "ec2:GetPasswordData",
    "ecr:GetAuthorizationToken",
    "gamelift:RequestUploadCredentials",
    "gamelift:GetInstanceAccess",
    "lightsail:DownloadDefaultKeyPair",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetKeyPair",
    "lightsail:GetKeyPairs",
    "redshift:GetClusterCredentials",
    "storagegateway:DescribeChapCredentials",
];

/// The read verbs ReadOnly allows across services (what the ReadOnlyAccess managed policy
/// pairs with the deny list): Describe, Get and List everywhere, plus the CloudWatch Logs
/// reads that "Show logs" needs and that have no read verb in their names.
pub const READ_ONLY_ALLOW: &[&str] = &[
    "*:Describe*",
    "*:Get*",
    "*:List*",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:StopQuery",
    "logs:TestMetricFilter",
];

/// A built-in template by name (exact, as [`TEMPLATE_NAMES`] spells them).
pub fn template(name: &str) -> Option<Policy> {
    let allow = |actions: &[&str]| Statement::action(Effect::Allow, patterns(actions));
    let statements = match name {
        // AWS-Chatbot-NotificationsOnly-Policy.
        "Notification" => vec![allow(&[
            "cloudwatch:Describe*",
            "cloudwatch:Get*",
            "cloudwatch:List*",
        ])],
        "ReadOnly" => vec![
            allow(READ_ONLY_ALLOW),
            Statement::action(Effect::Deny, patterns(READ_ONLY_DENY)),
        ],
        // AWS-Chatbot-LambdaInvoke-Policy.
        "LambdaInvoke" => vec![allow(&["lambda:invokeAsync", "lambda:invokeFunction"])],
        // AWSSupportAccess.
        "Support" => vec![allow(&["support:*"])],
        "IncidentManager" => vec![allow(&["ssm-incidents:*"])],
        _ => return None,
    };
    Some(Policy::new(name, statements))
}

fn patterns(actions: &[&str]) -> Vec<ActionPattern> {
    actions
        .iter()
        .map(|action| ActionPattern::parse(action).expect("built-in patterns are valid"))
        .collect()
}

#[cfg(test)]
mod tests;
