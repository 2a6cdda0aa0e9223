//! Fixtures shared by the policy unit tests: the ids of one tenant, team, channels and users,
//! requesters in them, and access configurations built from a table of accounts and channels,
//! so that each test file states only the accounts and channels its cases need.

use toml_edit::{value, Array, DocumentMut, InlineTable, Item, Table};

use super::config::AccessConfig;
use super::Requester;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The team's group id, as a channel link's `groupId` gives it.
pub const TEAM: &str = "8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d";
pub const OPS: &str = "19:ops@thread.tacv2";
pub const ONCALL: &str = "19:oncall@thread.tacv2";
pub const AUDIT: &str = "19:audit0123456789abcdef@thread.tacv2";
pub const ALICE: &str = "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f";
pub const BOB: &str = "bbbbbbbb-0000-0000-0000-000000000002";
pub const CAROL: &str = "cccccccc-0000-0000-0000-000000000003";

/// A member of `channel` in [`TENANT`] and [`TEAM`], as a channel message names them: the
/// conversation id is the channel id with the id of the thread's first message.
pub fn channel_requester(channel: &str, user: Option<&str>) -> Requester {
    Requester {
        tenant_id: Some(TENANT.into()),
        team_id: Some(TEAM.into()),
        channel_id: Some(channel.into()),
        conversation_id: format!("{channel};messageid=1700000000000"),
        conversation_type: Some("channel".into()),
        user_object_id: user.map(str::to_owned),
        user_name: Some("Alice Example".into()),
    }
}

/// A requester in a chat of `tenant`: `conversation_type` is `groupChat` or `personal`. A chat
/// activity carries neither team nor channel, and the tests here need no user.
pub fn chat_requester(tenant: &str, conversation_type: &str, conversation_id: &str) -> Requester {
    Requester {
        tenant_id: Some(tenant.into()),
        conversation_id: conversation_id.into(),
        conversation_type: Some(conversation_type.into()),
        ..Requester::default()
    }
}

/// The ARN of role `role` in account `account_id`.
pub fn role_arn(account_id: &str, role: &str) -> String {
    format!("arn:aws:iam::{account_id}:role/{role}")
}

/// One `[access.accounts.<name>]` entry; roles are named by their name in the account.
pub struct TestAccount {
    name: String,
    id: String,
    table: Table,
}

/// An account with only its id: add what a test needs with the methods.
pub fn account(name: &str, id: &str) -> TestAccount {
    let mut table = Table::new();
    table.insert("id", value(id));
    TestAccount {
        name: name.into(),
        id: id.into(),
        table,
    }
}

impl TestAccount {
    pub fn default_region(mut self, region: &str) -> Self {
        self.table.insert("default_region", value(region));
        self
    }

    pub fn channel_role(mut self, role: &str) -> Self {
        self.table
            .insert("channel_role", value(role_arn(&self.id, role)));
        self
    }

    /// Maps `user` (an Entra object id) to `role`.
    pub fn user_role(mut self, user: &str, role: &str) -> Self {
        let mut roles = InlineTable::new();
        roles.insert(user, role_arn(&self.id, role).into());
        self.table.insert("user_roles", value(roles));
        self
    }
}

/// Where a channel entry applies.
pub enum Place<'a> {
    /// A Teams channel of [`TENANT`] by its id, with the team's id when given.
    Channel {
        team: Option<&'a str>,
        channel_id: &'a str,
    },
    /// A Teams channel of [`TENANT`] and [`TEAM`] by the link Teams copies for it.
    Link(&'a str),
    /// A group chat of [`TENANT`] by its conversation id.
    GroupChat(&'a str),
    /// Every personal chat in [`TENANT`].
    PersonalChats,
}

/// One `[access.channels.<name>]` entry.
pub struct TestChannel {
    name: String,
    table: Table,
    /// `(account, role name)`: made ARNs once the accounts' ids are known.
    channel_roles: Vec<(String, String)>,
}

/// A channel entry that may use `accounts`.
pub fn channel(name: &str, place: Place<'_>, accounts: &[&str]) -> TestChannel {
    let mut table = Table::new();
    match place {
        Place::Channel { team, channel_id } => {
            table.insert("tenant_id", value(TENANT));
            if let Some(team) = team {
                table.insert("team_id", value(team));
            }
            table.insert("channel_id", value(channel_id));
        }
        Place::Link(channel_id) => {
            let encoded = channel_id.replace(':', "%3A").replace('@', "%40");
            let link = format!(
                "https://teams.microsoft.com/l/channel/{encoded}/Channel?groupId={TEAM}&tenantId={TENANT}"
            );
            table.insert("link", value(link));
        }
        Place::GroupChat(conversation_id) => {
            table.insert("tenant_id", value(TENANT));
            table.insert("conversation_id", value(conversation_id));
        }
        Place::PersonalChats => {
            table.insert("tenant_id", value(TENANT));
            table.insert("personal_chats", value(true));
        }
    }
    table.insert(
        "accounts",
        value(Array::from_iter(accounts.iter().copied())),
    );
    TestChannel {
        name: name.into(),
        table,
        channel_roles: Vec::new(),
    }
}

impl TestChannel {
    pub fn guardrails(mut self, names: &[&str]) -> Self {
        self.table
            .insert("guardrails", value(Array::from_iter(names.iter().copied())));
        self
    }

    pub fn require_user_roles(mut self) -> Self {
        self.table.insert("require_user_roles", value(true));
        self
    }

    /// The channel's own role in `account`, over the account's channel role.
    pub fn channel_role(mut self, account: &str, role: &str) -> Self {
        self.channel_roles.push((account.into(), role.into()));
        self
    }
}

/// The access configuration of `accounts` and `channels`, written as TOML and loaded as the
/// bot loads its file, so every test configuration passes the same validation.
pub fn access_config(
    default_region: Option<&str>,
    accounts: &[TestAccount],
    channels: &[TestChannel],
) -> AccessConfig {
    let mut access = Table::new();
    if let Some(region) = default_region {
        access.insert("default_region", value(region));
    }
    let mut account_tables = Table::new();
    account_tables.set_implicit(true);
    for account in accounts {
        account_tables.insert(&account.name, Item::Table(account.table.clone()));
    }
    access.insert("accounts", Item::Table(account_tables));
    let mut channel_tables = Table::new();
    channel_tables.set_implicit(true);
    for channel in channels {
        let mut table = channel.table.clone();
        if !channel.channel_roles.is_empty() {
            let mut roles = InlineTable::new();
            for (name, role) in &channel.channel_roles {
                let account = accounts
                    .iter()
                    .find(|a| a.name == *name)
                    .unwrap_or_else(|| panic!("no account {name} in the fixture"));
                roles.insert(name, role_arn(&account.id, role).into());
            }
            table.insert("channel_roles", value(roles));
        }
        channel_tables.insert(&channel.name, Item::Table(table));
    }
    access.insert("channels", Item::Table(channel_tables));
    let mut document = DocumentMut::new();
    document.insert("access", Item::Table(access));
    let text = document.to_string();
    AccessConfig::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Asserts that `text` (a refusal or a problem message) contains every one of `words`.
#[track_caller]
pub fn assert_mentions(text: &str, words: &[&str]) {
    for word in words {
        assert!(text.contains(word), "{text:?} lacks {word:?}");
    }
}
