//! S3 buckets in another Region, through /api/messages (issue 11 item 2, botocore's
//! `S3RegionRedirectorv2`): a call signed for the channel's Region is answered with the
//! bucket's Region and sent once more there, so the user sees the listing, not the error.
//! moto accepts any signing Region, so S3 is played by a stand-in on 127.0.0.1 that answers
//! as S3 documents for a request signed for the wrong Region: `301 PermanentRedirect` with
//! `x-amz-bucket-region`, `400 AuthorizationHeaderMalformed` naming the Region in the body,
//! or (for the last bucket) a bare 301 whose Region only HeadBucket's header gives. STS and
//! the rest are moto.

use std::sync::Mutex;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::access::text;
use crate::support::app::{TestApp, OPS};
use crate::support::aws::moto_engine;
use crate::support::standins::Served;

/// Each request: method, path, and the Region its signature was made for.
#[derive(Default)]
struct S3State {
    requests: Mutex<Vec<(String, String, String)>>,
}

/// The bucket's own Region.
fn home(bucket: &str) -> &'static str {
    match bucket {
        "eu-logs" => "eu-west-1",
        "mumbai-logs" => "ap-south-1",
        _ => "eu-central-1",
    }
}

async fn s3(request: HttpRequest, state: web::Data<S3State>) -> HttpResponse {
    // `Credential=AKID/20261204/eu-west-1/s3/aws4_request`
    let signed_for = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').nth(2))
        .unwrap_or_default()
        .to_owned();
    let bucket = request
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    state.requests.lock().unwrap().push((
        request.method().to_string(),
        request.path().to_owned(),
        signed_for.clone(),
    ));
    let region = home(&bucket);
    if request.method() == actix_web::http::Method::HEAD {
        // HeadBucket names the Region whatever the signature.
        return HttpResponse::Ok()
            .insert_header(("x-amz-bucket-region", region))
            .finish();
    }
    if signed_for != region {
        return match bucket.as_str() {
            "eu-logs" => HttpResponse::MovedPermanently()
                .insert_header(("x-amz-bucket-region", region))
                .content_type("application/xml")
                .body(format!(
                    "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting \
                     to access must be addressed using the specified endpoint.</Message>\
                     <Bucket>{bucket}</Bucket></Error>"
                )),
            "mumbai-logs" => HttpResponse::BadRequest()
                .content_type("application/xml")
                .body(format!(
                    "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization \
                     header is malformed; the region '{signed_for}' is wrong; expecting \
                     '{region}'</Message><Region>{region}</Region></Error>"
                )),
            _ => HttpResponse::MovedPermanently()
                .content_type("application/xml")
                .body("<Error><Code>PermanentRedirect</Code><Message>moved</Message></Error>"),
        };
    }
    HttpResponse::Ok().content_type("application/xml").body(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>{bucket}</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>\
         <IsTruncated>false</IsTruncated>\
         <Contents><Key>{region}/app.log</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified>\
         <ETag>&quot;abc&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>\
         </ListBucketResult>"
    ))
}

/// The bot with OPS reading (production its default account, us-east-1 its Region) and S3
/// answered at `s3_url`.
async fn start(s3_url: &str) -> TestApp {
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("S3".to_owned(), s3_url.to_owned());
    TestApp::ops_reading(engine).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_in_another_region_is_listed_from_the_channels_region() {
    let s3_standin = Served::start_with(1, S3State::default(), |routes| {
        routes.default_service(web::to(s3));
    });
    let bot = start(&s3_standin.server.url()).await;

    for (bucket, region) in [
        ("eu-logs", "eu-west-1"),
        ("mumbai-logs", "ap-south-1"),
        ("quiet-logs", "eu-central-1"),
    ] {
        let before = s3_standin.state.requests.lock().unwrap().len();
        let card = bot
            .say_in(OPS, &format!("s3api list-objects-v2 --bucket {bucket}"))
            .await;
        let shown = text(&card);
        assert!(
            shown.contains(&format!("{region}/app.log")),
            "{bucket}: {shown}"
        );
        assert!(!shown.contains("PermanentRedirect"), "{shown}");
        let requests = s3_standin.state.requests.lock().unwrap()[before..].to_vec();
        let regions: Vec<&str> = requests.iter().map(|(_, _, r)| r.as_str()).collect();
        let methods: Vec<&str> = requests.iter().map(|(m, _, _)| m.as_str()).collect();
        if bucket == "quiet-logs" {
            // The answer did not name the Region: HeadBucket asked for it.
            assert_eq!(methods, ["GET", "HEAD", "GET"], "{requests:?}");
            assert_eq!(regions, ["us-east-1", "us-east-1", region], "{requests:?}");
        } else {
            assert_eq!(methods, ["GET", "GET"], "{requests:?}");
            assert_eq!(regions, ["us-east-1", region], "{requests:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_s3_errors_are_shown_as_they_are() {
    let s3_standin = Served::start_with(1, S3State::default(), |routes| {
        routes.default_service(web::to(|state: web::Data<S3State>| async move {
            state
                .requests
                .lock()
                .unwrap()
                .push(("GET".into(), String::new(), String::new()));
            HttpResponse::Forbidden()
                .content_type("application/xml")
                .body("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
        }));
    });
    let bot = start(&s3_standin.server.url()).await;
    let card = bot
        .say_in(OPS, "s3api list-objects-v2 --bucket eu-logs")
        .await;
    assert!(text(&card).contains("AccessDenied"), "{card}");
    // Sent once (retries aside, an AccessDenied is not retried), never redirected.
    assert_eq!(s3_standin.state.requests.lock().unwrap().len(), 1);
}
