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

/// How `s3 ls` prints objects: `--recursive` (whole keys) and `--human-readable` sizes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LsStyle {
    pub recursive: bool,
    pub human_readable: bool,
}

/// The object count and total size `s3 ls --summarize` prints after the lines, added up
/// page by page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LsTotals {
    pub objects: u64,
    pub bytes: u64,
}

/// One `ListObjectsV2` page: common prefixes first (`PRE name/`), then objects with their
/// time, size and name (the last path component unless `recursive`, the whole key then).
pub fn ls_objects_page(page: &Value, recursive: bool) -> String {
    let style = LsStyle {
        recursive,
        human_readable: false,
    };
    ls_objects_page_styled(page, style, &mut LsTotals::default())
}

/// [`ls_objects_page`] in `style`, adding the page's objects to `totals`.
pub fn ls_objects_page_styled(page: &Value, style: LsStyle, totals: &mut LsTotals) -> String {
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
        let size = object["Size"].as_u64().unwrap_or_default();
        totals.objects += 1;
        totals.bytes = totals.bytes.saturating_add(size);
        let key = object["Key"].as_str().unwrap_or_default();
        let name = if style.recursive {
            key
        } else {
            key.rsplit('/').next().unwrap_or(key)
        };
        let size = if style.human_readable {
            human_readable_size(size)
        } else {
            size.to_string()
        };
        out.push_str(&format!(
            "{:<19} {size:>10} {name}\n",
            last_modified(modified)
        ));
    }
    out
}

/// The lines `s3 ls --summarize` ends with.
pub fn ls_summary(totals: LsTotals, human_readable: bool) -> String {
    let size = if human_readable {
        human_readable_size(totals.bytes)
    } else {
        totals.bytes.to_string()
    };
    format!(
        "\nTotal Objects: {}\n{:>15}{size}\n",
        totals.objects, "Total Size: "
    )
}

/// A size as the CLI's `human_readable_size` writes it: `1 Byte`, `10 Bytes`, `1.0 KiB`,
/// `3.5 MiB` (base 1024, one decimal, rounded half to even like Python).
pub fn human_readable_size(bytes: u64) -> String {
    const SUFFIXES: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let base = 1024f64;
    let value = bytes as f64;
    if bytes == 1 {
        return "1 Byte".to_owned();
    }
    if value < base {
        return format!("{bytes} Bytes");
    }
    for (index, suffix) in SUFFIXES.iter().enumerate() {
        let unit = base.powi(index as i32 + 2);
        if ((value / unit) * base).round_ties_even() < base {
            return format!("{:.1} {suffix}", base * value / unit);
        }
    }
    // Past the last suffix the CLI returns nothing (Python's None); a u64 never gets there.
    format!("{bytes} Bytes")
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

    #[test]
    fn human_readable_sizes_and_the_summary_follow_the_cli() {
        // Values from awscli's human_readable_size doctests and python3 -c.
        for (bytes, text) in [
            (0, "0 Bytes"),
            (1, "1 Byte"),
            (10, "10 Bytes"),
            (1023, "1023 Bytes"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (1024 * 1024, "1.0 MiB"),
            (1_048_575, "1.0 MiB"),
            (5_000_000_000, "4.7 GiB"),
        ] {
            assert_eq!(human_readable_size(bytes), text, "{bytes}");
        }
        let page = json!({"Contents": [
            {"Key": "a/x", "LastModified": "2026-01-02T10:00:00+00:00", "Size": 2048},
            {"Key": "a/y", "LastModified": "2026-01-02T10:00:00+00:00", "Size": 1}
        ]});
        let mut totals = LsTotals::default();
        let style = LsStyle {
            recursive: true,
            human_readable: true,
        };
        assert_eq!(
            ls_objects_page_styled(&page, style, &mut totals),
            "2026-01-02 10:00:00    2.0 KiB a/x\n2026-01-02 10:00:00     1 Byte a/y\n"
        );
        assert_eq!(
            totals,
            LsTotals {
                objects: 2,
                bytes: 2049
            }
        );
        assert_eq!(
            ls_summary(totals, false),
            "\nTotal Objects: 2\n   Total Size: 2049\n"
        );
        assert_eq!(
            ls_summary(totals, true),
            "\nTotal Objects: 2\n   Total Size: 2.0 KiB\n"
        );
    }
}
