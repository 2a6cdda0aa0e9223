//! Teams ids as administrators paste them: GUIDs, URL-encoded channel ids and channel links
//! copied from Teams.

use super::ChannelLocation;

/// A GUID, lower-cased; `None` when the text is not one.
pub fn normalise_guid(text: &str) -> Option<String> {
    let text = text.trim();
    uuid::Uuid::parse_str(text)
        .ok()
        .filter(|_| text.len() == 36)
        .map(|_| text.to_ascii_lowercase())
}

pub(super) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A Teams channel id, decoded (`19:…@thread.tacv2`): accepts the URL-encoded form of a
/// channel link (`19%3A…%40thread.tacv2`) as well.
pub fn normalise_channel_id(text: &str) -> Result<String, String> {
    let decoded = percent_decode(text.trim());
    let valid = decoded.starts_with("19:")
        && decoded.contains("@thread.")
        && !decoded
            .chars()
            .any(|c| c.is_whitespace() || c == '/' || c == '?');
    if valid {
        Ok(decoded)
    } else {
        Err(format!(
            "{text:?} is not a Teams channel id; it looks like \"19:…@thread.tacv2\" (or URL-encoded \"19%3A…%40thread.tacv2\", as in a channel link)"
        ))
    }
}

/// Reads a channel link copied from Teams ("Get link to channel"):
/// `https://teams.microsoft.com/l/channel/19%3A…%40thread.tacv2/General?groupId=<team>&tenantId=<tenant>`.
pub fn parse_channel_link(link: &str) -> Result<ChannelLocation, String> {
    let shape = "a channel link looks like https://teams.microsoft.com/l/channel/19%3A…%40thread.tacv2/General?groupId=…&tenantId=… (Teams: … next to the channel → Get link to channel)";
    let url = url::Url::parse(link.trim()).map_err(|_| format!("not a URL; {shape}"))?;
    if url.scheme() != "https" {
        return Err(format!("not an https link; {shape}"));
    }
    let mut segments = url
        .path_segments()
        .ok_or_else(|| format!("no path; {shape}"))?;
    if segments.next() != Some("l") || segments.next() != Some("channel") {
        return Err(format!("not a channel link (no /l/channel/); {shape}"));
    }
    let encoded_channel = segments
        .next()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("the channel id is missing; {shape}"))?;
    let channel_id = normalise_channel_id(encoded_channel)?;
    let query = |name: &str| {
        url.query_pairs()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.into_owned())
    };
    let tenant_id = query("tenantId")
        .ok_or_else(|| format!("the link has no tenantId=…; copy it again from Teams. {shape}"))?;
    let tenant_id = normalise_guid(&tenant_id)
        .ok_or_else(|| format!("tenantId={tenant_id:?} is not a GUID"))?;
    let team_id = match query("groupId") {
        Some(team) => {
            Some(normalise_guid(&team).ok_or_else(|| format!("groupId={team:?} is not a GUID"))?)
        }
        None => None,
    };
    Ok(ChannelLocation::TeamsChannel {
        tenant_id,
        team_id,
        channel_id,
    })
}
