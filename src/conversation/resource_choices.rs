//! Fetching the resource choices a form offers: for each field with a list call (see
//! `prompt::resources`), that call made with the requester's own permit. A denied, failing or
//! slow list call leaves the field as free text.

use std::time::Duration;

use serde_json::Map;

use super::pending::StoredRequester;
use super::Inner;
use crate::command::Invocation;
use crate::prompt::{self, FormField};

/// How long the list calls that fill resource choices may take before the form is sent
/// without them (free text still works).
const RESOURCE_LIST_TIMEOUT: Duration = Duration::from_secs(5);

impl Inner {
    /// Choices (member, names) for the resource fields of a form for `invocation`, from the
    /// list calls the requester may make.
    pub(super) async fn resource_choices(
        &self,
        requester: &StoredRequester,
        fields: &[FormField],
        invocation: &Invocation,
    ) -> Vec<(String, Vec<String>)> {
        let mut all = Vec::new();
        for field in fields {
            let Some(list) = field.resource else {
                continue;
            };
            let Some(list_invocation) =
                prompt::list_invocation(self.models, list, invocation.globals.region.clone())
            else {
                continue;
            };
            let Ok(permit) = self
                .authorizer
                .authorize_for_lookup(&requester.to_requester(), &list_invocation)
                .await
            else {
                continue;
            };
            let listed = tokio::time::timeout(
                RESOURCE_LIST_TIMEOUT,
                self.engine.call(&permit, &Map::new()),
            )
            .await;
            let Ok(Ok(page)) = listed else {
                tracing::info!(
                    list = list.operation,
                    "resource choices unavailable; free text only"
                );
                continue;
            };
            let names = prompt::resource_choice_names(list, &page.output);
            if !names.is_empty() {
                all.push((field.member.clone(), names));
            }
        }
        all
    }
}
