//! The AWS CLI's own commands (no service operation behind them, or one wrapped in local work)
//! that only make sense on a workstation: they read or write local files, configure the local
//! CLI, docker, kubectl or git, or open an interactive session. The bot refuses each with the
//! reason instead of calling it an unknown operation.

/// `(service, command, reason)`: the CLI command and why the bot does not offer it.
const WORKSTATION_ONLY: &[(&str, &str, &str)] = &[
    ("configure", "*", "it edits the AWS CLI's local configuration files; the bot's settings live in its config file."),
    ("history", "*", "it reads the AWS CLI's local command history; the bot keeps an audit log instead."),
    ("cloudformation", "package", "it uploads local files; upload the artifacts with your CLI and give the bot the template's S3 URL."),
    ("cloudformation", "deploy", "it reads a local template file; use cloudformation create-change-set or update-stack with --template-url."),
    ("cloudfront", "sign", "it signs with a local private key file."),
    ("codeartifact", "login", "it writes npm, pip or twine settings on your machine."),
    ("codecommit", "credential-helper", "it is git's credential helper on your machine."),
    ("deploy", "push", "it bundles a local directory."),
    ("deploy", "install", "it installs the CodeDeploy agent on the machine it runs on."),
    ("deploy", "uninstall", "it removes the CodeDeploy agent from the machine it runs on."),
    ("deploy", "register", "it creates an IAM user and writes a local configuration file."),
    ("deploy", "deregister", "it deletes an IAM user; IAM is never available from chat."),
    ("ecr-public", "get-login-password", "it hands out a docker registry password."),
    ("eks", "update-kubeconfig", "it writes your local kubeconfig file."),
    ("eks", "get-token", "it hands out a Kubernetes bearer token."),
    ("emr", "ssh", "it opens an SSH session from your machine."),
    ("emr", "socks", "it opens a SOCKS tunnel from your machine."),
    ("emr", "get", "it copies a file from the cluster to your machine."),
    ("emr", "put", "it copies a file from your machine to the cluster."),
    ("rds", "generate-db-auth-token", "it hands out a database password."),
    ("ssm", "start-session", "it opens an interactive session through the Session Manager plugin."),
    ("logs", "start-live-tail", "it streams events to a terminal until interrupted; use logs filter-log-events or Show logs."),
    ("datapipeline", "create-default-roles", "it creates IAM roles; IAM is never available from chat."),
    ("dlm", "create-default-role", "it creates an IAM role; IAM is never available from chat."),
    ("emr", "create-default-roles", "it creates IAM roles; IAM is never available from chat."),
    ("cloudtrail", "create-subscription", "it reads CloudTrail's bucket policy template with s3api get-object and your account id with sts get-caller-identity, both never available from chat; create the bucket (s3api create-bucket, put-bucket-policy), then cloudtrail create-trail and start-logging."),
    ("cloudtrail", "update-subscription", "it reads CloudTrail's bucket policy template with s3api get-object and your account id with sts get-caller-identity, both never available from chat; use cloudtrail update-trail."),
    ("cloudtrail", "validate-logs", "it downloads and checks every digest file locally, more than a chat call can do; run it from your CLI."),
    ("ecs", "execute-command", "it opens an interactive session through the Session Manager plugin."),
    ("gamelift", "upload-build", "it uploads a local directory."),
    ("ecs", "deploy", "it reads local task definition and AppSpec files."),
    ("s3", "sync", "it copies between local directories and S3; use s3 cp s3://… s3://… for one object."),
    ("s3", "mv", "it moves local files or many objects; use s3 cp s3://… s3://… for one object."),
    ("s3", "presign", "it hands out a URL that grants access to an object."),
];

/// Why `service command` is not offered, when it is a workstation-only CLI command.
pub(in crate::command) fn workstation_only(service: &str, command: &str) -> Option<&'static str> {
    WORKSTATION_ONLY
        .iter()
        .find(|(s, c, _)| *s == service && (*c == "*" || *c == command))
        .map(|(_, _, reason)| *reason)
}
