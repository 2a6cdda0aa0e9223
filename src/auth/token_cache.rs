//! The verified-token cache: Bot Framework reuses one channel token for many activities, and the
//! RSA signature check dominates the CPU cost of each one, so a token that passed the header
//! checks is remembered (by its SHA-256 digest, never its text) until it expires. It must never
//! return an entry its caller has not re-checked for lifetime and key, and never grow past its
//! capacity.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sha2::{Digest as _, Sha256};

use super::inbound::VerifiedToken;

/// Entries kept at most by default: far more distinct tokens than Bot Framework uses at once.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: usize = 4096;

/// The SHA-256 of a token: the cache key. A cryptographic digest, so that no forged token can
/// collide with a cached one.
pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    token: Arc<VerifiedToken>,
    /// Insertion order, for evicting the oldest entry when every entry is still live.
    sequence: u64,
}

#[derive(Default)]
struct Entries {
    by_digest: HashMap<TokenDigest, Entry>,
    next_sequence: u64,
}

/// A bounded map from token digest to the verified token.
pub(crate) struct VerifiedTokenCache {
    capacity: usize,
    entries: RwLock<Entries>,
}

impl VerifiedTokenCache {
    /// A cache of at most `capacity` tokens; 0 turns caching off.
    pub(crate) fn new(capacity: usize) -> Self {
        VerifiedTokenCache {
            capacity,
            entries: RwLock::new(Entries::default()),
        }
    }

    /// The cached token for `digest` when `still_valid` accepts it; an entry it refuses is
    /// removed, so that the caller verifies the token again (and reports why it fails).
    pub(crate) fn get(
        &self,
        digest: &TokenDigest,
        still_valid: impl FnOnce(&VerifiedToken) -> bool,
    ) -> Option<Arc<VerifiedToken>> {
        let found = self
            .entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_digest
            .get(digest)
            .map(|entry| entry.token.clone())?;
        if still_valid(&found) {
            return Some(found);
        }
        self.entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_digest
            .remove(digest);
        None
    }

    /// Remembers `token`. When full, entries no longer live at `now` go first, then the oldest.
    pub(crate) fn insert(&self, digest: TokenDigest, token: Arc<VerifiedToken>, now: u64) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !entries.by_digest.contains_key(&digest) && entries.by_digest.len() >= self.capacity {
            entries
                .by_digest
                .retain(|_, entry| entry.token.is_live_at(now));
            if entries.by_digest.len() >= self.capacity {
                let oldest = entries
                    .by_digest
                    .iter()
                    .min_by_key(|(_, entry)| entry.sequence)
                    .map(|(digest, _)| *digest);
                if let Some(oldest) = oldest {
                    entries.by_digest.remove(&oldest);
                }
            }
        }
        let sequence = entries.next_sequence;
        entries.next_sequence += 1;
        entries.by_digest.insert(digest, Entry { token, sequence });
    }

    /// How many tokens are cached.
    pub(crate) fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_digest
            .len()
    }
}
