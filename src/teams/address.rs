//! Where a Bot Connector request goes: `{serviceUrl}/v3/conversations/{id}/activities[/{id}]`
//! with every id percent-encoded into exactly one path segment. It must never let an id leave
//! its segment (`/`, `?`, `#`, `%`, dot segments) and never build a URL the token may not go to.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use super::connector::ConnectorError;
use crate::config::is_https_or_loopback;

/// Characters left as they are in path segments: what JavaScript's `encodeURIComponent` keeps,
/// except `.`. Everything else, including `:`, `;`, `@` and `=` found in Teams conversation
/// ids, is encoded. `.` is encoded too, so that no id can read as a `.` or `..` segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Refuses ids that cannot name one path segment: empty ones, and ones made only of dots,
/// which URL parsers treat as `.`/`..` (also when written `%2E%2E`) and resolve to a parent.
fn checked_id<'a>(what: &'static str, id: &'a str) -> Result<&'a str, ConnectorError> {
    if id.is_empty() || id.chars().all(|c| c == '.') {
        return Err(ConnectorError::InvalidId {
            what,
            id: id.to_owned(),
        });
    }
    Ok(id)
}

/// Builds `{serviceUrl}/v3/conversations/{conversationId}/activities[/{activityId}]` with the
/// ids percent-encoded and without a doubled `/` after the service URL.
pub fn conversation_url(
    service_url: &str,
    conversation_id: &str,
    activity_id: Option<&str>,
) -> Result<Url, ConnectorError> {
    let invalid = || ConnectorError::InvalidServiceUrl(service_url.to_owned());
    let base = Url::parse(service_url).map_err(|_| invalid())?;
    if !is_https_or_loopback(&base) || base.query().is_some() || base.fragment().is_some() {
        return Err(invalid());
    }
    let conversation_id = checked_id("conversation", conversation_id)?;
    let mut url = format!(
        "{}/v3/conversations/{}/activities",
        base.as_str().trim_end_matches('/'),
        utf8_percent_encode(conversation_id, PATH_SEGMENT)
    );
    if let Some(activity_id) = activity_id {
        let activity_id = checked_id("activity", activity_id)?;
        url.push('/');
        url.extend(utf8_percent_encode(activity_id, PATH_SEGMENT));
    }
    let parsed = Url::parse(&url).map_err(|_| invalid())?;
    // Parsing normalises dot segments; if it changed anything, the URL is not the one built.
    if parsed.as_str() != url {
        return Err(invalid());
    }
    Ok(parsed)
}

/// `{serviceUrl}/v3/conversations`: where a new conversation (a new channel thread) is created.
pub fn conversations_url(service_url: &str) -> Result<Url, ConnectorError> {
    let invalid = || ConnectorError::InvalidServiceUrl(service_url.to_owned());
    let base = Url::parse(service_url).map_err(|_| invalid())?;
    if !is_https_or_loopback(&base) || base.query().is_some() || base.fragment().is_some() {
        return Err(invalid());
    }
    let url = format!("{}/v3/conversations", base.as_str().trim_end_matches('/'));
    let parsed = Url::parse(&url).map_err(|_| invalid())?;
    if parsed.as_str() != url {
        return Err(invalid());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_ids_and_join_without_double_slashes() {
        let cases = [
            (
                "https://smba.trafficmanager.net/teams/",
                "19:abc@thread.tacv2;messageid=1776390257332",
                Some("1776390257332"),
                "https://smba.trafficmanager.net/teams/v3/conversations/19%3Aabc%40thread%2Etacv2%3Bmessageid%3D1776390257332/activities/1776390257332",
            ),
            (
                "https://smba.trafficmanager.net/amer",
                "a:1p0ii-x_y",
                None,
                "https://smba.trafficmanager.net/amer/v3/conversations/a%3A1p0ii-x_y/activities",
            ),
            (
                "http://127.0.0.1:8080",
                "a/b c",
                Some("f:1"),
                "http://127.0.0.1:8080/v3/conversations/a%2Fb%20c/activities/f%3A1",
            ),
            // Ids that try to leave their segment stay inside it.
            (
                "https://smba.trafficmanager.net/amer/",
                "../../v3/conversations/victim",
                Some("x?y#z"),
                "https://smba.trafficmanager.net/amer/v3/conversations/%2E%2E%2F%2E%2E%2Fv3%2Fconversations%2Fvictim/activities/x%3Fy%23z",
            ),
            (
                "https://smba.trafficmanager.net/amer/",
                "%2e%2e",
                Some("..a"),
                "https://smba.trafficmanager.net/amer/v3/conversations/%252e%252e/activities/%2E%2Ea",
            ),
        ];
        for (service_url, conversation, activity, expected) in cases {
            let url = conversation_url(service_url, conversation, activity).unwrap();
            assert_eq!(url.as_str(), expected);
        }
    }

    #[test]
    fn ids_that_are_empty_or_only_dots_are_refused_before_any_request() {
        let service_url = "https://smba.trafficmanager.net/amer/";
        let cases = [
            ("..", None, "conversation"),
            (".", None, "conversation"),
            ("...", None, "conversation"),
            ("", None, "conversation"),
            ("19:ok", Some(".."), "activity"),
            ("19:ok", Some("."), "activity"),
            ("19:ok", Some(""), "activity"),
        ];
        for (conversation, activity, expected_what) in cases {
            match conversation_url(service_url, conversation, activity) {
                Err(ConnectorError::InvalidId { what, .. }) => {
                    assert_eq!(what, expected_what, "{conversation:?} {activity:?}")
                }
                other => panic!("{conversation:?} {activity:?}: {other:?}"),
            }
        }
        let message = conversation_url(service_url, "..", None)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("conversation id \"..\"") && message.contains("only dots"),
            "{message}"
        );
    }

    #[test]
    fn the_create_conversation_url_joins_without_double_slashes() {
        for (service_url, expected) in [
            (
                "https://smba.trafficmanager.net/amer/",
                "https://smba.trafficmanager.net/amer/v3/conversations",
            ),
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/v3/conversations",
            ),
        ] {
            assert_eq!(conversations_url(service_url).unwrap().as_str(), expected);
        }
        assert!(matches!(
            conversations_url("http://smba.trafficmanager.net/amer/"),
            Err(ConnectorError::InvalidServiceUrl(_))
        ));
    }

    #[test]
    fn tokens_are_only_sent_to_https_or_loopback() {
        for bad in [
            "http://smba.trafficmanager.net/teams/",
            "ftp://127.0.0.1/",
            "not a url",
            "https://example.com/?x=1",
        ] {
            assert!(
                matches!(
                    conversation_url(bad, "c", None),
                    Err(ConnectorError::InvalidServiceUrl(_))
                ),
                "{bad}"
            );
        }
    }
}
