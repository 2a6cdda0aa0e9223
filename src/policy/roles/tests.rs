//! Channel matching, account selection and role resolution, table by table.

use super::*;

use crate::policy::test_fixtures::{
    access_config, account, assert_mentions, channel, channel_requester, chat_requester, Place,
    ALICE, AUDIT, BOB, CAROL, OPS, TEAM, TENANT,
};

/// Two accounts, and a channel entry of each kind: by id, by link, a group chat, personal chats.
fn config() -> AccessConfig {
    access_config(
        None,
        &[
            account("production", "111111111111")
                .channel_role("chatops-channel")
                .user_role(ALICE, "alice"),
            account("staging", "222222222222").user_role(BOB, "bob"),
        ],
        &[
            channel(
                "ops",
                Place::Channel {
                    team: Some(TEAM),
                    channel_id: OPS,
                },
                &["production", "staging"],
            )
            .channel_role("staging", "ops-staging"),
            channel("audit", Place::Link(AUDIT), &["production"]).require_user_roles(),
            channel(
                "group",
                Place::GroupChat("19:group-chat@thread.v2"),
                &["staging"],
            ),
            channel("dm", Place::PersonalChats, &["production"]),
        ],
    )
}

#[test]
fn conversations_find_their_entries() {
    let config = config();
    let cases: Vec<(Requester, Option<&str>)> = vec![
        (channel_requester(OPS, Some(ALICE)), Some("ops")),
        (channel_requester(AUDIT, Some(ALICE)), Some("audit")),
        // The channel id can come from the conversation id alone.
        (
            Requester {
                channel_id: None,
                ..channel_requester(OPS, Some(ALICE))
            },
            Some("ops"),
        ),
        // Team ids in the 19: form cannot be compared with the link's groupId: tenant and
        // channel decide.
        (
            Requester {
                team_id: Some("19:general@thread.tacv2".into()),
                ..channel_requester(OPS, Some(ALICE))
            },
            Some("ops"),
        ),
        // Another team's group id does not match.
        (
            Requester {
                team_id: Some("99999999-0000-0000-0000-000000000000".into()),
                ..channel_requester(OPS, Some(ALICE))
            },
            None,
        ),
        // Another tenant does not match.
        (
            Requester {
                tenant_id: Some("00000000-0000-0000-0000-000000000000".into()),
                ..channel_requester(OPS, Some(ALICE))
            },
            None,
        ),
        (
            Requester {
                tenant_id: None,
                ..channel_requester(OPS, Some(ALICE))
            },
            None,
        ),
        (
            channel_requester("19:other@thread.tacv2", Some(ALICE)),
            None,
        ),
        (
            chat_requester(
                &TENANT.to_uppercase(),
                "groupChat",
                "19:group-chat@thread.v2",
            ),
            Some("group"),
        ),
        (chat_requester(TENANT, "personal", "a:1xyz"), Some("dm")),
        (
            chat_requester(TENANT, "groupChat", "19:another-group@thread.v2"),
            None,
        ),
    ];
    for (requester, expected) in cases {
        let found = find_channel(&config, &requester).map(|c| c.key.as_str());
        match expected {
            Some(key) => assert_eq!(found, Ok(key), "{requester:?}"),
            None => {
                let refusal = found.expect_err("unknown conversation");
                assert_eq!(refusal.layer(), DenialLayer::Channel);
            }
        }
    }
}

#[test]
fn unknown_conversations_are_told_the_ids_to_add() {
    let config = config();
    let requester = channel_requester("19:new-channel@thread.tacv2", Some(ALICE));
    let chat = chat_requester(TENANT, "groupChat", "19:new-group@thread.v2");
    let cases: [(Requester, &[&str]); 2] = [
        (
            requester,
            &[
                &format!("tenant_id = \"{TENANT}\""),
                &format!("team_id = \"{TEAM}\""),
                "channel_id = \"19:new-channel@thread.tacv2\"",
            ],
        ),
        (chat, &["conversation_id = \"19:new-group@thread.v2\""]),
    ];
    for (requester, words) in cases {
        let message = find_channel(&config, &requester).unwrap_err().to_string();
        assert_mentions(&message, words);
    }
}

#[test]
fn accounts_are_chosen_remembered_or_asked() {
    let config = config();
    let ops = &config.channels["ops"];
    let audit = &config.channels["audit"];
    let names = |selection: AccountSelection<'_>| match selection {
        AccountSelection::Chosen(account) => vec![account.name.clone()],
        AccountSelection::Ask(accounts) => {
            let mut names = vec!["ask".to_owned()];
            names.extend(accounts.iter().map(|a| a.name.clone()));
            names
        }
    };
    assert_eq!(names(select_account(&config, audit, None)), ["production"]);
    assert_eq!(
        names(select_account(&config, ops, None)),
        ["ask", "production", "staging"]
    );
    assert_eq!(
        names(select_account(&config, ops, Some("staging"))),
        ["staging"]
    );
    // A remembered account the channel may no longer use is asked about again.
    assert_eq!(
        names(select_account(&config, ops, Some("retired"))),
        ["ask", "production", "staging"]
    );
    assert_eq!(
        choose_account(&config, ops, "222222222222").map(|a| a.name.as_str()),
        Ok("staging")
    );
    assert_eq!(
        choose_account(&config, ops, "Production").map(|a| a.name.as_str()),
        Ok("production")
    );
    let refusal = choose_account(&config, audit, "staging").unwrap_err();
    assert_eq!(refusal.layer(), DenialLayer::Account);
    assert!(refusal.to_string().contains("production"));
}

#[test]
fn roles_follow_the_channel_setting() {
    let config = config();
    let production = &config.accounts["production"];
    let staging = &config.accounts["staging"];
    let ops = &config.channels["ops"];
    let audit = &config.channels["audit"];
    let group = &config.channels["group"];
    let role = |channel, account, user: Option<&str>| resolve_role(channel, account, user);
    let alice_upper = ALICE.to_uppercase();
    type Case<'a> = (
        &'a Channel,
        &'a Account,
        Option<&'a str>,
        Result<(&'a str, RoleKind), DenialLayer>,
    );
    let cases: Vec<Case<'_>> = vec![
        // A user role wins over the channel role.
        (
            ops,
            production,
            Some(ALICE),
            Ok(("role/alice", RoleKind::User)),
        ),
        // Upper-case object ids are the same user.
        (
            ops,
            production,
            Some(alice_upper.as_str()),
            Ok(("role/alice", RoleKind::User)),
        ),
        // No user role: the account's channel role.
        (
            ops,
            production,
            Some(CAROL),
            Ok(("role/chatops-channel", RoleKind::Channel)),
        ),
        // The channel's own channel role for an account overrides the account's.
        (
            ops,
            staging,
            Some(CAROL),
            Ok(("role/ops-staging", RoleKind::Channel)),
        ),
        (ops, staging, Some(BOB), Ok(("role/bob", RoleKind::User))),
        // A channel requiring user roles refuses users without one.
        (
            audit,
            production,
            Some(ALICE),
            Ok(("role/alice", RoleKind::User)),
        ),
        (audit, production, Some(CAROL), Err(DenialLayer::Role)),
        // No channel role anywhere and no user role.
        (group, staging, Some(CAROL), Err(DenialLayer::Role)),
        (group, staging, Some(BOB), Ok(("role/bob", RoleKind::User))),
        // Nobody known.
        (ops, production, None, Err(DenialLayer::Role)),
        (ops, production, Some(""), Err(DenialLayer::Role)),
    ];
    for (channel, account, user, expected) in cases {
        let got = role(channel, account, user);
        match expected {
            Ok((suffix, kind)) => {
                let resolved = got.unwrap_or_else(|e| panic!("{}/{user:?}: {e}", channel.key));
                assert!(resolved.arn.ends_with(suffix), "{resolved:?}");
                assert_eq!(resolved.kind, kind);
            }
            Err(layer) => {
                let refusal = got.expect_err("refused");
                assert_eq!(refusal.layer(), layer, "{refusal}");
            }
        }
    }
}

#[test]
fn role_refusals_say_how_to_get_mapped() {
    let config = config();
    let cases: [(&str, &str, &[&str]); 2] = [
        (
            "audit",
            "production",
            &[
                "requires user roles",
                CAROL,
                "[access.accounts.production.user_roles]",
            ],
        ),
        ("group", "staging", &["no channel role", CAROL]),
    ];
    for (channel, account, words) in cases {
        let refusal = resolve_role(
            &config.channels[channel],
            &config.accounts[account],
            Some(CAROL),
        )
        .unwrap_err()
        .to_string();
        assert_mentions(&refusal, words);
    }
}
