//! The AWS CLI's own customizations of the operations the bot runs (`awscli/customizations/`):
//! the options it adds beside the model's (`cloudwatch put-metric-data --metric-name`, `ec2
//! run-instances --associate-public-ip-address`, `emr list-clusters --active`), the positional
//! outfile of operations whose output is a stream (`lambda invoke ... response.json`), and the
//! CLI-only commands that only make sense on a workstation, refused with the reason. It writes
//! no file (`exec` does, from [`Customization::Outfile`]) and calls nothing; the only thing it
//! reads from outside is the clock and a random number, for the unique references the CLI puts
//! in `cloudfront create-distribution`'s config and `create-invalidation`'s batch.
//!
//! `operation` asks [`options`] for the extra options of an operation, collects their words
//! and hands them to [`apply`] once every option is read, as the CLI adds its custom arguments
//! to the request after the model's. A CLI command that stands for another operation and names
//! its members otherwise (`rds add-option-to-option-group --options`) gets its names from
//! [`command_option_names`]; flattened structures (`cloudsearch define-index-field --type`)
//! are printed back by [`flattened_words`]. `docs/cli-compatibility.md` lists every
//! customization and what the bot does with it.

mod calls;
mod cloudsearch;
mod config_subscribe;
mod configservice;
mod create_distribution;
mod emr;
mod emr_commands;
mod emr_hbase;
mod invalidation;
mod list_clusters;
mod option_group;
mod outfile;
mod put_metric_data;
mod run_instances;
mod send_email;
mod workstation;

use super::skeleton::SkeletonKind;
use super::{CommandError, Invocation};
use crate::models::{Operation, ServiceModel};
use serde::{Deserialize, Serialize};

pub use calls::{Call, Finished, Next, Plan};
pub(super) use cloudsearch::flattened_words;
pub(super) use emr::printed_words;
pub(super) use emr_hbase::step as hbase_step;
pub use option_group::command_option_names;
pub(super) use option_group::command_options;
pub(super) use outfile::streaming_payload;
pub(super) use run_instances::count_word;
pub(super) use workstation::workstation_only;

/// What a customization changes in how a call is run or printed, kept with the invocation
/// (pending requests store it) so that a later page or a confirmed run prints the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Customization {
    /// `s3 ls`: the CLI's lines instead of the ListBuckets/ListObjectsV2 response.
    S3Ls {
        /// Whether the bucket list (ListBuckets) rather than objects is listed.
        buckets: bool,
        /// `--recursive`: whole keys, no common prefixes.
        recursive: bool,
        /// `--human-readable`: sizes as `1.2 KiB`.
        human_readable: bool,
        /// `--summarize`: the object count and total size after the lines.
        summarize: bool,
    },
    /// `<service> wait <waiter>`: the invocation is the waiter's operation, polled as the
    /// waiter says until its condition holds; the CLI prints nothing on success.
    Wait {
        /// The waiter's model name (`TableExists`).
        waiter: String,
    },
    /// An operation whose output is a stream (`lambda invoke`'s `Payload`): the CLI writes
    /// the member `member` to the positional `outfile` and prints the rest of the response.
    Outfile {
        /// The output member written to the file (the model's payload member).
        member: String,
        /// The path given; chat has no files and shows the payload itself, so it may be
        /// absent there (or `-`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// A CLI command that makes several calls (`emr describe-cluster`): the invocation is its
    /// first or main call, the plan names the others and builds the result.
    Calls { plan: Plan },
}

/// One option a customization adds to an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CustomOption {
    /// `cloudwatch put-metric-data`'s options for the first `MetricData` element.
    PutMetric(put_metric_data::PutMetricOption),
    /// `ec2 run-instances`' network-interface shortcuts.
    RunInstances(run_instances::RunInstancesOption),
    /// `emr list-clusters`' state filters (`--active`, `--terminated`, `--failed`).
    ListClusters(list_clusters::StateFilter),
    /// `ses send-email`'s recipients, subject and bodies.
    SendEmail(send_email::SendEmailOption),
    /// `cloudfront create-distribution`'s `--origin-domain-name` and `--default-root-object`.
    CreateDistribution(create_distribution::DistributionOption),
    /// `cloudfront create-invalidation`'s `--paths`.
    InvalidationPaths,
    /// `cloudsearch define-expression`'s and `define-index-field`'s flattened options.
    Flattened(cloudsearch::FlatOption),
    /// `emr modify-cluster-attributes`' cluster id and attribute flags.
    ClusterAttribute(emr::AttributeOption),
    /// `emr add-tags --tags key=value ...`.
    EmrTags,
    /// `configservice put-configuration-recorder --recording-group`.
    RecordingGroup,
    /// `configservice subscribe`'s options (an index into its `OPTIONS`).
    Subscribe(usize),
    /// The options of EMR's HBase backup commands.
    Hbase(emr_hbase::HbaseOption),
    /// `emr add-instance-groups`', `add-steps`' and `create-cluster`'s options.
    Emr(emr_commands::EmrOption),
}

/// How many words an option takes, as argparse reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arity {
    /// A flag: no value.
    Flag,
    /// Exactly one value.
    One,
    /// Every value up to the next option.
    Many,
}

impl CustomOption {
    pub(super) fn arity(self) -> Arity {
        match self {
            CustomOption::PutMetric(_) => Arity::One,
            CustomOption::RunInstances(option) => option.arity(),
            CustomOption::ListClusters(_) => Arity::Flag,
            CustomOption::SendEmail(option) => option.arity(),
            CustomOption::InvalidationPaths => Arity::Many,
            CustomOption::CreateDistribution(_) | CustomOption::Flattened(_) => Arity::One,
            CustomOption::ClusterAttribute(emr::AttributeOption::ClusterId) => Arity::One,
            CustomOption::ClusterAttribute(emr::AttributeOption::Flag { .. }) => Arity::Flag,
            CustomOption::EmrTags => Arity::Many,
            CustomOption::RecordingGroup | CustomOption::Subscribe(_) => Arity::One,
            CustomOption::Hbase(option) if option.flag => Arity::Flag,
            CustomOption::Hbase(_) => Arity::One,
            CustomOption::Emr(option) => option.arity(),
        }
    }
}

/// The options the CLI adds to `service`'s `operation_key` as the command `cli_operation`
/// offers it, by name (without dashes).
pub(super) fn options(
    service: &str,
    operation_key: &str,
    cli_operation: &str,
) -> Vec<(&'static str, CustomOption)> {
    if service == "emr" && emr_commands::is_command(cli_operation) {
        return emr_commands::options_of(cli_operation)
            .iter()
            .map(|(name, option)| (*name, CustomOption::Emr(*option)))
            .collect();
    }
    match (service, operation_key) {
        ("emr", "AddJobFlowSteps") if emr_hbase::is_hbase_command(cli_operation) => {
            emr_hbase::options(cli_operation)
                .iter()
                .map(|option| (option.name, CustomOption::Hbase(*option)))
                .collect()
        }
        ("configservice", "PutConfigurationRecorder") if cli_operation == "subscribe" => {
            config_subscribe::OPTIONS
                .iter()
                .enumerate()
                .map(|(index, (name, _))| (*name, CustomOption::Subscribe(index)))
                .collect()
        }
        ("cloudwatch", "PutMetricData") => put_metric_data::OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::PutMetric(*option)))
            .collect(),
        ("ec2", "RunInstances") => run_instances::OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::RunInstances(*option)))
            .collect(),
        ("emr", "ListClusters") => list_clusters::OPTIONS
            .iter()
            .map(|(name, filter)| (*name, CustomOption::ListClusters(*filter)))
            .collect(),
        ("ses", "SendEmail") => send_email::OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::SendEmail(*option)))
            .collect(),
        ("cloudfront", "CreateDistribution") => create_distribution::OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::CreateDistribution(*option)))
            .collect(),
        ("cloudfront", "CreateInvalidation") => {
            vec![(invalidation::OPTION, CustomOption::InvalidationPaths)]
        }
        ("emr", "AddTags") => vec![("tags", CustomOption::EmrTags)],
        ("configservice", "PutConfigurationRecorder") => {
            vec![(configservice::OPTION, CustomOption::RecordingGroup)]
        }
        // `emr modify-cluster-attributes`, routed to its first possible call.
        ("emr", "SetTerminationProtection") => emr::OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::ClusterAttribute(*option)))
            .collect(),
        ("cloudsearch", "DefineExpression") => cloudsearch::EXPRESSION_OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::Flattened(*option)))
            .collect(),
        ("cloudsearch", "DefineIndexField") => cloudsearch::INDEX_FIELD_OPTIONS
            .iter()
            .map(|(name, option)| (*name, CustomOption::Flattened(*option)))
            .collect(),
        _ => Vec::new(),
    }
}

/// One option a customization adds, as help lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomOptionHelp {
    /// Without dashes (`metric-name`).
    pub name: &'static str,
    /// What it takes: `flag`, `value` or `values`.
    pub takes: &'static str,
    pub required: bool,
}

/// The options the CLI adds to `service cli_operation` (standing for `operation_key`), for
/// help: the command's own options beside the model's.
pub fn custom_options_help(
    service: &str,
    operation_key: &str,
    cli_operation: &str,
) -> Vec<CustomOptionHelp> {
    options(service, operation_key, cli_operation)
        .into_iter()
        .map(|(name, option)| CustomOptionHelp {
            name,
            takes: match option.arity() {
                Arity::Flag => "flag",
                Arity::One => "value",
                Arity::Many => "values",
            },
            required: match option {
                CustomOption::ClusterAttribute(emr::AttributeOption::ClusterId)
                | CustomOption::Subscribe(_)
                | CustomOption::EmrTags => true,
                CustomOption::Hbase(option) => option.required,
                CustomOption::Emr(_) => {
                    emr_commands::required_options(cli_operation).contains(&name)
                }
                _ => false,
            },
        })
        .collect()
}

/// The model's options the CLI removes from `service`'s `operation_key`, each with the
/// reason and what to use instead.
pub(super) fn removed_options(
    service: &str,
    operation_key: &str,
) -> &'static [(&'static str, &'static str)] {
    match (service, operation_key) {
        ("ec2", "RunInstances") => &run_instances::REMOVED,
        ("cloudfront", "UpdateDistribution") => &create_distribution::UPDATE_REMOVED,
        ("cloudsearch", "DefineIndexField") => &cloudsearch::INDEX_FIELD_REMOVED,
        _ => &[],
    }
}

/// The custom options given, each with its name as typed in full and its words, in the order
/// given.
pub(super) type Given = Vec<(String, CustomOption, Vec<String>)>;

/// Adds the custom options given to the invocation's parameters, after the model's options,
/// with the CLI's checks of how they combine.
pub(super) fn apply(
    model: &ServiceModel,
    operation: &Operation,
    invocation: &mut Invocation,
    given: Given,
) -> Result<(), CommandError> {
    let mut put_metric = Vec::new();
    let mut run_instances = Vec::new();
    let mut state_filters = Vec::new();
    let mut send_email = Vec::new();
    let mut distribution = Vec::new();
    let mut paths = None;
    let mut flattened = Vec::new();
    let mut attributes = Vec::new();
    let mut recording_group = None;
    let mut subscribe = Vec::new();
    let mut hbase = Vec::new();
    let mut emr_options = Vec::new();
    for (name, option, words) in given {
        match option {
            CustomOption::PutMetric(option) => put_metric.push((name, option, words)),
            CustomOption::RunInstances(option) => run_instances.push((name, option, words)),
            // A flag: `operation` has refused any value given to it.
            CustomOption::ListClusters(filter) => state_filters.push((name, filter)),
            CustomOption::SendEmail(option) => send_email.push((name, option, words)),
            CustomOption::CreateDistribution(option) => {
                distribution.push((name, option, words));
            }
            CustomOption::InvalidationPaths => paths = Some((name, words)),
            CustomOption::Flattened(option) => flattened.push((name, option, words)),
            CustomOption::ClusterAttribute(option) => attributes.push((name, option, words)),
            CustomOption::EmrTags => emr::apply_tags(invocation, words),
            CustomOption::RecordingGroup => recording_group = Some((name, words)),
            CustomOption::Subscribe(index) => subscribe.push((name, index, words)),
            CustomOption::Hbase(option) => hbase.push((name, option, words)),
            CustomOption::Emr(option) => emr_options.push((name, option, words)),
        }
    }
    if !put_metric.is_empty() {
        put_metric_data::apply(model, operation, &mut invocation.params, put_metric)?;
    }
    if !run_instances.is_empty() {
        run_instances::apply(&mut invocation.params, run_instances)?;
    }
    if !state_filters.is_empty() {
        list_clusters::apply(&mut invocation.params, state_filters)?;
    }
    if !send_email.is_empty() {
        send_email::apply(&mut invocation.params, send_email)?;
    }
    if !distribution.is_empty() {
        create_distribution::apply(&mut invocation.params, distribution)?;
    }
    if let Some((name, words)) = paths {
        invalidation::apply(&mut invocation.params, name, words)?;
    }
    if let Some((name, words)) = recording_group {
        configservice::apply(model, operation, &mut invocation.params, name, words)?;
    }
    let input_skeleton = matches!(
        invocation.globals.generate_cli_skeleton,
        Some(SkeletonKind::Input | SkeletonKind::YamlInput)
    );
    if (
        invocation.service.as_str(),
        invocation.cli_operation.as_str(),
    ) == ("configservice", "subscribe")
    {
        config_subscribe::apply(invocation, subscribe, !input_skeleton)?;
    }
    if invocation.service == "emr" && emr_hbase::is_hbase_command(&invocation.cli_operation) {
        emr_hbase::apply(invocation, hbase, !input_skeleton)?;
    }
    // `emr add-tags` requires its tags (the CLI's TagsArgument), as words or from the input
    // document.
    if (invocation.service.as_str(), invocation.operation.as_str()) == ("emr", "AddTags")
        && !invocation.params.contains_key("Tags")
        && !input_skeleton
    {
        return Err(CommandError::MissingFlattened {
            command: "emr add-tags".into(),
            options: vec!["tags".into()],
        });
    }
    if (
        invocation.service.as_str(),
        invocation.cli_operation.as_str(),
    ) == ("emr", "modify-cluster-attributes")
    {
        emr::apply_attributes(invocation, attributes, !input_skeleton)?;
    }
    if invocation.service == "emr" && emr_commands::is_command(&invocation.cli_operation) {
        emr_commands::apply(model, invocation, emr_options, !input_skeleton)?;
    }
    // The flattened options are required, so they are checked even when none is given.
    let flat_operation = match (invocation.service.as_str(), invocation.operation.as_str()) {
        ("cloudsearch", "DefineExpression") => Some(cloudsearch::Flattened::Expression),
        ("cloudsearch", "DefineIndexField") => Some(cloudsearch::Flattened::IndexField),
        _ => None,
    };
    if let Some(flat_operation) = flat_operation {
        cloudsearch::apply(
            model,
            flat_operation,
            &mut invocation.params,
            flattened,
            !input_skeleton,
        )?;
    }
    finish(invocation)
}

/// The single word of a one-value custom option; `expected` says what a missing value should
/// be.
fn single_word(name: &str, words: Vec<String>, expected: &str) -> Result<String, CommandError> {
    let mut words = words.into_iter();
    match (words.next(), words.next()) {
        (Some(word), None) => Ok(word),
        (Some(_), Some(extra)) => Err(CommandError::UnexpectedArgument {
            value: extra,
            after: Some(name.to_owned()),
        }),
        (None, _) => Err(CommandError::MissingValue {
            option: name.to_owned(),
            expected: expected.to_owned(),
        }),
    }
}

/// The customizations that apply whatever options were given.
fn finish(invocation: &mut Invocation) -> Result<(), CommandError> {
    let plan = match (
        invocation.service.as_str(),
        invocation.cli_operation.as_str(),
    ) {
        ("emr", "describe-cluster") => Some(Plan::EmrDescribeCluster),
        ("emr", "modify-cluster-attributes") => Some(Plan::EmrModifyClusterAttributes),
        ("emr", "add-instance-groups") => Some(Plan::EmrAddInstanceGroups),
        ("emr", "add-steps") => Some(Plan::EmrAddSteps),
        ("emr", "create-cluster") => Some(Plan::EmrCreateCluster),
        ("configservice", "get-status") => Some(Plan::ConfigGetStatus),
        ("configservice", "subscribe") => Some(Plan::ConfigSubscribe),
        ("emr", command) if emr_hbase::is_hbase_command(command) => Some(Plan::EmrHbase),
        ("emr", "install-applications") => Some(Plan::EmrInstallApplications),
        _ => None,
    };
    if let Some(plan) = plan {
        invocation.globals.customization = Some(Customization::Calls { plan });
    }
    if invocation.service == "ec2" && invocation.operation == "RunInstances" {
        run_instances::default_count(&mut invocation.params);
        run_instances::move_into_network_interface(&mut invocation.params);
    }
    Ok(())
}
