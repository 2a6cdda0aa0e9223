//! Four-eyes approval (B3): the IAM actions of a channel that need a second person, and who
//! that person may be. Pure: the config reader builds an [`ApprovalRule`], the channel
//! authorizer puts the [`ApprovalNeeded`] of a matching action on the permit, and the chat
//! flow asks [`Approvers::may_approve`] at the click. It never decides who the requester is.

use super::guardrail::{ActionPattern, IamAction};

/// How `approvers` names "anyone in the conversation except the requester".
pub const ANY_OTHER_MEMBER: &str = "any-other-member";

/// `[access.channels.<key>.approval]`: the actions that need a second person, and who may
/// approve them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRule {
    pub actions: Vec<ActionPattern>,
    pub approvers: Approvers,
}

impl ApprovalRule {
    /// What approving `action` needs, when one of the rule's patterns matches it.
    pub fn needed_for(&self, action: &IamAction) -> Option<ApprovalNeeded> {
        let pattern = self.actions.iter().find(|p| p.matches(action))?;
        Some(ApprovalNeeded {
            pattern: pattern.as_str().to_owned(),
            approvers: self.approvers.clone(),
        })
    }
}

/// Who may approve: listed Entra object ids (lower case), and/or any member of the
/// conversation other than the requester.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approvers {
    pub object_ids: Vec<String>,
    pub any_other_member: bool,
}

impl Approvers {
    /// Whether the user with Entra object id `approver` may approve a request of the user
    /// `requester`. Nobody approves their own request, and a user without an object id
    /// cannot be recognised, so is refused.
    pub fn may_approve(&self, requester: Option<&str>, approver: Option<&str>) -> bool {
        let Some(approver) = approver.map(str::trim).filter(|a| !a.is_empty()) else {
            return false;
        };
        if requester.is_some_and(|r| r.trim().eq_ignore_ascii_case(approver)) {
            return false;
        }
        self.any_other_member
            || self
                .object_ids
                .iter()
                .any(|id| id.eq_ignore_ascii_case(approver))
    }

    /// Who may approve, for a card or a refusal: "any member of this conversation other than
    /// the requester", or "2 named people".
    pub fn describe(&self) -> String {
        if self.any_other_member {
            return "any member of this conversation other than the requester".to_owned();
        }
        match self.object_ids.len() {
            1 => "the one approver named in the channel's configuration".to_owned(),
            n => format!("the {n} approvers named in the channel's configuration"),
        }
    }
}

/// What a permit's action needs before it runs: the pattern of the rule that matched, and
/// the approvers as the configuration named them when the permit was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalNeeded {
    pub pattern: String,
    pub approvers: Approvers,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "a1b2c3d4-0000-4000-8000-00000000aaaa";
    const GRACE: &str = "b2c3d4e5-0000-4000-8000-00000000bbbb";

    fn rule(actions: &[&str], approvers: Approvers) -> ApprovalRule {
        ApprovalRule {
            actions: actions
                .iter()
                .map(|a| ActionPattern::parse(a).unwrap())
                .collect(),
            approvers,
        }
    }

    #[test]
    fn the_first_matching_pattern_names_the_rule() {
        let rule = rule(
            &["ec2:TerminateInstances", "rds:Delete*", "*:Put*"],
            Approvers::default(),
        );
        let check = |prefix: &str, name: &str, expected: Option<&str>| {
            let needed = rule.needed_for(&IamAction::new(prefix, name));
            assert_eq!(
                needed.map(|n| n.pattern).as_deref(),
                expected,
                "{prefix}:{name}"
            );
        };
        check("ec2", "TerminateInstances", Some("ec2:TerminateInstances"));
        check("rds", "DeleteDBInstance", Some("rds:Delete*"));
        check("cloudwatch", "PutMetricAlarm", Some("*:Put*"));
        check("ec2", "DescribeInstances", None);
        check("rds", "CreateDBInstance", None);
    }

    #[test]
    fn nobody_approves_their_own_request_and_named_approvers_are_matched_by_object_id() {
        let named = Approvers {
            object_ids: vec![GRACE.to_owned()],
            any_other_member: false,
        };
        assert!(named.may_approve(Some(ADA), Some(GRACE)));
        assert!(named.may_approve(Some(ADA), Some(&GRACE.to_ascii_uppercase())));
        assert!(!named.may_approve(Some(ADA), Some("c0000000-0000-4000-8000-00000000cccc")));
        assert!(!named.may_approve(Some(GRACE), Some(GRACE)));
        assert!(!named.may_approve(Some(ADA), None));
        let anyone = Approvers {
            object_ids: Vec::new(),
            any_other_member: true,
        };
        assert!(anyone.may_approve(Some(ADA), Some(GRACE)));
        assert!(!anyone.may_approve(Some(ADA), Some(ADA)));
        assert!(!anyone.may_approve(Some(ADA), Some("  ")));
    }
}
