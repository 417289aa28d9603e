//! Passwords and tokens, in one place below the command line, the web
//! application and the store.
//!
//! Invariants:
//! - passwords are kept only as Argon2id hashes in PHC form, each with its
//!   own salt; a malformed hash never matches;
//! - session and API token secrets are random and kept only as their
//!   SHA-256 ([`hash_secret`]);
//! - randomness comes from the operating system.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub mod signing;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("không băm được mật khẩu: {0}")]
pub struct HashError(String);

/// A password to hand over once: 20 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// An Argon2id hash of `password` in PHC string form, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches a PHC hash. Slow on purpose (Argon2): call it
/// off the async threads.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// `bytes` random bytes as hex: session secrets, CSRF tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A new API token secret, shown once.
pub fn new_token() -> String {
    format!("cg_{}", random_hex(24))
}

/// The SHA-256 of a secret, which is all the store keeps of it.
/// SHA-256 of bytes, as lowercase hex: file and manifest hashes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let p = generate_password();
        assert_eq!(p.chars().count(), 20);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
        let h1 = hash_password(&p).unwrap();
        let h2 = hash_password(&p).unwrap();
        assert_ne!(h1, h2, "every hash has its own salt");
        assert!(h1.starts_with("$argon2id$"));
        assert!(verify_password(&h1, &p));
        assert!(!verify_password(&h1, "wrong"));
        assert!(!verify_password("not a hash", &p));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        assert_ne!(random_hex(16), random_hex(16));
        assert_eq!(random_hex(16).len(), 32);
        assert!(new_token().starts_with("cg_"));
        assert_eq!(hash_secret("a").len(), 64);
        assert!(constant_eq(b"abc", b"abc"));
        assert!(!constant_eq(b"abc", b"abd"));
        assert!(!constant_eq(b"abc", b"ab"));
    }
}
