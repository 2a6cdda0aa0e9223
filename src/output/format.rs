//! `--output`: the AWS CLI's output formats. Defined here, with the formatters, so that the
//! grammar (`command`) depends on the output layer and never the other way round.

use serde::{Deserialize, Serialize};

/// `--output`: the AWS CLI's output formats (stored in pending requests under their CLI names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Json,
    Text,
    Table,
    Yaml,
}

impl OutputFormat {
    pub fn from_cli(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Self::Json),
            "text" => Some(Self::Text),
            "table" => Some(Self::Table),
            "yaml" => Some(Self::Yaml),
            _ => None,
        }
    }
}
