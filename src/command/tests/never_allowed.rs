//! The never-allowed list: every entry refused, its neighbours not.

use super::*;

/// Every line of the seed's list is refused, and a neighbour of it is not.
// A long function because it is one table of cases, one entry per case.
#[test]
fn the_never_allowed_list_is_enforced() {
    let models = Models::global();
    // Whole services: a command of every CLI service of the line (with an operation it has),
    // and a command of a neighbouring service that stays allowed.
    let whole_services: [(&str, &[&str], &str); 8] = [
        (
            "Chatbot",
            &["chatbot describe-slack-channel-configurations"],
            "sns list-topics",
        ),
        (
            "Amazon Cognito user pools",
            &["cognito-idp list-user-pools"],
            "cognito-identity list-identity-pools --max-results 5",
        ),
        ("IAM", &["iam list-users"], "rolesanywhere list-profiles"),
        (
            "AWS Key Management Service",
            &["kms list-keys"],
            "acm list-certificates",
        ),
        (
            "Amazon SimpleDB",
            &["sdb list-domains"],
            "dynamodb list-tables",
        ),
        (
            "Secrets Manager",
            &["secretsmanager list-secrets"],
            "ssm describe-parameters",
        ),
        (
            "AWS IAM Identity Center (successor to AWS Single Sign-On)",
            &[
                "sso help",
                "sso-admin help",
                "sso-oidc help",
                "identitystore help",
            ],
            "organizations list-accounts",
        ),
        (
            "AWS Security Token Service",
            &["sts get-caller-identity"],
            "sns list-topics",
        ),
    ];
    let mut entries_checked = 0;
    for (seed_service, refused, neighbour) in whole_services {
        let entry = NEVER_ALLOWED
            .iter()
            .find(|e| e.seed_service == seed_service)
            .unwrap_or_else(|| panic!("{seed_service} is on the list"));
        let services: Vec<&str> = refused
            .iter()
            .map(|c| c.split(' ').next().unwrap())
            .collect();
        assert_eq!(entry.cli_services, services);
        assert_eq!(entry.seed_operation, "All Operations");
        entries_checked += 1;
        for (command, service) in refused.iter().zip(services) {
            assert!(models.contains(service), "{service} is a CLI service");
            for input in [
                command.to_string(),
                format!("{service} --help"),
                service.to_string(),
            ] {
                match run(&input) {
                    Err(CommandError::NeverAllowed {
                        operation: None, ..
                    }) => {}
                    other => panic!("{input}: expected NeverAllowed, got {other:?}"),
                }
            }
            assert!(is_never_allowed(service, "AnyOperation").is_some());
        }
        assert!(
            !matches!(run(neighbour), Err(CommandError::NeverAllowed { .. })),
            "{neighbour} stays allowed"
        );
    }
    // Single operations: (seed service, seed operation, refused command, allowed neighbour).
    let single_operations = [
        ("AWS AppSync", "ListApiKeys", "appsync list-api-keys --api-id a", "appsync list-graphql-apis"),
        ("AWS CodeCommit", "GetFile", "codecommit get-file --repository-name r --file-path p", "codecommit get-folder --repository-name r --folder-path p"),
        ("AWS CodeCommit", "GetCommit", "codecommit get-commit --repository-name r --commit-id c", "codecommit get-branch --repository-name r --branch-name b"),
        ("AWS CodeCommit", "GetDifferences", "codecommit get-differences --repository-name r --after-commit-specifier c", "codecommit list-repositories"),
        ("Amazon Connect", "GetFederationToken", "connect get-federation-token --instance-id i", "connect list-instances"),
        ("Amazon DynamoDB", "BatchGetItem", "dynamodb batch-get-item --request-items '{}'", r#"dynamodb batch-write-item --request-items '{"t":[{"PutRequest":{"Item":{"id":{"S":"1"}}}}]}'"#),
        ("Amazon DynamoDB", "GetItem", "dynamodb get-item --table-name t --key id={S=1}", "dynamodb put-item --table-name t --item id={S=1}"),
        ("Amazon EC2", "GetPasswordData", "ec2 get-password-data --instance-id i-1", "ec2 get-console-output --instance-id i-1"),
        ("Amazon ECR", "GetAuthorizationToken", "ecr get-authorization-token", "ecr describe-repositories"),
        ("Amazon ECR", "GetLogin", "ecr get-login --no-include-email", "ecr list-images --repository-name repo"),
        ("Amazon GameLift", "RequestUploadCredentials", "gamelift request-upload-credentials --build-id b", "gamelift list-builds"),
        ("Amazon GameLift", "GetInstanceAccess", "gamelift get-instance-access --fleet-id f --instance-id i", "gamelift describe-instances --fleet-id f"),
        ("Lightsail", "DownloadDefaultKeyPair", "lightsail download-default-key-pair", "lightsail get-instances"),
        ("Lightsail", "GetInstanceAccessDetail", "lightsail get-instance-access-details --instance-name i", "lightsail get-instance --instance-name i"),
        ("Lightsail", "GetKeyPair", "lightsail get-key-pair --key-pair-name k", "lightsail get-instance-state --instance-name i"),
        ("Lightsail", "GetKeyPairs", "lightsail get-key-pairs", "lightsail get-regions"),
        ("Lightsail", "UpdateRelationalDatabase", "lightsail update-relational-database --relational-database-name d", "lightsail update-relational-database-parameters --relational-database-name d --parameters parameterName=p"),
        ("Amazon Redshift", "GetClusterCredentials", "redshift get-cluster-credentials --db-user u --cluster-identifier c", "redshift describe-clusters"),
        ("StorageGateway", "DescribeChapCredentials", "storagegateway describe-chap-credentials --target-arn t", "storagegateway list-gateways"),
        ("Amazon S3", "GetBucketPolicy", "s3api get-bucket-policy --bucket b", "s3api get-bucket-policy-status --bucket b"),
        ("Amazon S3", "GetObject", "s3api get-object --bucket b --key k out", "s3api get-object-tagging --bucket b --key k"),
        ("Amazon S3", "HeadObject", "s3api head-object --bucket b --key k", "s3api head-bucket --bucket b"),
        ("Snowball", "GetJobUnlockCode", "snowball get-job-unlock-code --job-id j", "snowball list-jobs"),
    ];
    for (seed_service, seed_operation, refused, neighbour) in single_operations {
        let entry = NEVER_ALLOWED
            .iter()
            .find(|e| e.seed_service == seed_service && e.seed_operation == seed_operation)
            .unwrap_or_else(|| panic!("{seed_service} {seed_operation} is on the list"));
        entries_checked += 1;
        let service = entry.cli_services[0];
        let key = entry.operation.expect("a single operation");
        assert!(is_never_allowed(service, key).is_some(), "{service} {key}");
        // The key and the CLI names are real, except the CLI v1 customisation `ecr get-login`.
        let model = models.service(service).unwrap();
        if key != "GetLogin" {
            assert!(model.operations.contains_key(key), "{service} has {key}");
            assert_eq!(model.cli_operation_name(key), Some(entry.cli_operations[0]));
        }
        for input in [refused.to_owned(), format!("{refused} --help")] {
            match run(&input) {
                Err(error @ CommandError::NeverAllowed { .. }) => assert!(
                    error.to_string().contains("is never available from chat")
                        && error.to_string().contains(seed_operation),
                    "{error}"
                ),
                other => panic!("{input}: expected NeverAllowed, got {other:?}"),
            }
        }
        let neighbour_result = run(neighbour);
        assert!(
            matches!(neighbour_result, Ok(Command::Run(_))),
            "{neighbour} stays allowed: {neighbour_result:?}"
        );
    }
    assert_eq!(
        entries_checked,
        NEVER_ALLOWED.len(),
        "every entry is covered"
    );
    check_error(
        "s3api get-object --bucket b --key k out",
        "s3api get-object is never available from chat: AWS Chatbot's list of non-supported operations includes Amazon S3 GetObject.",
    );
    check_error(
        "iam list-users",
        "Every iam operation is never available from chat: AWS Chatbot's list of non-supported operations includes all operations of IAM.",
    );
    check_error(
        "ecr get-login-password",
        "ecr get-login-password is never available from chat: AWS Chatbot's list of non-supported operations includes Amazon ECR GetAuthorizationToken.",
    );
    assert_eq!(is_never_allowed("s3api", "GetObjectTagging"), None);
}

/// An attachment set cannot be made from chat, as `support create-case` cannot carry one:
/// the refusal says why and what to do instead; the support calls around it stay allowed.
#[test]
fn attachments_to_support_cases_are_refused() {
    check_error(
        "support add-attachments-to-set --attachments fileName=log.txt,data=aGVsbG8=",
        "support add-attachments-to-set is never available from chat: support cases opened from chat cannot carry attachments (AWS Chatbot: \"You cannot add attachments to these cases from the chat channel\"), and the bot never uploads files. Open the case with support create-case without --attachment-set-id, then add the files to it in the AWS Support Center.",
    );
    assert!(is_never_allowed("support", "AddAttachmentsToSet").is_some());
    assert_eq!(is_never_allowed("support", "DescribeAttachment"), None);
    assert!(matches!(run("support describe-cases"), Ok(Command::Run(_))));
}
