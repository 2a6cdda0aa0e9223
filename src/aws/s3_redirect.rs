//! botocore's S3 region redirect (`S3RegionRedirectorv2` in `botocore/utils.py`): an S3 call
//! signed for the wrong Region is answered with an error that names the bucket's Region (a
//! 301 `PermanentRedirect`, a 400 `AuthorizationHeaderMalformed`, an `x-amz-bucket-region`
//! header), and botocore sends the request once more for that Region instead of showing the
//! error. So `s3api list-objects-v2 --bucket a-bucket-in-eu-west-1` works from a channel whose
//! Region is us-east-1, as from the CLI.

use serde_json::{Map, Value};

use super::parse::RawResponse;
use super::xml;

/// Where the bucket's Region is to be found after an error answer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Redirect {
    /// Not a wrong-Region answer (or one that must not be redirected): show the error.
    No,
    /// Send the request again for this Region.
    To(String),
    /// A wrong-Region answer that does not say the Region: ask the bucket (HeadBucket's
    /// `x-amz-bucket-region`, on success or error).
    AskBucket(String),
}

/// Whether an S3 error answer to `operation_key` with `params` asks for another Region, as
/// botocore's `redirect_from_error` decides, and where that Region is.
pub(super) fn redirect(
    operation_key: &str,
    params: &Map<String, Value>,
    raw: &RawResponse,
) -> Redirect {
    let Some(bucket) = params.get("Bucket").and_then(Value::as_str) else {
        return Redirect::No;
    };
    // Access point ARNs are not redirected.
    if bucket.starts_with("arn:") {
        return Redirect::No;
    }
    let error = if raw.body.is_empty() {
        None
    } else {
        xml::parse(&raw.body).ok()
    };
    let error = error.as_ref().and_then(|root| root.find("Error"));
    let status = raw.status.to_string();
    let code = error
        .and_then(|e| e.child("Code"))
        .map_or(status.as_str(), |c| c.text.as_str());
    let body_region = error
        .and_then(|e| e.child("Region"))
        .map(|r| r.text.clone());
    let header_region = raw.header("x-amz-bucket-region").map(str::to_owned);
    let status_code = matches!(code, "301" | "400");
    let redirected = (status_code && operation_key == "HeadObject")
        || (status_code && operation_key == "HeadBucket" && header_region.is_some())
        || (code == "AuthorizationHeaderMalformed" && body_region.is_some())
        || matches!(raw.status, 301 | 302 | 307)
        || code == "PermanentRedirect"
        || (code == "IllegalLocationConstraintException" && operation_key != "CreateBucket");
    if !redirected {
        return Redirect::No;
    }
    match header_region.or(body_region) {
        Some(region) => Redirect::To(region),
        None => Redirect::AskBucket(bucket.to_owned()),
    }
}

/// The Region a HeadBucket answer names, when it is one.
pub(super) fn bucket_region(raw: &RawResponse) -> Option<String> {
    raw.header("x-amz-bucket-region")
        .filter(|region| crate::common::is_region(region))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(status: u16, headers: &[(&str, &str)], body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn params(bucket: &str) -> Map<String, Value> {
        json!({"Bucket": bucket}).as_object().unwrap().clone()
    }

    #[test]
    fn wrong_region_answers_name_the_region_to_send_to() {
        let moved = raw(
            301,
            &[("x-amz-bucket-region", "eu-west-1")],
            "<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>",
        );
        assert_eq!(
            redirect("ListObjectsV2", &params("b"), &moved),
            Redirect::To("eu-west-1".into())
        );
        let malformed = raw(
            400,
            &[],
            "<Error><Code>AuthorizationHeaderMalformed</Code><Region>ap-south-1</Region></Error>",
        );
        assert_eq!(
            redirect("GetBucketTagging", &params("b"), &malformed),
            Redirect::To("ap-south-1".into())
        );
        // A HEAD answer has no body: HeadObject asks the bucket.
        assert_eq!(
            redirect("HeadObject", &params("b"), &raw(400, &[], "")),
            Redirect::AskBucket("b".into())
        );
        let opt_in = raw(
            400,
            &[],
            "<Error><Code>IllegalLocationConstraintException</Code></Error>",
        );
        assert_eq!(
            redirect("PutObject", &params("b"), &opt_in),
            Redirect::AskBucket("b".into())
        );
        assert_eq!(
            redirect("CreateBucket", &params("b"), &opt_in),
            Redirect::No
        );
    }

    #[test]
    fn other_errors_access_points_and_calls_without_a_bucket_are_not_redirected() {
        let denied = raw(403, &[], "<Error><Code>AccessDenied</Code></Error>");
        assert_eq!(
            redirect("ListObjectsV2", &params("b"), &denied),
            Redirect::No
        );
        let moved = raw(301, &[("x-amz-bucket-region", "eu-west-1")], "");
        assert_eq!(
            redirect(
                "ListObjectsV2",
                &params("arn:aws:s3:us-east-1:1:accesspoint/ap"),
                &moved
            ),
            Redirect::No
        );
        assert_eq!(redirect("ListBuckets", &Map::new(), &moved), Redirect::No);
        // HeadBucket's 400 is a redirect only with the header.
        assert_eq!(
            redirect("HeadBucket", &params("b"), &raw(400, &[], "")),
            Redirect::No
        );
        assert_eq!(
            bucket_region(&raw(200, &[("x-amz-bucket-region", "not a region")], "")),
            None
        );
    }
}
