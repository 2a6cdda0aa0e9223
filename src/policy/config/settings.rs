//! `[access.audit]` and `[access.assume_role]`: where records go and how roles are assumed.

use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::problems::Problems;
use super::{AssumeRoleSettings, AuditDestination, AuditSettings};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    destination: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
}

impl RawAudit {
    pub(super) fn validate(
        self,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<AuditSettings> {
        let destination_span = self.destination.as_ref().map(|d| d.span());
        let destination = self.destination.map(|d| d.into_inner()).unwrap_or_else(|| {
            if self.path.is_some() {
                "file"
            } else {
                "stdout"
            }
            .to_owned()
        });
        match destination.as_str() {
            "stdout" => {
                if let Some(path) = &self.path {
                    problems.push(
                        Some(path.span()),
                        "access.audit.path",
                        "`path` is only used with destination = \"file\"".into(),
                    );
                    return None;
                }
                Some(AuditSettings {
                    destination: AuditDestination::Stdout,
                })
            }
            "file" => match self.path {
                Some(path) if !path.get_ref().trim().is_empty() => Some(AuditSettings {
                    destination: AuditDestination::File(PathBuf::from(path.into_inner())),
                }),
                Some(path) => {
                    problems.push(
                        Some(path.span()),
                        "access.audit.path",
                        "the audit file path is empty".into(),
                    );
                    None
                }
                None => {
                    problems.push(
                        destination_span.or(table_span),
                        "access.audit",
                        "destination = \"file\" needs `path = \"/var/log/aws-chatops/audit.jsonl\"` (any writable path)".into(),
                    );
                    None
                }
            },
            other => {
                problems.push(
                    destination_span,
                    "access.audit.destination",
                    format!("unknown audit destination {other:?}; use \"stdout\" or \"file\""),
                );
                None
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAssumeRole {
    duration_seconds: Option<Spanned<i64>>,
    source_identity: Option<bool>,
    session_tags: Option<bool>,
}

impl RawAssumeRole {
    pub(super) fn validate(self, problems: &mut Problems) -> Option<AssumeRoleSettings> {
        let defaults = AssumeRoleSettings::default();
        let duration_seconds = match self.duration_seconds {
            None => defaults.duration_seconds,
            Some(seconds) if (900..=43_200).contains(seconds.get_ref()) => {
                *seconds.get_ref() as u32
            }
            Some(seconds) => {
                problems.push(
                    Some(seconds.span()),
                    "access.assume_role.duration_seconds",
                    format!(
                        "{} is outside what STS accepts: 900 to 43200 seconds",
                        seconds.get_ref()
                    ),
                );
                return None;
            }
        };
        Some(AssumeRoleSettings {
            duration_seconds,
            source_identity: self.source_identity.unwrap_or(defaults.source_identity),
            session_tags: self.session_tags.unwrap_or(defaults.session_tags),
        })
    }
}
