//! Reading the `[access]` table of the config file, at start-up and again on SIGHUP (the
//! binary's hang-up handler). A reload reads and validates the whole table first; only a valid
//! one replaces the running configuration, through
//! [`ChannelAuthorizer::replace_config`](crate::policy::ChannelAuthorizer::replace_config), at
//! once for every later decision; a file with mistakes is refused with its explanation while the running configuration
//! stays. What needs a restart: the `[bot]` settings, the store location and the audit
//! destination.

use std::path::{Path, PathBuf};

use crate::policy::config::AccessConfig;

/// Why the file's `[access]` table could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccessFileError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The table has mistakes; `explanation` names each with its line and column (secret
    /// values masked).
    #[error("the [access] configuration has mistakes:\n{explanation}")]
    Invalid { explanation: String },
}

/// The `[access]` table of the file at `path`, validated in full.
pub fn read_access(path: &Path) -> Result<AccessConfig, AccessFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| AccessFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    AccessConfig::from_toml_str(&text).map_err(|problems| AccessFileError::Invalid {
        explanation: problems.explain(&path.display().to_string(), &text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_is_read_and_a_broken_one_explained() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("config.toml");
        std::fs::write(&path, include_str!("../../../config/example.toml")).unwrap();
        let config = read_access(&path).unwrap();
        assert!(config.channels.contains_key("ops"));

        std::fs::write(&path, "[access\nMicrosoftAppPassword = \"hunter2\"\n").unwrap();
        let error = read_access(&path).unwrap_err().to_string();
        assert!(error.contains("config.toml:1:"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");

        let missing = read_access(&directory.path().join("gone.toml")).unwrap_err();
        assert!(matches!(missing, AccessFileError::Read { .. }), "{missing}");
    }
}
