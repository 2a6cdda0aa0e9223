//! The `s3` aliases (product feature F7): `s3 ls` and `s3 cp s3://… s3://…`, parsed into their
//! own command type for the executor to map onto ListBuckets, ListObjectsV2 and CopyObject.
//! Never touches local paths: the bot has no files to upload and nowhere to download to.

use super::{
    Command, CommandError, Customization, GlobalOptions, HelpRequest, Invocation, OutputFormat,
    Word,
};

/// A parsed `s3` alias.
#[derive(Debug, Clone, PartialEq)]
pub enum S3Command {
    /// `s3 ls` (buckets), `s3 ls s3://bucket` or `s3 ls s3://bucket/prefix` (objects and, unless
    /// `recursive`, common prefixes under `/`).
    List {
        /// `None` lists the buckets.
        bucket: Option<String>,
        /// The key prefix after the bucket; `None` when nothing follows the bucket.
        prefix: Option<String>,
        recursive: bool,
        /// `--human-readable`, `--summarize`, `--page-size`, `--request-payer`,
        /// `--bucket-name-prefix`, `--bucket-region`.
        options: ListOptions,
        globals: GlobalOptions,
    },
    /// `s3 cp s3://a/k s3://b/k2`: one object to another, inside S3.
    Copy {
        source: S3Object,
        /// When the destination ends with `/` (or is a bucket alone), its key is the source's
        /// file name appended, as the AWS CLI does.
        dest: S3Object,
        globals: GlobalOptions,
    },
}

/// The options of `s3 ls` besides `--recursive` (awscli `s3/subcommands.py` ListCommand).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Sizes as `1.2 KiB`.
    pub human_readable: bool,
    /// The object count and total size after the lines.
    pub summarize: bool,
    /// `--request-payer requester`: the requester pays for a Requester Pays bucket.
    pub request_payer: Option<String>,
    /// Buckets whose names start with this (bucket list only).
    pub bucket_name_prefix: Option<String>,
    /// Buckets in this region (bucket list only).
    pub bucket_region: Option<String>,
}

/// One object of `s3 cp`: a bucket and a key, always used together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
}

impl S3Command {
    pub fn globals(&self) -> &GlobalOptions {
        match self {
            S3Command::List { globals, .. } | S3Command::Copy { globals, .. } => globals,
        }
    }
}

const COMMANDS: [&str; 2] = ["ls", "cp"];

pub(super) fn parse(mut words: Vec<Word>, wants_help: bool) -> Result<Command, CommandError> {
    let command = match words.first() {
        Some(Word::Plain(word)) => word.to_lowercase(),
        _ => {
            return Ok(Command::Help(HelpRequest::Service {
                service: "s3".to_owned(),
            }))
        }
    };
    words.remove(0);
    if command == "help" {
        return Ok(Command::Help(HelpRequest::Service {
            service: "s3".to_owned(),
        }));
    }
    if !COMMANDS.contains(&command.as_str()) {
        return Err(CommandError::UnknownS3Command {
            suggestions: crate::models::suggest(&command, COMMANDS.into_iter(), 2),
            name: command,
        });
    }
    let help_word = matches!(words.first(), Some(Word::Plain(w)) if w.eq_ignore_ascii_case("help"));
    if wants_help || help_word {
        return Ok(Command::Help(HelpRequest::S3Alias { command }));
    }

    let Arguments {
        paths,
        recursive,
        list_options,
        globals,
    } = Arguments::read(&command, &words)?;
    match command.as_str() {
        "ls" => list(paths, recursive, list_options, globals),
        _ => copy(paths, recursive, globals),
    }
}

/// What follows `s3 ls`/`s3 cp`: the paths in the order typed, and the options.
#[derive(Default)]
struct Arguments {
    paths: Vec<String>,
    recursive: bool,
    list_options: ListOptions,
    globals: GlobalOptions,
}

impl Arguments {
    /// Reads the words after the command, left to right; the first bad option stops it.
    fn read(command: &str, words: &[Word]) -> Result<Arguments, CommandError> {
        let mut arguments = Arguments::default();
        let mut index = 0;
        while index < words.len() {
            match &words[index] {
                Word::Plain(path) => {
                    arguments.paths.push(path.clone());
                    index += 1;
                }
                Word::Option {
                    name, inline_value, ..
                } => {
                    index += 1;
                    let option = resolve(command, name)?;
                    if let Some(flag) = arguments.flag(option) {
                        if let Some(value) = inline_value {
                            return Err(CommandError::FlagWithValue {
                                option: option.to_owned(),
                                value: value.clone(),
                            });
                        }
                        if std::mem::replace(flag, true) {
                            return Err(CommandError::DuplicateOption {
                                option: option.to_owned(),
                            });
                        }
                    } else if option == "request-payer" {
                        // `nargs='?'` with `const='requester'`: the value may be left out.
                        let value = match inline_value {
                            Some(value) => value.clone(),
                            None => match words.get(index) {
                                Some(Word::Plain(value)) => {
                                    index += 1;
                                    value.clone()
                                }
                                _ => "requester".to_owned(),
                            },
                        };
                        if value != "requester" {
                            return Err(CommandError::InvalidEnum {
                                option: option.to_owned(),
                                path: String::new(),
                                value,
                                allowed: vec!["requester".to_owned()],
                            });
                        }
                        set_once(option, &mut arguments.list_options.request_payer, value)?;
                    } else {
                        let value =
                            option_value(option, inline_value.as_deref(), words, &mut index)?;
                        arguments.set_global(option, value)?;
                    }
                }
            }
        }
        Ok(arguments)
    }

    /// The flag an option sets (`--recursive`, `--human-readable`, `--summarize`,
    /// `--no-paginate`), or `None` when the option takes a value.
    fn flag(&mut self, option: &str) -> Option<&mut bool> {
        match option {
            "recursive" => Some(&mut self.recursive),
            "human-readable" => Some(&mut self.list_options.human_readable),
            "summarize" => Some(&mut self.list_options.summarize),
            // The CLI ignores --no-paginate on s3 ls: it always lists everything.
            "no-paginate" => Some(&mut self.globals.no_paginate),
            _ => None,
        }
    }

    /// `--output`, `--region`, `--page-size`, `--bucket-name-prefix` or `--bucket-region`,
    /// each given once.
    fn set_global(&mut self, option: &str, value: String) -> Result<(), CommandError> {
        match option {
            "page-size" => {
                let Some(size) = value.trim().parse::<u64>().ok().filter(|n| *n >= 1) else {
                    return Err(CommandError::InvalidValue {
                        option: option.to_owned(),
                        path: String::new(),
                        problem: format!("'{value}' is not a whole number above 0"),
                        expected: "a whole number of items per call, like 100".to_owned(),
                    });
                };
                return set_once(option, &mut self.globals.page_size, size);
            }
            "bucket-name-prefix" => {
                return set_once(option, &mut self.list_options.bucket_name_prefix, value)
            }
            "bucket-region" => {
                return set_once(option, &mut self.list_options.bucket_region, value)
            }
            _ => {}
        }
        if option == "output" {
            // The AWS CLI accepts the global --output on the s3 aliases and
            // prints their lines whatever it says; so do we.
            let format =
                OutputFormat::from_cli(&value).ok_or_else(|| CommandError::InvalidValue {
                    option: option.to_owned(),
                    path: String::new(),
                    problem: format!("'{value}' is not an output format"),
                    expected: "one of json, text, table, yaml".to_owned(),
                })?;
            if self.globals.output.replace(format).is_some() {
                return Err(CommandError::DuplicateOption {
                    option: option.to_owned(),
                });
            }
            return Ok(());
        }
        if self.globals.region.is_some() {
            return Err(CommandError::DuplicateOption {
                option: option.to_owned(),
            });
        }
        self.globals.region = Some(value);
        Ok(())
    }
}

/// Records the value of an option that may be given once.
fn set_once<T>(option: &str, slot: &mut Option<T>, value: T) -> Result<(), CommandError> {
    if slot.replace(value).is_some() {
        return Err(CommandError::DuplicateOption {
            option: option.to_owned(),
        });
    }
    Ok(())
}

/// The value of an option that takes one: given inline (`--region=x`) or as the next word,
/// which `index` then moves past.
fn option_value(
    option: &str,
    inline_value: Option<&str>,
    words: &[Word],
    index: &mut usize,
) -> Result<String, CommandError> {
    if let Some(value) = inline_value {
        return Ok(value.to_owned());
    }
    match words.get(*index) {
        Some(Word::Plain(value)) => {
            *index += 1;
            Ok(value.clone())
        }
        _ => Err(CommandError::MissingValue {
            option: option.to_owned(),
            expected: match option {
                "page-size" => "a whole number of items per call, like 100",
                "output" => "one of json, text, table, yaml",
                "bucket-name-prefix" => "the start of the bucket names to list",
                _ => "a region name like us-east-1",
            }
            .to_owned(),
        }),
    }
}

/// The options of `s3 ls`/`s3 cp` the bot supports: the CLI's `s3 ls` options (ls only),
/// `--region` and `--output` (accepted and, as by the AWS CLI, without effect on the lines
/// printed).
fn resolve(command: &str, typed: &str) -> Result<&'static str, CommandError> {
    if let Some((_, reason)) = super::REFUSED_OPTIONS
        .iter()
        .map(|(name, _, reason)| (*name, *reason))
        .find(|(name, _)| *name == typed)
    {
        return Err(CommandError::RefusedOption {
            option: typed.to_owned(),
            reason,
        });
    }
    if command == "cp" && typed == "recursive" {
        return Err(CommandError::S3Usage {
            message: "s3 cp --recursive is not available from chat: copy one object at a time, \
                      s3 cp s3://bucket/key s3://other-bucket/key."
                .to_owned(),
        });
    }
    let known: &[&'static str] = if command == "ls" {
        &[
            "recursive",
            "region",
            "output",
            "page-size",
            "human-readable",
            "summarize",
            "request-payer",
            "bucket-name-prefix",
            "bucket-region",
            "no-paginate",
        ]
    } else {
        &["region", "output"]
    };
    let matches: Vec<&'static str> = known
        .iter()
        .copied()
        .filter(|name| name.starts_with(typed))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        _ => Err(CommandError::UnknownOption {
            service: "s3".to_owned(),
            operation: command.to_owned(),
            option: typed.to_owned(),
            suggestions: crate::models::suggest(typed, known.iter().copied(), 2),
        }),
    }
}

/// Splits `s3://bucket/key` into bucket and key; `None` when the path is not an S3 path.
fn split_s3_path(path: &str) -> Option<(String, String)> {
    let rest = path
        .strip_prefix("s3://")
        .or_else(|| path.strip_prefix("S3://"))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    Some((bucket.to_owned(), key.to_owned()))
}

fn list(
    paths: Vec<String>,
    recursive: bool,
    options: ListOptions,
    globals: GlobalOptions,
) -> Result<Command, CommandError> {
    let (bucket, prefix) = match paths.as_slice() {
        [] => (None, None),
        [path] => {
            // The CLI reads `s3 ls bucket` as `s3 ls s3://bucket`.
            let (bucket, key) = split_s3_path(path).unwrap_or_else(|| {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                (bucket.to_owned(), key.to_owned())
            });
            (
                (!bucket.is_empty()).then_some(bucket),
                (!key.is_empty()).then_some(key),
            )
        }
        [_, extra, ..] => {
            return Err(CommandError::S3Usage {
                message: format!(
                    "s3 ls takes at most one path (got also '{extra}'): s3 ls, s3 ls s3://bucket \
                     or s3 ls s3://bucket/prefix."
                ),
            })
        }
    };
    if bucket.is_none() && recursive {
        return Err(CommandError::S3Usage {
            message: "s3 ls --recursive needs a bucket: s3 ls s3://bucket --recursive.".to_owned(),
        });
    }
    Ok(Command::S3(S3Command::List {
        bucket,
        prefix,
        recursive,
        options,
        globals,
    }))
}

fn copy(
    paths: Vec<String>,
    _recursive: bool,
    globals: GlobalOptions,
) -> Result<Command, CommandError> {
    let [source, dest] = paths.as_slice() else {
        return Err(CommandError::S3Usage {
            message: format!(
                "s3 cp takes two S3 paths (got {}): s3 cp s3://bucket/key s3://other-bucket/key.",
                paths.len()
            ),
        });
    };
    let Some((source_bucket, source_key)) = split_s3_path(source) else {
        return Err(CommandError::S3LocalPath {
            path: source.clone(),
        });
    };
    let Some((dest_bucket, mut dest_key)) = split_s3_path(dest) else {
        return Err(CommandError::S3LocalPath { path: dest.clone() });
    };
    if source_bucket.is_empty() || source_key.is_empty() || source_key.ends_with('/') {
        return Err(CommandError::S3Usage {
            message: format!(
                "'{source}' does not name an object: s3 cp copies one object, \
                 s3 cp s3://bucket/key s3://other-bucket/key."
            ),
        });
    }
    if dest_bucket.is_empty() {
        return Err(CommandError::S3Usage {
            message: format!("'{dest}' does not name a bucket."),
        });
    }
    if dest_key.is_empty() || dest_key.ends_with('/') {
        let file_name = source_key.rsplit('/').next().unwrap_or(&source_key);
        dest_key.push_str(file_name);
    }
    Ok(Command::S3(S3Command::Copy {
        source: S3Object {
            bucket: source_bucket,
            key: source_key,
        },
        dest: S3Object {
            bucket: dest_bucket,
            key: dest_key,
        },
        globals,
    }))
}

impl S3Command {
    /// The s3api invocation the alias stands for: what is authorized, audited, confirmed and
    /// run. `ls` carries [`Customization::S3Ls`], so that `exec` and chat print the CLI's
    /// lines page by page rather than the response.
    pub fn equivalent_invocation(&self) -> Invocation {
        let mut params = serde_json::Map::new();
        let (operation, cli_operation) = match self {
            S3Command::List {
                bucket: None,
                options,
                ..
            } => {
                if let Some(prefix) = &options.bucket_name_prefix {
                    params.insert("Prefix".into(), prefix.clone().into());
                }
                if let Some(region) = &options.bucket_region {
                    params.insert("BucketRegion".into(), region.clone().into());
                }
                ("ListBuckets", "list-buckets")
            }
            S3Command::List {
                bucket: Some(bucket),
                prefix,
                recursive,
                options,
                ..
            } => {
                params.insert("Bucket".into(), bucket.clone().into());
                params.insert("Prefix".into(), prefix.clone().unwrap_or_default().into());
                if !recursive {
                    params.insert("Delimiter".into(), "/".into());
                }
                if let Some(payer) = &options.request_payer {
                    params.insert("RequestPayer".into(), payer.clone().into());
                }
                ("ListObjectsV2", "list-objects-v2")
            }
            S3Command::Copy { source, dest, .. } => {
                params.insert("Bucket".into(), dest.bucket.clone().into());
                params.insert("Key".into(), dest.key.clone().into());
                params.insert(
                    "CopySource".into(),
                    copy_source(&source.bucket, &source.key).into(),
                );
                ("CopyObject", "copy-object")
            }
        };
        let mut globals = self.globals().clone();
        // The alias pages through everything itself, as `aws s3 ls` does.
        globals.query = None;
        globals.output = None;
        globals.no_paginate = false;
        if let S3Command::List {
            bucket,
            recursive,
            options,
            ..
        } = self
        {
            globals.customization = Some(Customization::S3Ls {
                buckets: bucket.is_none(),
                recursive: *recursive,
                human_readable: options.human_readable,
                summarize: options.summarize,
            });
        }
        Invocation {
            service: "s3api".to_owned(),
            operation: operation.to_owned(),
            cli_operation: cli_operation.to_owned(),
            params,
            globals,
        }
    }
}

/// `bucket/key` with the key percent-encoded except `/` and `~`, as botocore's
/// `handle_copy_source_param` does for a string copy source.
fn copy_source(bucket: &str, key: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'~')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.');
    format!(
        "{bucket}/{}",
        percent_encoding::utf8_percent_encode(key, KEEP)
    )
}
