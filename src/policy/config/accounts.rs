//! `[access.accounts.<name>]`: account ids, regions and role ARNs.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::problems::Problems;
use super::Account;
use crate::common::is_region;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    id: Spanned<String>,
    default_region: Option<Spanned<String>>,
    channel_role: Option<Spanned<String>>,
    #[serde(default)]
    user_roles: IndexMap<String, Spanned<String>>,
    #[allow(dead_code)]
    description: Option<String>,
}

impl RawAccount {
    pub(super) fn validate(
        self,
        name: &str,
        path: &str,
        problems: &mut Problems,
    ) -> Option<Account> {
        let before = problems.0.len();
        let id = self.id.get_ref().trim().to_owned();
        if !is_account_id(&id) {
            problems.push(
                Some(self.id.span()),
                format!("{path}.id"),
                format!("{id:?} is not an AWS account id: it has exactly 12 digits (quote it, so leading zeros stay)"),
            );
        }
        let default_region = self
            .default_region
            .and_then(|region| check_region(&region, &format!("{path}.default_region"), problems));
        let channel_role = self
            .channel_role
            .and_then(|arn| check_role_arn(&arn, &id, &format!("{path}.channel_role"), problems));
        let mut user_roles = IndexMap::new();
        for (object_id, arn) in self.user_roles {
            let key_path = format!("{path}.user_roles");
            let normalised = object_id.trim().to_ascii_lowercase();
            if uuid::Uuid::parse_str(&normalised).is_err() {
                problems.push(
                    Some(arn.span()),
                    &key_path,
                    format!("{object_id:?} is not an Entra object id (a GUID such as 3f2b8c1e-0000-0000-0000-000000000000); the bot's refusal message shows each user's object id"),
                );
                continue;
            }
            if let Some(arn) = check_role_arn(&arn, &id, &key_path, problems) {
                user_roles.insert(normalised, arn);
            }
        }
        (problems.0.len() == before).then(|| Account {
            name: name.to_owned(),
            id,
            default_region,
            channel_role,
            user_roles,
        })
    }
}

pub(super) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn check_region(
    region: &Spanned<String>,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    let value = region.get_ref().trim();
    if is_region(value) {
        Some(value.to_owned())
    } else {
        problems.push(
            Some(region.span()),
            path,
            format!("{value:?} is not an AWS region name such as \"us-east-1\" or \"eu-west-2\""),
        );
        None
    }
}

/// Checks `arn:<partition>:iam::<account>:role/<path/>name` and that it lives in the account.
pub(super) fn check_role_arn(
    arn: &Spanned<String>,
    account_id: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    let value = arn.get_ref().trim();
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && is_account_id(parts[4])
        && parts[5]
            .strip_prefix("role/")
            .and_then(|rest| rest.rsplit('/').next())
            .is_some_and(|name| {
                !name.is_empty()
                    && name.len() <= 64
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
            });
    if !well_formed {
        problems.push(
            Some(arn.span()),
            path,
            format!("{value:?} is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/chatops-readonly\""),
        );
        return None;
    }
    if is_account_id(account_id) && parts[4] != account_id {
        problems.push(
            Some(arn.span()),
            path,
            format!(
                "the role is in account {} but this account's id is {account_id}; a role is used in its own account",
                parts[4]
            ),
        );
        return None;
    }
    Some(value.to_owned())
}
