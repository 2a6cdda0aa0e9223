//! SNS topic ARNs (`arn:aws:sns:us-east-1:123456789012:alarms`): parsed once, so the Region that
//! decides which signing-certificate host is acceptable comes from a checked value.

use std::fmt;

/// A parsed SNS topic ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicArn {
    text: String,
    partition_end: usize,
    region: (usize, usize),
    account: (usize, usize),
    name_start: usize,
}

/// Why a string is not an SNS topic ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{arn}` is not an SNS topic ARN ({reason}); expected arn:<partition>:sns:<region>:<12-digit account>:<topic name>")]
pub struct TopicArnError {
    pub arn: String,
    pub reason: &'static str,
}

/// The longest topic name SNS accepts (FIFO topics count the `.fifo` suffix).
const MAX_NAME: usize = 256;

impl TopicArn {
    pub fn parse(arn: &str) -> Result<TopicArn, TopicArnError> {
        let refuse = |reason| TopicArnError {
            arn: crate::notify::cut_bytes(arn, 300),
            reason,
        };
        let parts: Vec<&str> = arn.split(':').collect();
        let [prefix, partition, service, region, account, name] = parts[..] else {
            return Err(refuse("it does not have six `:`-separated parts"));
        };
        if prefix != "arn" {
            return Err(refuse("it does not start with `arn:`"));
        }
        if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
            return Err(refuse("unknown partition"));
        }
        if service != "sns" {
            return Err(refuse("the service is not `sns`"));
        }
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(refuse("the Region is not a Region name"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("the account is not 12 digits"));
        }
        let name_ok = !name.is_empty()
            && name.len() <= MAX_NAME
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !name_ok {
            return Err(refuse(
                "the topic name must be 1-256 letters, digits, `-`, `_` or `.fifo`",
            ));
        }
        let partition_end = 4 + partition.len();
        let region_start = partition_end + 5;
        let account_start = region_start + region.len() + 1;
        Ok(TopicArn {
            text: arn.to_owned(),
            partition_end,
            region: (region_start, region_start + region.len()),
            account: (account_start, account_start + account.len()),
            name_start: account_start + account.len() + 1,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn partition(&self) -> &str {
        &self.text[4..self.partition_end]
    }

    pub fn region(&self) -> &str {
        &self.text[self.region.0..self.region.1]
    }

    pub fn account(&self) -> &str {
        &self.text[self.account.0..self.account.1]
    }

    pub fn name(&self) -> &str {
        &self.text[self.name_start..]
    }

    /// The host SNS serves this topic's Region from (`sns.us-east-1.amazonaws.com`): the only
    /// host a signing certificate or a SubscribeURL for this topic may come from.
    pub fn sns_host(&self) -> String {
        let suffix = if self.partition() == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("sns.{}.{suffix}", self.region())
    }
}

impl fmt::Display for TopicArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
