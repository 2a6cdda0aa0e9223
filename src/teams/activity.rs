//! Bot Framework wire types (Activity and its parts) as serde types, plus the Teams-specific
//! reads of `channelData`. Pure data: no IO, no business rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An activity's `type`. The types this bot reacts to are variants, so dispatch is checked by
/// the compiler; any other text is kept as it came (`Other`), so a type the bot does not know
/// never fails to parse and goes out again exactly as it came in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum ActivityType {
    Message,
    Invoke,
    ConversationUpdate,
    InstallationUpdate,
    Typing,
    /// Any other type, including the empty text a sender may give (refused by `http/body`).
    Other(String),
}

impl ActivityType {
    /// Every variant but `Other`: the types whose text [`ActivityType::as_str`] spells.
    const KNOWN: [ActivityType; 5] = [
        ActivityType::Message,
        ActivityType::Invoke,
        ActivityType::ConversationUpdate,
        ActivityType::InstallationUpdate,
        ActivityType::Typing,
    ];

    /// The variant whose wire text is `text`, if it is not `Other`.
    fn known(text: &str) -> Option<ActivityType> {
        Self::KNOWN.into_iter().find(|known| known.as_str() == text)
    }

    /// The type's wire text (`conversationUpdate`).
    pub fn as_str(&self) -> &str {
        match self {
            ActivityType::Message => "message",
            ActivityType::Invoke => "invoke",
            ActivityType::ConversationUpdate => "conversationUpdate",
            ActivityType::InstallationUpdate => "installationUpdate",
            ActivityType::Typing => "typing",
            ActivityType::Other(text) => text,
        }
    }
}

/// `Other("")`, as the type of an activity built field by field before its type is set.
impl Default for ActivityType {
    fn default() -> Self {
        ActivityType::Other(String::new())
    }
}

impl From<&str> for ActivityType {
    fn from(text: &str) -> Self {
        ActivityType::known(text).unwrap_or_else(|| ActivityType::Other(text.to_owned()))
    }
}

impl From<String> for ActivityType {
    fn from(text: String) -> Self {
        ActivityType::known(&text).unwrap_or(ActivityType::Other(text))
    }
}

impl Serialize for ActivityType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A Bot Framework activity. Unknown fields are ignored on input and absent fields are omitted on
/// output.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "type")]
    pub activity_type: ActivityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ChannelAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<ChannelAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    /// `installationUpdate`: `add`, `remove`, `add-upgrade`, `remove-upgrade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members_added: Vec<ChannelAccount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members_removed: Vec<ChannelAccount>,
}

/// A user or bot (`from`, `recipient`, members).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelAccount {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's Entra object id (Teams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_object_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The conversation an activity belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationAccount {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `personal`, `groupChat` or `channel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_group: Option<bool>,
}

/// An entity attached to an activity (`mention`, `clientInfo`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub entity_type: String,
    #[serde(flatten)]
    pub properties: Map<String, Value>,
}

/// Read as one JSON object whose `type` is taken out: what `#[serde(flatten)]` derives would
/// buffer every entity before reading it again (a few percent of a turn's CPU; every message
/// from Teams carries entities).
impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut properties = Map::deserialize(deserializer)?;
        let entity_type = match properties.remove("type") {
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(serde::de::Error::invalid_type(
                    unexpected(&other),
                    &"an entity type as a string",
                ))
            }
            None => return Err(serde::de::Error::missing_field("type")),
        };
        Ok(Entity {
            entity_type,
            properties,
        })
    }
}

/// How `value` is named in a type error.
fn unexpected(value: &Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(flag) => Unexpected::Bool(*flag),
        Value::Number(_) => Unexpected::Other("a number"),
        Value::String(text) => Unexpected::Str(text),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// The parts of a `mention` entity the bot uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Mention {
    pub mentioned: ChannelAccount,
    #[serde(default)]
    pub text: Option<String>,
}

impl Entity {
    /// The mention this entity carries, if it is a `mention` entity (type compared ignoring case).
    pub fn as_mention(&self) -> Option<Mention> {
        if !self.entity_type.eq_ignore_ascii_case("mention") {
            return None;
        }
        // Read from the entity in place (no copy of its properties).
        let mentioned = ChannelAccount::deserialize(self.properties.get("mentioned")?).ok()?;
        let text = match self.properties.get("text") {
            None | Some(Value::Null) => None,
            Some(text) => Some(String::deserialize(text).ok()?),
        };
        Some(Mention { mentioned, text })
    }
}

/// An attachment, such as an Adaptive Card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Everything needed to message a conversation later (proactively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationReference {
    pub service_url: String,
    pub channel_id: String,
    pub conversation: ConversationAccount,
    /// The bot as it appears in this conversation (`28:<app id>`).
    pub bot: ChannelAccount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<ChannelAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// The Teams channel (not the Bot Framework channel id): `19:...@thread.tacv2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams_channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
}

/// The body of the HTTP 200 answer to an invoke activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeResponse {
    pub status_code: u16,
    #[serde(rename = "type")]
    pub response_type: String,
    pub value: Value,
}

/// The Connector's answer to a send, reply or update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceResponse {
    #[serde(default)]
    pub id: String,
}

impl Activity {
    /// `channelData.tenant.id`, falling back to `conversation.tenantId`.
    pub fn tenant_id(&self) -> Option<&str> {
        self.channel_data_str(&["tenant", "id"]).or_else(|| {
            self.conversation
                .as_ref()
                .and_then(|conversation| conversation.tenant_id.as_deref())
        })
    }

    /// `channelData.team.id` (channel conversations only).
    pub fn team_id(&self) -> Option<&str> {
        self.channel_data_str(&["team", "id"])
    }

    /// `channelData.channel.id` (channel conversations only).
    pub fn teams_channel_id(&self) -> Option<&str> {
        self.channel_data_str(&["channel", "id"])
    }

    /// `channelData.eventType` (conversationUpdate).
    pub fn event_type(&self) -> Option<&str> {
        self.channel_data_str(&["eventType"])
    }

    fn channel_data_str(&self, path: &[&str]) -> Option<&str> {
        let mut value = self.channel_data.as_ref()?;
        for key in path {
            value = value.get(key)?;
        }
        value.as_str()
    }

    /// The conversation id, if any.
    pub fn conversation_id(&self) -> Option<&str> {
        self.conversation
            .as_ref()
            .map(|conversation| conversation.id.as_str())
    }

    /// A reference to this activity's conversation, for replies now and proactive messages later.
    /// `None` when the activity lacks a service URL, channel, conversation or recipient.
    pub fn conversation_reference(&self) -> Option<ConversationReference> {
        Some(ConversationReference {
            service_url: self.service_url.clone()?,
            channel_id: self.channel_id.clone()?,
            conversation: self.conversation.clone()?,
            bot: self.recipient.clone()?,
            user: self.from.clone(),
            tenant_id: self.tenant_id().map(str::to_owned),
            team_id: self.team_id().map(str::to_owned),
            teams_channel_id: self.teams_channel_id().map(str::to_owned),
            activity_id: self.id.clone(),
        })
    }

    /// A reply to this activity: same conversation, `from` and `recipient` swapped, `replyToId`
    /// set to this activity's id, locale, service URL and channel copied.
    pub fn reply(&self) -> Activity {
        Activity {
            activity_type: ActivityType::Message,
            service_url: self.service_url.clone(),
            channel_id: self.channel_id.clone(),
            conversation: self.conversation.clone(),
            from: self.recipient.clone(),
            recipient: self.from.clone(),
            reply_to_id: self.id.clone(),
            locale: self.locale.clone(),
            ..Activity::default()
        }
    }
}

impl ConversationReference {
    /// A new message activity addressed to this conversation (for proactive messages).
    pub fn message(&self) -> Activity {
        Activity {
            activity_type: ActivityType::Message,
            service_url: Some(self.service_url.clone()),
            channel_id: Some(self.channel_id.clone()),
            conversation: Some(self.conversation.clone()),
            from: Some(self.bot.clone()),
            recipient: self.user.clone(),
            ..Activity::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The type `{"type": text}` reads as, after checking it is written back unchanged.
    fn read_and_written_back(text: &str) -> ActivityType {
        let json = format!(r#"{{"type":"{text}"}}"#);
        let activity: Activity = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&activity).unwrap(), json);
        assert_eq!(activity.activity_type.as_str(), text);
        assert_eq!(ActivityType::from(text), activity.activity_type);
        activity.activity_type
    }

    #[test]
    fn activity_types_read_into_variants_and_go_out_as_they_came() {
        use ActivityType::*;
        assert_eq!(read_and_written_back("message"), Message);
        assert_eq!(read_and_written_back("invoke"), Invoke);
        assert_eq!(
            read_and_written_back("conversationUpdate"),
            ConversationUpdate
        );
        assert_eq!(
            read_and_written_back("installationUpdate"),
            InstallationUpdate
        );
        assert_eq!(read_and_written_back("typing"), Typing);
        // Types the bot does not react to, and a known type in another case, stay text.
        for other in ["messageReaction", "Message", ""] {
            assert_eq!(read_and_written_back(other), Other(other.to_owned()));
        }
    }

    #[test]
    fn an_activity_without_a_type_does_not_parse_and_a_new_one_has_an_empty_type() {
        let error = serde_json::from_str::<Activity>("{}").unwrap_err();
        assert!(
            error.to_string().starts_with("missing field `type`"),
            "{error}"
        );
        let error = serde_json::from_str::<Activity>(r#"{"type":5}"#).unwrap_err();
        assert!(error.is_data(), "{error}");
        assert_eq!(
            serde_json::to_value(Activity::default()).unwrap(),
            serde_json::json!({"type": ""})
        );
    }

    #[test]
    fn a_mention_is_read_from_its_entity_and_anything_else_is_not_one() {
        let entity = |json: serde_json::Value| serde_json::from_value::<Entity>(json).unwrap();
        let mention = entity(serde_json::json!({
            "type": "Mention",
            "text": "<at>aws</at>",
            "mentioned": {"id": "28:bot", "name": "aws", "role": "bot"}
        }))
        .as_mention()
        .unwrap();
        assert_eq!(mention.text.as_deref(), Some("<at>aws</at>"));
        assert_eq!(mention.mentioned.id, "28:bot");
        assert_eq!(mention.mentioned.name.as_deref(), Some("aws"));
        for (json, text) in [
            (
                serde_json::json!({"type": "mention", "mentioned": {"id": "28:bot"}}),
                None,
            ),
            (
                serde_json::json!({"type": "mention", "text": null, "mentioned": {"id": "28:bot"}}),
                None,
            ),
        ] {
            assert_eq!(entity(json).as_mention().unwrap().text, text);
        }
        for not_a_mention in [
            serde_json::json!({"type": "clientInfo", "mentioned": {"id": "28:bot"}}),
            serde_json::json!({"type": "mention", "text": "<at>aws</at>"}),
            serde_json::json!({"type": "mention", "mentioned": {"name": "no id"}}),
            serde_json::json!({"type": "mention", "text": 5, "mentioned": {"id": "28:bot"}}),
        ] {
            assert_eq!(
                entity(not_a_mention.clone()).as_mention(),
                None,
                "{not_a_mention}"
            );
        }
    }

    #[test]
    fn an_entity_reads_its_type_and_keeps_every_other_property() {
        let json = serde_json::json!({"type": "clientInfo", "locale": "en-US", "country": "US"});
        let entity: Entity = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(entity.entity_type, "clientInfo");
        assert_eq!(entity.properties.len(), 2);
        assert_eq!(serde_json::to_value(&entity).unwrap(), json);
        for (bad, expected) in [
            (
                serde_json::json!({"locale": "en-US"}),
                "missing field `type`",
            ),
            (serde_json::json!({"type": 5}), "invalid type: a number"),
            (serde_json::json!(["mention"]), "invalid type: sequence"),
        ] {
            let error = serde_json::from_value::<Entity>(bad)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
