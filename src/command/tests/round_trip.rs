//! The tokenizer reads quotes like a shell, and rendered command lines parse back.

use super::*;

#[test]
fn tokenizer_reads_quotes_like_a_shell() {
    let cases: [(&str, &[&str]); 8] = [
        ("a b  c", &["a", "b", "c"]),
        ("'a b' \"c d\"", &["a b", "c d"]),
        ("Key='a b',Value=c", &["Key=a b,Value=c"]),
        (r#""say \"hi\" \\ \n""#, &[r#"say "hi" \ \n"#]),
        (r"a\ b", &["a b"]),
        ("'' x", &["", "x"]),
        ("'{\"a\": \"b c\"}'", &["{\"a\": \"b c\"}"]),
        ("a\u{a0}b\nc", &["a", "b", "c"]),
    ];
    for (input, expected) in cases {
        assert_eq!(tokenize(input).unwrap(), expected, "{input}");
    }
    assert_eq!(
        tokenize("\"abc"),
        Err(CommandError::UnclosedQuote { quote: '"' })
    );
}

#[test]
fn rendered_command_lines_parse_back_to_the_same_invocation() {
    let cases = [
        ("cloudwatch describe-alarms --state-value ALARM", "aws cloudwatch describe-alarms --state-value ALARM"),
        (
            "cloudwatch describe-alarms --alarm-names 'my alarm' b --region eu-west-1 --output text --max-items 3",
            "aws cloudwatch describe-alarms --alarm-names 'my alarm' b --region eu-west-1 --output text --max-items 3",
        ),
        (
            "ec2 create-tags --resources i-1 --tags Key=a,Value=b Key=c,Value=d --dry-run",
            r#"aws ec2 create-tags --resources i-1 --tags '[{"Key":"a","Value":"b"},{"Key":"c","Value":"d"}]' --dry-run"#,
        ),
        ("ec2 describe-instances --no-dry-run", "aws ec2 describe-instances --no-dry-run"),
        (
            r#"dynamodb put-item --table-name t --item '{"id":{"S":"it'\''s"}}'"#,
            r#"aws dynamodb put-item --table-name t --item '{"id":{"S":"it'\''s"}}'"#,
        ),
        (
            "cloudwatch put-metric-alarm --alarm-name x --threshold 80 --evaluation-periods 2 --query 'a[?b==`1`]'",
            "aws cloudwatch put-metric-alarm --alarm-name x --threshold 80.0 --evaluation-periods 2 --query 'a[?b==`1`]'",
        ),
        ("sqs send-message --queue-url q --message-body=-x", "aws sqs send-message --queue-url q --message-body=-x"),
        ("ec2 authorize-security-group-ingress --from-port -1", "aws ec2 authorize-security-group-ingress --from-port -1"),
        // EMR's own commands keep their options in their CLI forms: structures as JSON,
        // numbers typed, flags as flags.
        (
            "emr add-steps --cluster-id j-1 --steps Type=Spark,Args=[a,b] --execution-role-arn r",
            r#"aws emr add-steps --cluster-id j-1 --steps '[{"Type":"Spark","Args":["a","b"]}]' --execution-role-arn r"#,
        ),
        (
            "emr add-instance-groups --cluster-id j-1 --instance-groups InstanceGroupType=TASK,InstanceType=m5.xlarge,InstanceCount=2",
            r#"aws emr add-instance-groups --cluster-id j-1 --instance-groups '[{"InstanceGroupType":"TASK","InstanceType":"m5.xlarge","InstanceCount":2}]'"#,
        ),
        (
            "emr create-cluster --release-label emr-7.0.0 --instance-type m5.xlarge --instance-count 3 --use-default-roles --no-auto-terminate --tags a=b",
            "aws emr create-cluster --release-label emr-7.0.0 --instance-type m5.xlarge --instance-count 3 --use-default-roles --no-auto-terminate --tags a=b",
        ),
    ];
    for (input, expected) in cases {
        let Ok(Command::Run(invocation)) = run(input) else {
            panic!("{input} parses");
        };
        let line = render_command_line(&invocation, Models::global());
        assert_eq!(line, expected, "{input}");
        assert_eq!(run(&line), Ok(Command::Run(invocation)), "{line}");
    }
}
