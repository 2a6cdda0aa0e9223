//! `cloudfront create-invalidation --paths /a /b/*` (awscli `cloudfront.py`, `PathsArgument`):
//! the CLI builds the whole `InvalidationBatch` from the paths (their count and list, and a
//! `CallerReference` that ends in the time and a random number, as its `unique_string` makes
//! it), so `--invalidation-batch` is then optional and cannot be combined with `--paths`. The
//! invocation keeps the reference, so a confirmed or retried call sends the same one.

use serde_json::{json, Map, Value};

use super::super::CommandError;

/// The option the customization adds.
pub(super) const OPTION: &str = "paths";

/// Fills `InvalidationBatch` from the paths given (`--paths`' words), with the time and random
/// number of the CLI's unique string.
pub(super) fn apply(
    params: &mut Map<String, Value>,
    name: String,
    paths: Vec<String>,
) -> Result<(), CommandError> {
    let caller_reference = format!("cli-{}", super::create_distribution::unique_suffix());
    build(params, name, paths, &caller_reference)
}

/// [`apply`] with the unique `CallerReference` (`cli-<time>-<n>`) given.
fn build(
    params: &mut Map<String, Value>,
    name: String,
    paths: Vec<String>,
    caller_reference: &str,
) -> Result<(), CommandError> {
    if params.contains_key("InvalidationBatch") {
        return Err(CommandError::OptionConflict {
            option: name,
            other: "invalidation-batch".to_owned(),
            hint: "give the whole batch with --invalidation-batch, or only the paths with \
                   --paths"
                .to_owned(),
        });
    }
    // argparse's `nargs='+'`: at least one path.
    if paths.is_empty() {
        return Err(CommandError::MissingValue {
            option: name,
            expected: "one or more paths separated by spaces, like /index.html '/images/*'"
                .to_owned(),
        });
    }
    // The CLI's key order, which the request body follows.
    params.insert(
        "InvalidationBatch".to_owned(),
        json!({
            "CallerReference": caller_reference,
            "Paths": {"Quantity": paths.len(), "Items": paths},
        }),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_is_the_paths_with_their_count_and_the_reference() {
        let mut params = Map::new();
        params.insert("DistributionId".to_owned(), json!("E1"));
        build(
            &mut params,
            "paths".into(),
            vec!["/a".into(), "/b/*".into()],
            "cli-1700000000-42",
        )
        .unwrap();
        assert_eq!(
            Value::Object(params.clone()),
            json!({"DistributionId": "E1", "InvalidationBatch": {
                "CallerReference": "cli-1700000000-42",
                "Paths": {"Quantity": 2, "Items": ["/a", "/b/*"]}
            }})
        );
        let keys: Vec<&String> = params["InvalidationBatch"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["CallerReference", "Paths"]);
    }
}
