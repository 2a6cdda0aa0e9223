//! Writes one sample of every card the bot sends to `target/card-samples/<name>.json`, where the
//! tooling's validator and renderer pick them up, and checks their basic shape.

use std::path::PathBuf;

use aws_chatops::render;

fn samples_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; the samples live next to it.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    target.join("card-samples")
}

#[test]
fn write_card_samples() {
    let samples = [
        ("welcome", render::welcome(Some("AWS"))),
        ("help", render::help(Some("AWS"))),
        ("internal-error", render::internal_error("5f3a9c21")),
        (
            "account-choice",
            render::account_choice(&render::AccountChoiceView {
                title: "Which AWS account?".into(),
                header: Some(render::CommandHeader {
                    title: "cloudwatch describe-alarms".into(),
                    command_line: Some("aws cloudwatch describe-alarms".into()),
                    ..Default::default()
                }),
                message: "This channel can use several AWS accounts. Choose one.".into(),
                accounts: vec![
                    ("production".into(), "123456789012".into()),
                    ("staging".into(), "210987654321".into()),
                ],
                current: Some(("staging".into(), "210987654321".into())),
                request_id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            }),
        ),
    ];
    let dir = samples_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, card) in samples {
        let content = &card.content;
        assert_eq!(content["version"], "1.5", "{name}");
        assert_eq!(
            content["$schema"],
            "http://adaptivecards.io/schemas/adaptive-card.json"
        );
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(content).unwrap()).unwrap();
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(&written, content, "{name}");
    }
}
