//! The Region display names CloudWatch writes in SNS alarm messages (`"Region": "EU (Ireland)"`)
//! mapped to Region codes. Both AWS's older "EU (...)" and newer "Europe (...)" spellings are
//! known; a name not in the table is kept as it is (the alarm ARN's Region wins anyway).

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

#[cfg(test)]
mod tests {
    use super::region_code;

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
