//! The AWS Support calls of the support-case journey, typed through `aws-sdk-support`:
//! DescribeServices (services and their categories), DescribeSeverityLevels, CreateCase and
//! DescribeCases (the case's display id). The client is built per call from the caller's
//! credentials and region and the engine's endpoint settings. Never formats anything for people.

use aws_sdk_support::error::DisplayErrorContext;

use super::sdk::{self, answer, CallError};
use super::EngineConfig;
use crate::policy::Permit;

/// A service AWS Support knows, with its categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportService {
    pub code: String,
    pub name: String,
    /// (code, name) pairs.
    pub categories: Vec<(String, String)>,
}

/// What a new case says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub subject: String,
    pub service_code: String,
    pub category_code: Option<String>,
    pub severity_code: String,
    pub communication_body: String,
    pub cc_email_addresses: Vec<String>,
    pub language: String,
    pub issue_type: String,
}

/// A created case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedCase {
    pub case_id: String,
    /// The number the Support Center shows, when DescribeCases could read it.
    pub display_id: Option<String>,
}

/// Why a Support call failed.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// The account's support plan does not include the AWS Support API
    /// (`SubscriptionRequiredException`).
    #[error("An error occurred (SubscriptionRequiredException) when calling the {operation} operation: {message}")]
    SubscriptionRequired { operation: String, message: String },
    /// The service refused the call, in the AWS CLI's words.
    #[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
    Service {
        code: String,
        message: String,
        operation: String,
    },
    /// The call could not be made or its answer not read (transport, timeout, credentials).
    #[error("the {operation} call failed: {message}")]
    Call { operation: String, message: String },
}

/// Calls AWS Support on behalf of a permit.
#[derive(Debug, Clone)]
pub struct SupportApi {
    sdk: sdk::SdkBase,
}

impl SupportApi {
    pub fn new(config: EngineConfig) -> Self {
        SupportApi {
            sdk: sdk::SdkBase::new(config),
        }
    }

    fn client(&self, permit: &Permit) -> aws_sdk_support::Client {
        aws_sdk_support::Client::new(&self.sdk.config(permit, "Support"))
    }

    /// DescribeServices, for every service or only `codes`.
    pub async fn services(
        &self,
        permit: &Permit,
        codes: Option<Vec<String>>,
        language: &str,
    ) -> Result<Vec<SupportService>, SupportError> {
        let request = self
            .client(permit)
            .describe_services()
            .set_service_code_list(codes)
            .language(language);
        let output = answer("DescribeServices", request.send()).await?;
        Ok(output
            .services()
            .iter()
            .map(|service| SupportService {
                code: service.code().unwrap_or_default().to_owned(),
                name: service.name().unwrap_or_default().to_owned(),
                categories: service
                    .categories()
                    .iter()
                    .map(|c| {
                        (
                            c.code().unwrap_or_default().to_owned(),
                            c.name().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            })
            .filter(|service| !service.code.is_empty())
            .collect())
    }

    /// DescribeSeverityLevels: (code, name) pairs, lowest first as AWS lists them.
    pub async fn severity_levels(
        &self,
        permit: &Permit,
        language: &str,
    ) -> Result<Vec<(String, String)>, SupportError> {
        let request = self
            .client(permit)
            .describe_severity_levels()
            .language(language);
        let output = answer("DescribeSeverityLevels", request.send()).await?;
        Ok(output
            .severity_levels()
            .iter()
            .filter_map(|level| {
                Some((
                    level.code()?.to_owned(),
                    level.name().unwrap_or_default().to_owned(),
                ))
            })
            .collect())
    }

    /// CreateCase, then DescribeCases for the display id (best effort).
    pub async fn create_case(
        &self,
        permit: &Permit,
        case: &NewCase,
    ) -> Result<CreatedCase, SupportError> {
        let client = self.client(permit);
        let request = client
            .create_case()
            .subject(&case.subject)
            .service_code(&case.service_code)
            .set_category_code(case.category_code.clone())
            .severity_code(&case.severity_code)
            .communication_body(&case.communication_body)
            .set_cc_email_addresses(
                (!case.cc_email_addresses.is_empty()).then(|| case.cc_email_addresses.clone()),
            )
            .language(&case.language)
            .issue_type(&case.issue_type);
        let output = answer("CreateCase", request.send()).await?;
        let case_id = output.case_id().unwrap_or_default().to_owned();
        let display_id = match client
            .describe_cases()
            .case_id_list(&case_id)
            .include_resolved_cases(true)
            .send()
            .await
        {
            Ok(found) => found
                .cases()
                .iter()
                .find_map(|c| c.display_id().map(str::to_owned)),
            Err(error) => {
                tracing::warn!(error = %DisplayErrorContext(&error), "the new case's display id could not be read");
                None
            }
        };
        Ok(CreatedCase {
            case_id,
            display_id,
        })
    }
}

impl From<CallError> for SupportError {
    /// `SubscriptionRequiredException` is told apart: the plan, not the request, is at fault.
    fn from(error: CallError) -> Self {
        match error {
            CallError::Service {
                code,
                message,
                operation,
            } if code == "SubscriptionRequiredException" => {
                SupportError::SubscriptionRequired { operation, message }
            }
            CallError::Service {
                code,
                message,
                operation,
            } => SupportError::Service {
                code,
                message,
                operation,
            },
            CallError::Call { operation, message } => SupportError::Call { operation, message },
            // Support's calls check no permit operation (the journey's permit covers all of
            // them); were one refused, it could not be made.
            CallError::NotPermitted { granted, wanted } => SupportError::Call {
                operation: wanted,
                message: format!("the permit for {granted} does not cover it"),
            },
        }
    }
}
