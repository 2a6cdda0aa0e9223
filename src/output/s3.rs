//! The `aws s3 ls` and `aws s3 cp` lines, laid out as the AWS CLI prints them. Pure: the pages
//! come from the engine. Times are printed in UTC (the CLI prints the machine's local time,
//! which is the same on a UTC host).

use serde_json::Value;

/// `2026-11-27 02:07:54` from an ISO 8601 timestamp as the engine prints them.
fn last_modified(iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let time = iso.get(11..19).unwrap_or("");
    format!("{date} {time}")
}

/// One `ListBuckets` page: `<creation date> <name>` per bucket.
pub fn ls_buckets_page(page: &Value) -> String {
    let mut out = String::new();
    for bucket in page["Buckets"].as_array().into_iter().flatten() {
        let created = bucket["CreationDate"].as_str().unwrap_or_default();
        let name = bucket["Name"].as_str().unwrap_or_default();
        out.push_str(&format!("{:<19} {name}\n", last_modified(created)));
    }
    out
}

/// One `ListObjectsV2` page: common prefixes first (`PRE name/`), then objects with their
/// time, size and name (the last path component unless `recursive`, the whole key then).
pub fn ls_objects_page(page: &Value, recursive: bool) -> String {
    let mut out = String::new();
    for common in page["CommonPrefixes"].as_array().into_iter().flatten() {
        let prefix = common["Prefix"].as_str().unwrap_or_default();
        let parts: Vec<&str> = prefix.split('/').collect();
        let name = parts
            .len()
            .checked_sub(2)
            .map(|i| parts[i])
            .unwrap_or(prefix);
        out.push_str(&format!("{:>30} {name}/\n", "PRE"));
    }
    for object in page["Contents"].as_array().into_iter().flatten() {
        let modified = object["LastModified"].as_str().unwrap_or_default();
        let size = object["Size"].as_i64().unwrap_or_default();
        let key = object["Key"].as_str().unwrap_or_default();
        let name = if recursive {
            key
        } else {
            key.rsplit('/').next().unwrap_or(key)
        };
        out.push_str(&format!(
            "{:<19} {size:>10} {name}\n",
            last_modified(modified)
        ));
    }
    out
}

/// Whether a `ListObjectsV2` page found nothing (the CLI exits 1 when a key prefix was given
/// and the first page is empty).
pub fn ls_page_is_empty(page: &Value) -> bool {
    let empty = |name: &str| page[name].as_array().is_none_or(Vec::is_empty);
    empty("Contents") && empty("CommonPrefixes")
}

/// The line `aws s3 cp` prints for a copy inside S3.
pub fn cp_line(source_bucket: &str, source_key: &str, dest_bucket: &str, dest_key: &str) -> String {
    format!("copy: s3://{source_bucket}/{source_key} to s3://{dest_bucket}/{dest_key}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines_follow_the_cli_layout() {
        let buckets = json!({"Buckets": [{"Name": "logs", "CreationDate": "2026-11-27T02:07:54.382000+00:00"}]});
        assert_eq!(ls_buckets_page(&buckets), "2026-11-27 02:07:54 logs\n");
        let objects = json!({
            "CommonPrefixes": [{"Prefix": "2026/11/"}],
            "Contents": [{"Key": "2026/readme.txt", "LastModified": "2026-11-27T02:07:54+00:00", "Size": 1234}]
        });
        assert_eq!(
            ls_objects_page(&objects, false),
            "                           PRE 11/\n2026-11-27 02:07:54       1234 readme.txt\n"
        );
        assert!(ls_objects_page(&objects, true).ends_with(" 2026/readme.txt\n"));
        assert!(ls_page_is_empty(&json!({"KeyCount": 0})));
        assert_eq!(
            cp_line("a", "k", "b", "k2"),
            "copy: s3://a/k to s3://b/k2\n"
        );
    }
}
