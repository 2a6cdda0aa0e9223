//! Small things users hit (issue 11, item 11), through `/api/messages`: an attachment set
//! cannot be made from chat, as `support create-case` cannot carry one.

use crate::support::app::{assert_contains, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_add_attachments_to_set_is_refused_like_attachments_to_a_case() {
    let w = TestApp::with_conversations().await;
    let card = w
        .say("support add-attachments-to-set --attachments fileName=build.log,data=aGVsbG8=")
        .await;
    assert_contains(
        &card,
        &[
            "support add-attachments-to-set is never available from chat",
            "support cases opened from chat cannot carry attachments",
            "add the files to it in the AWS Support Center",
        ],
    );
    let text = card.to_string();
    assert!(
        !text.contains("Confirm this change") && !text.contains("Action.Execute"),
        "a refusal, with nothing to confirm or run: {text}"
    );
}
