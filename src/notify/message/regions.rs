//! The Region display names CloudWatch writes in SNS alarm messages (`"Region": "EU (Ireland)"`)
//! mapped to Region codes. Both AWS's older "EU (...)" and newer "Europe (...)" spellings are
//! known; a name not in the table is kept only when it is a Region code itself (the alarm ARN's
//! Region wins anyway), and nothing else a message names as a Region reaches a host name.

use crate::common::is_region;

/// Display name → code, as the AWS console and SNS alarm messages name them.
const REGIONS: &[(&str, &str)] = &[
    ("US East (N. Virginia)", "us-east-1"),
    ("US East (Ohio)", "us-east-2"),
    ("US West (N. California)", "us-west-1"),
    ("US West (Oregon)", "us-west-2"),
    ("Africa (Cape Town)", "af-south-1"),
    ("Asia Pacific (Hong Kong)", "ap-east-1"),
    ("Asia Pacific (Taipei)", "ap-east-2"),
    ("Asia Pacific (Mumbai)", "ap-south-1"),
    ("Asia Pacific (Hyderabad)", "ap-south-2"),
    ("Asia Pacific (Tokyo)", "ap-northeast-1"),
    ("Asia Pacific (Seoul)", "ap-northeast-2"),
    ("Asia Pacific (Osaka)", "ap-northeast-3"),
    ("Asia Pacific (Singapore)", "ap-southeast-1"),
    ("Asia Pacific (Sydney)", "ap-southeast-2"),
    ("Asia Pacific (Jakarta)", "ap-southeast-3"),
    ("Asia Pacific (Melbourne)", "ap-southeast-4"),
    ("Asia Pacific (Malaysia)", "ap-southeast-5"),
    ("Asia Pacific (New Zealand)", "ap-southeast-6"),
    ("Asia Pacific (Thailand)", "ap-southeast-7"),
    ("Canada (Central)", "ca-central-1"),
    ("Canada West (Calgary)", "ca-west-1"),
    ("EU (Frankfurt)", "eu-central-1"),
    ("EU (Zurich)", "eu-central-2"),
    ("EU (Stockholm)", "eu-north-1"),
    ("EU (Milan)", "eu-south-1"),
    ("EU (Spain)", "eu-south-2"),
    ("EU (Ireland)", "eu-west-1"),
    ("EU (London)", "eu-west-2"),
    ("EU (Paris)", "eu-west-3"),
    ("Israel (Tel Aviv)", "il-central-1"),
    ("Mexico (Central)", "mx-central-1"),
    ("Middle East (UAE)", "me-central-1"),
    ("Middle East (Bahrain)", "me-south-1"),
    ("South America (Sao Paulo)", "sa-east-1"),
    ("South America (São Paulo)", "sa-east-1"),
    ("AWS GovCloud (US-East)", "us-gov-east-1"),
    ("AWS GovCloud (US-West)", "us-gov-west-1"),
    ("AWS GovCloud (US)", "us-gov-west-1"),
    ("China (Beijing)", "cn-north-1"),
    ("China (Ningxia)", "cn-northwest-1"),
];

/// The Region code of a display name; a code given as such is returned as it is.
pub(super) fn region_code(display: &str) -> Option<&'static str> {
    let display = display.trim();
    // "Europe (Ireland)" is the newer spelling of "EU (Ireland)".
    let europe = display
        .strip_prefix("Europe (")
        .map(|rest| format!("EU ({rest}"));
    let wanted = europe.as_deref().unwrap_or(display);
    REGIONS
        .iter()
        .find(|(name, code)| *name == wanted || *code == display)
        .map(|(_, code)| *code)
}

/// `text` when it is a Region code, else "" (not known). What a message names as its Region
/// ends up in console host names and in the Region of chart and log calls, and whoever may
/// publish to the topic chooses it, so nothing else is kept.
pub(super) fn code_or_empty(text: &str) -> &str {
    if is_region(text) {
        text
    } else {
        ""
    }
}

/// The console host of a Region (China's partition has its own); the global host when the
/// Region is not a Region code.
pub(super) fn console_host(region: &str) -> String {
    if !is_region(region) {
        "console.aws.amazon.com".to_owned()
    } else if region.starts_with("cn-") {
        "console.amazonaws.cn".to_owned()
    } else {
        format!("{region}.console.aws.amazon.com")
    }
}

#[cfg(test)]
mod tests {
    use super::{code_or_empty, console_host, region_code};

    #[test]
    fn only_region_codes_reach_host_names() {
        assert_eq!(code_or_empty("eu-west-1"), "eu-west-1");
        assert_eq!(code_or_empty("us-gov-west-1"), "us-gov-west-1");
        for text in [
            "",
            "ééé",
            "evil.example.com/x",
            "us-east-1.evil",
            "US-EAST-1",
            "x",
        ] {
            assert_eq!(code_or_empty(text), "", "{text}");
            assert_eq!(console_host(text), "console.aws.amazon.com", "{text}");
        }
        assert_eq!(console_host("cn-north-1"), "console.amazonaws.cn");
        assert_eq!(
            console_host("ap-south-2"),
            "ap-south-2.console.aws.amazon.com"
        );
    }

    #[test]
    fn display_names_and_codes_map_to_codes() {
        let cases = [
            ("US East (N. Virginia)", Some("us-east-1")),
            ("EU (Ireland)", Some("eu-west-1")),
            ("Europe (Ireland)", Some("eu-west-1")),
            ("Asia Pacific (Tokyo)", Some("ap-northeast-1")),
            ("eu-central-1", Some("eu-central-1")),
            ("Atlantis (Central)", None),
        ];
        for (display, expected) in cases {
            assert_eq!(region_code(display), expected, "{display}");
        }
    }
}
