//! User-specific views (Universal Actions `refresh`): the one-line status card everyone in a
//! channel sees while a form, confirmation, denial or approval is someone's business, and the
//! `refresh` that lets Teams ask the bot for each person's own view. Without refresh support a
//! client shows the status card, whose Open button (Action.Execute, falling back to
//! Action.Submit) brings the full card back for everyone, as before refresh existed.

use serde_json::{json, Value};

use super::elements::{action, action_set};
use super::Verb;
use crate::render::markdown::escape_markdown;
use crate::render::Card;

/// Teams refreshes a card automatically for at most this many listed users.
pub const MAX_REFRESH_USERS: usize = 60;

/// The `refresh` of a card: Teams sends an `adaptiveCard/action` invoke with verb `refresh`
/// (trigger `automatic`) for each of `user_ids` (user MRIs) who sees it; with `None`, for
/// everyone in a conversation of at most 60 members.
fn refresh(view_id: &str, user_ids: Option<&[String]>) -> Value {
    let data = json!({"verb": Verb::Refresh.as_str(), "request": view_id});
    let mut refresh = json!({
        "action": {"type": "Action.Execute", "verb": Verb::Refresh.as_str(), "data": data}
    });
    if let Some(user_ids) = user_ids {
        let listed: Vec<&String> = user_ids.iter().take(MAX_REFRESH_USERS).collect();
        refresh["userIds"] = json!(listed);
    }
    refresh
}

/// The card the others see: one line saying what is going on (`Ada Lovelace is filling in
/// a form for lambda invoke`), refreshed into the full card for `user_ids`.
pub fn others_view(line: &str, view_id: &str, user_ids: Option<&[String]>) -> Card {
    let content = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "refresh": refresh(view_id, user_ids),
        "body": [
            {"type": "TextBlock", "text": escape_markdown(line), "isSubtle": true, "wrap": true},
            action_set(vec![action("Open", Verb::Refresh, view_id, None, false)])
        ]
    });
    Card {
        name: "others-view",
        content,
    }
}

/// `card` with a `refresh` for `user_ids` (`None`: everyone in a small conversation).
pub fn with_refresh(mut card: Card, view_id: &str, user_ids: Option<&[String]>) -> Card {
    card.content["refresh"] = refresh(view_id, user_ids);
    card
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_others_view_is_one_line_refreshed_for_the_listed_users() {
        let users = vec!["29:ada".to_owned()];
        let card = others_view(
            "Ada is filling in a form for lambda invoke",
            "v1",
            Some(&users),
        );
        let refresh = &card.content["refresh"];
        assert_eq!(refresh["action"]["type"], "Action.Execute");
        assert_eq!(refresh["action"]["verb"], "refresh");
        assert_eq!(refresh["action"]["data"]["request"], "v1");
        assert_eq!(refresh["userIds"], json!(["29:ada"]));
        assert_eq!(
            card.content["body"][0]["text"],
            "Ada is filling in a form for lambda invoke"
        );
        let open = &card.content["body"][1]["actions"][0];
        assert_eq!(open["verb"], "refresh");
        assert_eq!(open["fallback"]["type"], "Action.Submit");
    }

    #[test]
    fn at_most_sixty_users_and_none_means_everyone() {
        let many: Vec<String> = (0..70).map(|n| format!("29:u{n}")).collect();
        let card = others_view("x", "v", Some(&many));
        assert_eq!(
            card.content["refresh"]["userIds"].as_array().unwrap().len(),
            60
        );
        let card = with_refresh(others_view("x", "v", None), "v", None);
        assert!(card.content["refresh"].get("userIds").is_none());
    }
}
