//! Stream and session keys, derived from a host's `userId` with HMAC-SHA256.
//!
//! The key is the server secret, so nobody can compute a host's stream key from their
//! public session key or from a guessed `userId` without it. Each key uses its own
//! label so the two never coincide; both are truncated to 20 hex characters as LiBoo's
//! were, so LiBoo's client and URLs keep their shape.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Derives keys from user ids with the server secret.
#[derive(Clone)]
pub struct KeyDeriver {
    secret: Vec<u8>,
}

impl std::fmt::Debug for KeyDeriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyDeriver(<secret>)")
    }
}

/// A host's pair of keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostKeys {
    /// Secret: typed into OBS.
    pub stream_key: String,
    /// Public: live id, chat room id, storage folder.
    pub session_key: String,
}

impl KeyDeriver {
    /// A deriver keyed with the server secret.
    pub fn new(secret: &[u8]) -> KeyDeriver {
        KeyDeriver {
            secret: secret.to_vec(),
        }
    }

    fn derive(&self, label: &str, user_id: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(user_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        hex::encode(&digest[..10])
    }

    /// Both keys of the host whose `userId` this is.
    pub fn keys(&self, user_id: &str) -> HostKeys {
        HostKeys {
            stream_key: self.derive("liboo stream key", user_id),
            session_key: self.session_key(user_id),
        }
    }

    /// The keys of a conference room: derived from the conference's slug and the room's
    /// key with the server secret, so the organiser's `userId` is not needed (a
    /// re-import that adds a room makes its keys) and nobody else can compute them.
    pub fn room_keys(&self, slug: &str, room_key: &str) -> HostKeys {
        let id = format!("{slug}\0{room_key}");
        HostKeys {
            stream_key: self.derive("liboo room stream key", &id),
            session_key: self.derive("liboo room session key", &id),
        }
    }

    /// A signature of `parts` under `label` with the server secret: 32 hex characters
    /// (128 bits). Only this server can make one; [`Self::verify`] checks one.
    pub fn sign(&self, label: &str, parts: &[&str]) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        for p in parts {
            mac.update(&[0]);
            mac.update(p.as_bytes());
        }
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// Whether `signature` is [`Self::sign`]'s of `parts`, compared in constant time.
    pub fn verify(&self, label: &str, parts: &[&str], signature: &str) -> bool {
        let expected = self.sign(label, parts);
        expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The public session key alone, to find a host's channel from their `userId`.
    pub fn session_key(&self, user_id: &str) -> String {
        self.derive("liboo session key", user_id)
    }
}

pub use liboo_db::hash_secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_distinct_and_secret_dependent() {
        let a = KeyDeriver::new(b"secret-a");
        let b = KeyDeriver::new(b"secret-b");
        let k1 = a.keys("user-1");
        assert_eq!(k1, a.keys("user-1"));
        assert_eq!(k1.stream_key.len(), 20);
        assert_eq!(k1.session_key.len(), 20);
        assert!(k1.stream_key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(k1.stream_key, k1.session_key);
        assert_ne!(k1, a.keys("user-2"));
        assert_ne!(k1, b.keys("user-1"));
        assert_eq!(hash_secret("abc").len(), 64);
    }

    #[test]
    fn signatures_verify_only_unaltered() {
        let a = KeyDeriver::new(b"secret-a");
        let sig = a.sign("label", &["1", "x"]);
        assert_eq!(sig.len(), 32);
        assert!(a.verify("label", &["1", "x"], &sig));
        assert!(!a.verify("label", &["2", "x"], &sig));
        assert!(!a.verify("other", &["1", "x"], &sig));
        // The separator keeps ("1x") and ("1", "x") apart.
        assert!(!a.verify("label", &["1x"], &sig));
        assert!(!KeyDeriver::new(b"secret-b").verify("label", &["1", "x"], &sig));
        assert!(!a.verify("label", &["1", "x"], &sig[..31]));
    }
}
