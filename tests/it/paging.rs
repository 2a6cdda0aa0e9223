//! Next page reaches everything (issue 11, item 6): when a card has to cut a page of results,
//! Next page continues from the first item the card did not show, then with the service's
//! next page, until every item was shown once. Through `/api/messages` against moto: 60 log
//! groups (moto pages them by 50), and 60 alarms (moto returns every alarm in one page, with
//! no token: before, the card cut them with no Next page at all).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::support::app::{assert_contains, TestApp, User};
use crate::support::aws::{aws, put_alarm, unique};

/// The numbered names `{base}NN` a card shows (each once, whatever the card repeats).
fn numbers_in(card: &Value, base: &str) -> BTreeSet<u32> {
    let text = card.to_string();
    text.match_indices(base)
        .filter_map(|(at, _)| text.get(at + base.len()..at + base.len() + 2))
        .filter_map(|digits| digits.parse().ok())
        .collect()
}

/// The request of a card's Next page button (an alarm list's Show logs buttons carry
/// requests of their own).
fn next_page_request(card: &Value) -> String {
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => match (map.get("verb"), map.get("request")) {
                (Some(verb), Some(Value::String(id))) if verb == "next-page" => Some(id.clone()),
                _ => map.values().find_map(find),
            },
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(card).expect("the card has a Next page button")
}

/// Sends `command`, then clicks Next page for as long as a card offers it; every card in
/// order. A Next page card says its number ("Page 2", …).
async fn every_card(w: &TestApp, command: &str) -> Vec<Value> {
    let mut cards = vec![w.say(command).await];
    while cards.last().unwrap().to_string().contains("Next page") {
        assert!(cards.len() < 40, "Next page does not end: {cards:#?}");
        let request = next_page_request(cards.last().unwrap());
        let running = w
            .execute_card("next-page", json!({"request": request}), User::Requester)
            .await;
        assert_contains(&running, &["Running"]);
        let page = format!("\"Page {}\"", cards.len() + 1);
        cards.push(w.updated_card(&page).await);
    }
    cards
}

/// Every number 0..60 shown on exactly one card, and on several cards in all.
fn assert_each_shown_once(cards: &[Value], base: &str) {
    let mut shown_on: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (index, card) in cards.iter().enumerate() {
        for number in numbers_in(card, base) {
            shown_on.entry(number).or_default().push(index + 1);
        }
    }
    let expected: Vec<u32> = (0..60).collect();
    assert_eq!(
        shown_on.keys().copied().collect::<Vec<_>>(),
        expected,
        "every item is reached"
    );
    let repeated: Vec<_> = shown_on.iter().filter(|(_, on)| on.len() > 1).collect();
    assert!(
        repeated.is_empty(),
        "shown on more than one card: {repeated:?}"
    );
    assert!(cards.len() > 2, "the results needed several cards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_page_reaches_every_log_group_of_a_page_the_card_had_to_cut() {
    let w = TestApp::with_conversations().await;
    let prefix = unique("/it/paging");
    let base = format!("{prefix}/group-");
    for number in 0..60 {
        aws(
            "logs",
            "CreateLogGroup",
            json!({"logGroupName": format!("{base}{number:02}")}),
        )
        .await;
    }
    // As JSON, a log group takes about ten lines: a card (120 lines) holds about a dozen of
    // the 50 on moto's first page.
    let cards = every_card(
        &w,
        &format!("logs describe-log-groups --log-group-name-prefix {prefix} --output json"),
    )
    .await;
    let first = cards[0].to_string();
    assert!(first.contains("Output cut: "), "{first}");
    assert!(
        first.contains(" of 50 items shown."),
        "the first page is cut: {first}"
    );
    assert!(
        !first.contains("nextToken"),
        "the cursor stays on the server"
    );
    assert_each_shown_once(&cards, &base);
    let last = cards.last().unwrap().to_string();
    assert!(!last.contains("Next page"), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_page_reaches_all_of_sixty_alarms_as_text_and_as_an_alarm_list() {
    let w = TestApp::with_conversations().await;
    let prefix = unique("paging-it");
    let base = format!("{prefix}-alarm-");
    for number in 0..60 {
        put_alarm(&format!("{base}{number:02}"), 80.0).await;
    }

    // As text: moto answers all 60 alarms at once, with no token; the card cuts them.
    let text = every_card(
        &w,
        &format!("cloudwatch describe-alarms --alarm-name-prefix {prefix} --output json"),
    )
    .await;
    assert!(
        text[0].to_string().contains(" of 60 items shown."),
        "{}",
        text[0]
    );
    assert_each_shown_once(&text, &base);

    // As the alarm list (no --output): one section per alarm, Next page for the rest.
    let list = every_card(
        &w,
        &format!("cloudwatch describe-alarms --alarm-name-prefix {prefix}"),
    )
    .await;
    assert!(
        list.iter()
            .all(|card| card.to_string().contains("60 alarms: 60 OK")),
        "every card counts the whole list"
    );
    assert!(
        list[0].to_string().contains("Alarms 1–"),
        "the first card says which alarms it shows: {}",
        list[0]
    );
    assert_each_shown_once(&list, &base);
}
