//! The never-allowed operations (product feature F6): AWS Chatbot's "Non-supported operations"
//! list (`shared/seed/000_0a5a0206daed91c4.txt`), as data, mapped to the AWS CLI's names.
//! Owns only the list and the look-up; never consults roles, guardrails or configuration,
//! because nothing may allow these.
//!
//! How each seed line maps to CLI names:
//! - "Chatbot" → `chatbot` (the service is now "Amazon Q Developer in chat applications").
//! - "Amazon Cognito user pools" → `cognito-idp` (the user pools API). Identity pools
//!   (`cognito-identity`) and `cognito-sync` are other services and are not on the list.
//! - "IAM" → `iam`. IAM Roles Anywhere (`rolesanywhere`) and IAM Access Analyzer are separate
//!   services and are not on the list.
//! - "AWS Key Management Service" → `kms`.
//! - "Amazon SimpleDB" → `sdb`.
//! - "Secrets Manager" → `secretsmanager`.
//! - "AWS IAM Identity Center (successor to AWS Single Sign-On)" → all four CLI services that
//!   make up IAM Identity Center: `sso` (the access portal API, which hands out role
//!   credentials), `sso-admin` (instances, permission sets, assignments), `sso-oidc` (the
//!   OIDC token service) and `identitystore` (Identity Center's user and group directory).
//! - "AWS Security Token Service" → `sts`.
//! - The single operations map to the model's operation key under the service's CLI name
//!   (`Amazon S3` → `s3api`, `Amazon ECR` → `ecr`, ...), and so to their kebab-case CLI
//!   names. Two lines need care:
//!   - Lightsail "GetInstanceAccessDetail": the model's operation is
//!     `GetInstanceAccessDetails` (`get-instance-access-details`); the seed drops the "s".
//!   - Amazon ECR "GetLogin": not an API operation but the AWS CLI v1 command `ecr get-login`
//!     (which calls GetAuthorizationToken and prints a `docker login` command). It is refused
//!     by that CLI name, and so is CLI v2's `ecr get-login-password`, which is the same call.

/// One line of the seed's list.
#[derive(Debug, Clone, Copy)]
pub struct NeverAllowedEntry {
    /// The seed's service line, word for word.
    pub seed_service: &'static str,
    /// The seed's operation line, word for word ("All Operations" for a whole service).
    pub seed_operation: &'static str,
    /// The AWS CLI service names the line covers.
    pub cli_services: &'static [&'static str],
    /// The model's operation key, or `None` when the whole service is refused.
    pub operation: Option<&'static str>,
    /// The CLI operation names refused for this line (the operation's own name, and the CLI
    /// customisations that make the same call).
    pub cli_operations: &'static [&'static str],
    /// The sentence shown to the user.
    pub reason: &'static str,
}

macro_rules! whole_service {
    ($seed_service:literal, [$($cli:literal),+]) => {
        NeverAllowedEntry {
            seed_service: $seed_service,
            seed_operation: "All Operations",
            cli_services: &[$($cli),+],
            operation: None,
            cli_operations: &[],
            reason: concat!(
                "AWS Chatbot's list of non-supported operations includes all operations of ",
                $seed_service,
                "."
            ),
        }
    };
}

macro_rules! single_operation {
    ($seed_service:literal, $seed_operation:literal, $cli:literal, $key:literal, [$($cli_op:literal),+]) => {
        NeverAllowedEntry {
            seed_service: $seed_service,
            seed_operation: $seed_operation,
            cli_services: &[$cli],
            operation: Some($key),
            cli_operations: &[$($cli_op),+],
            reason: concat!(
                "AWS Chatbot's list of non-supported operations includes ",
                $seed_service,
                " ",
                $seed_operation,
                "."
            ),
        }
    };
}

/// The seed's list, in the seed's order.
pub static NEVER_ALLOWED: &[NeverAllowedEntry] = &[
    whole_service!("Chatbot", ["chatbot"]),
    whole_service!("Amazon Cognito user pools", ["cognito-idp"]),
    whole_service!("IAM", ["iam"]),
    whole_service!("AWS Key Management Service", ["kms"]),
    whole_service!("Amazon SimpleDB", ["sdb"]),
    whole_service!("Secrets Manager", ["secretsmanager"]),
    whole_service!(
        "AWS IAM Identity Center (successor to AWS Single Sign-On)",
        ["sso", "sso-admin", "sso-oidc", "identitystore"]
    ),
    whole_service!("AWS Security Token Service", ["sts"]),
    single_operation!(
        "AWS AppSync",
        "ListApiKeys",
        "appsync",
        "ListApiKeys",
        ["list-api-keys"]
    ),
    single_operation!(
        "AWS CodeCommit",
        "GetFile",
        "codecommit",
        "GetFile",
        ["get-file"]
    ),
    single_operation!(
        "AWS CodeCommit",
        "GetCommit",
        "codecommit",
        "GetCommit",
        ["get-commit"]
    ),
    single_operation!(
        "AWS CodeCommit",
        "GetDifferences",
        "codecommit",
        "GetDifferences",
        ["get-differences"]
    ),
    single_operation!(
        "Amazon Connect",
        "GetFederationToken",
        "connect",
        "GetFederationToken",
        ["get-federation-token"]
    ),
    single_operation!(
        "Amazon DynamoDB",
        "BatchGetItem",
        "dynamodb",
        "BatchGetItem",
        ["batch-get-item"]
    ),
    single_operation!(
        "Amazon DynamoDB",
        "GetItem",
        "dynamodb",
        "GetItem",
        ["get-item"]
    ),
    single_operation!(
        "Amazon EC2",
        "GetPasswordData",
        "ec2",
        "GetPasswordData",
        ["get-password-data"]
    ),
    single_operation!(
        "Amazon ECR",
        "GetAuthorizationToken",
        "ecr",
        "GetAuthorizationToken",
        ["get-authorization-token", "get-login-password"]
    ),
    single_operation!("Amazon ECR", "GetLogin", "ecr", "GetLogin", ["get-login"]),
    single_operation!(
        "Amazon GameLift",
        "RequestUploadCredentials",
        "gamelift",
        "RequestUploadCredentials",
        ["request-upload-credentials"]
    ),
    single_operation!(
        "Amazon GameLift",
        "GetInstanceAccess",
        "gamelift",
        "GetInstanceAccess",
        ["get-instance-access"]
    ),
    single_operation!(
        "Lightsail",
        "DownloadDefaultKeyPair",
        "lightsail",
        "DownloadDefaultKeyPair",
        ["download-default-key-pair"]
    ),
    single_operation!(
        "Lightsail",
        "GetInstanceAccessDetail",
        "lightsail",
        "GetInstanceAccessDetails",
        ["get-instance-access-details"]
    ),
    single_operation!(
        "Lightsail",
        "GetKeyPair",
        "lightsail",
        "GetKeyPair",
        ["get-key-pair"]
    ),
    single_operation!(
        "Lightsail",
        "GetKeyPairs",
        "lightsail",
        "GetKeyPairs",
        ["get-key-pairs"]
    ),
    single_operation!(
        "Lightsail",
        "UpdateRelationalDatabase",
        "lightsail",
        "UpdateRelationalDatabase",
        ["update-relational-database"]
    ),
    single_operation!(
        "Amazon Redshift",
        "GetClusterCredentials",
        "redshift",
        "GetClusterCredentials",
        ["get-cluster-credentials"]
    ),
    single_operation!(
        "StorageGateway",
        "DescribeChapCredentials",
        "storagegateway",
        "DescribeChapCredentials",
        ["describe-chap-credentials"]
    ),
    single_operation!(
        "Amazon S3",
        "GetBucketPolicy",
        "s3api",
        "GetBucketPolicy",
        ["get-bucket-policy"]
    ),
    single_operation!(
        "Amazon S3",
        "GetObject",
        "s3api",
        "GetObject",
        ["get-object"]
    ),
    single_operation!(
        "Amazon S3",
        "HeadObject",
        "s3api",
        "HeadObject",
        ["head-object"]
    ),
    single_operation!(
        "Snowball",
        "GetJobUnlockCode",
        "snowball",
        "GetJobUnlockCode",
        ["get-job-unlock-code"]
    ),
];

/// Operations the seed rules out outside its list: "You cannot add attachments to these
/// cases from the chat channel" (AWS Support). `support create-case --attachment-set-id` is
/// refused by the support-case journey; the call that makes an attachment set is refused
/// here, for every caller, like the list's entries (the bot never uploads files). The seed
/// fields name the seed's sentence rather than a line of its list.
pub static NO_ATTACHMENTS_FROM_CHAT: &[NeverAllowedEntry] = &[NeverAllowedEntry {
    seed_service: "AWS Support",
    seed_operation: "You cannot add attachments to these cases from the chat channel.",
    cli_services: &["support"],
    operation: Some("AddAttachmentsToSet"),
    cli_operations: &["add-attachments-to-set"],
    reason: "support cases opened from chat cannot carry attachments (AWS Chatbot: \"You cannot add attachments to these cases from the chat channel\"), and the bot never uploads files. Open the case with support create-case without --attachment-set-id, then add the files to it in the AWS Support Center.",
}];

/// Every entry refused: the seed's list, then [`NO_ATTACHMENTS_FROM_CHAT`].
fn refused() -> impl Iterator<Item = &'static NeverAllowedEntry> {
    NEVER_ALLOWED.iter().chain(NO_ATTACHMENTS_FROM_CHAT)
}

/// Why an operation is never allowed, or `None` when the list does not name it.
/// `service_cli` is the AWS CLI service name (`s3api`), `operation_key` the model's operation
/// key (`GetObject`).
pub fn is_never_allowed(service_cli: &str, operation_key: &str) -> Option<&'static str> {
    refused()
        .find(|entry| {
            entry.cli_services.contains(&service_cli)
                && entry.operation.is_none_or(|key| key == operation_key)
        })
        .map(|entry| entry.reason)
}

/// Why a whole service is never allowed, or `None`.
pub(crate) fn service_never_allowed(service_cli: &str) -> Option<&'static str> {
    refused()
        .find(|entry| entry.operation.is_none() && entry.cli_services.contains(&service_cli))
        .map(|entry| entry.reason)
}

/// Why a CLI operation name (`get-login`) is never allowed, or `None`. Covers the CLI
/// customisations that have no model operation.
pub(crate) fn cli_operation_never_allowed(
    service_cli: &str,
    cli_operation: &str,
) -> Option<&'static str> {
    refused()
        .find(|entry| {
            entry.cli_services.contains(&service_cli)
                && (entry.operation.is_none() || entry.cli_operations.contains(&cli_operation))
        })
        .map(|entry| entry.reason)
}
