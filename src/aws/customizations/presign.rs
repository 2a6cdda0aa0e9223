//! botocore's `inject_presigned_url_ec2` and `inject_presigned_url_rds`: a copy from another
//! Region carries a presigned request of the source Region, which the service replays there.
//! Pure: the caller signs (`presign` gets the URL to sign and the source Region).

use super::super::serialize::{encode_query, form_encode};
use crate::models::{Operation, ServiceModel};

/// Which of the two handlers an operation has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::aws) enum CrossRegionCopy {
    /// EC2 CopySnapshot: always presigned unless `PresignedUrl` is given; the request also
    /// names its `DestinationRegion`.
    Ec2,
    /// RDS, Neptune and DocumentDB: presigned only when `SourceRegion` is given, which is then
    /// not sent itself.
    Rds,
}

pub(in crate::aws) fn cross_region_copy(
    model: &ServiceModel,
    operation: &Operation,
) -> Option<CrossRegionCopy> {
    let key = operation.key.as_str();
    match model.metadata.service_id.as_str() {
        "EC2" if key == "CopySnapshot" => Some(CrossRegionCopy::Ec2),
        "RDS"
            if matches!(
                key,
                "CopyDBClusterSnapshot"
                    | "CreateDBCluster"
                    | "CopyDBSnapshot"
                    | "CreateDBInstanceReadReplica"
                    | "StartDBInstanceAutomatedBackupsReplication"
            ) =>
        {
            Some(CrossRegionCopy::Rds)
        }
        "Neptune" | "DocDB" if matches!(key, "CopyDBClusterSnapshot" | "CreateDBCluster") => {
            Some(CrossRegionCopy::Rds)
        }
        _ => None,
    }
}

/// Rewrites the form `body` of a request to `url` (called in `destination`): the presigned
/// GET of the same parameters in the source Region (with `DestinationRegion`) goes in as
/// `PresignedUrl` (EC2) or `PreSignedUrl` (RDS).
pub(in crate::aws) fn inject_presigned_url(
    kind: CrossRegionCopy,
    body: &mut Vec<u8>,
    url: &str,
    destination: &str,
    presign: impl FnOnce(&str, &str) -> Result<String, String>,
) -> Result<(), String> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let position =
        |pairs: &[(String, String)], name: &str| pairs.iter().position(|(k, _)| k == name);
    let source = match kind {
        CrossRegionCopy::Ec2 => {
            if position(&pairs, "PresignedUrl").is_some() {
                return Ok(());
            }
            match position(&pairs, "SourceRegion") {
                Some(at) => pairs[at].1.clone(),
                None => return Ok(()),
            }
        }
        CrossRegionCopy::Rds => {
            let Some(at) = position(&pairs, "SourceRegion") else {
                return Ok(());
            };
            let source = pairs.remove(at).1;
            if position(&pairs, "PreSignedUrl").is_some() {
                *body = form_encode(&pairs).into_bytes();
                return Ok(());
            }
            source
        }
    };
    let mut replayed = pairs.clone();
    set(&mut replayed, "DestinationRegion", destination);
    let source_url = format!(
        "{}?{}",
        url.replace(destination, &source),
        encode_query(&replayed)
    );
    let presigned = presign(&source_url, &source)?;
    match kind {
        CrossRegionCopy::Ec2 => {
            set(&mut pairs, "PresignedUrl", &presigned);
            set(&mut pairs, "DestinationRegion", destination);
        }
        CrossRegionCopy::Rds => set(&mut pairs, "PreSignedUrl", &presigned),
    }
    *body = form_encode(&pairs).into_bytes();
    Ok(())
}

/// Python's `dict[name] = value`: replaced in place, or added at the end.
fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    match pairs.iter_mut().find(|(k, _)| k == name) {
        Some((_, existing)) => *existing = value.to_owned(),
        None => pairs.push((name.to_owned(), value.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inject(kind: CrossRegionCopy, body: &str) -> (String, Option<(String, String)>) {
        let mut body = body.as_bytes().to_vec();
        let mut asked = None;
        inject_presigned_url(
            kind,
            &mut body,
            "https://ec2.us-west-2.amazonaws.com/",
            "us-west-2",
            |url, source| {
                asked = Some((url.to_owned(), source.to_owned()));
                Ok("https://signed/?a=b".to_owned())
            },
        )
        .unwrap();
        (String::from_utf8(body).unwrap(), asked)
    }

    #[test]
    fn ec2_copies_carry_a_presigned_request_of_the_source_region() {
        let (body, asked) = inject(
            CrossRegionCopy::Ec2,
            "Action=CopySnapshot&Version=2016-11-15&SourceRegion=eu-west-1&SourceSnapshotId=snap-1&Description=a+b",
        );
        // The request botocore presigns, and the body it sends (as botocore 1.43.11 does).
        assert_eq!(
            asked,
            Some((
                "https://ec2.eu-west-1.amazonaws.com/?Action=CopySnapshot&Version=2016-11-15&SourceRegion=eu-west-1&SourceSnapshotId=snap-1&Description=a%20b&DestinationRegion=us-west-2".to_owned(),
                "eu-west-1".to_owned()
            ))
        );
        assert_eq!(
            body,
            "Action=CopySnapshot&Version=2016-11-15&SourceRegion=eu-west-1&SourceSnapshotId=snap-1&Description=a+b&PresignedUrl=https%3A%2F%2Fsigned%2F%3Fa%3Db&DestinationRegion=us-west-2"
        );
        let given = "Action=CopySnapshot&SourceRegion=eu-west-1&PresignedUrl=mine";
        assert_eq!(
            inject(CrossRegionCopy::Ec2, given),
            (given.to_owned(), None)
        );
    }

    #[test]
    fn rds_presigns_only_with_a_source_region_which_is_not_sent() {
        let (body, asked) = inject(
            CrossRegionCopy::Rds,
            "Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=s&SourceRegion=eu-west-1",
        );
        assert_eq!(
            asked.unwrap().0,
            "https://ec2.eu-west-1.amazonaws.com/?Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=s&DestinationRegion=us-west-2"
        );
        assert_eq!(
            body,
            "Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=s&PreSignedUrl=https%3A%2F%2Fsigned%2F%3Fa%3Db"
        );
        let local = "Action=CopyDBSnapshot&SourceDBSnapshotIdentifier=s";
        assert_eq!(
            inject(CrossRegionCopy::Rds, local),
            (local.to_owned(), None)
        );
    }
}
