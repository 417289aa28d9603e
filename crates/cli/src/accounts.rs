//! Passwords: generated, hashed with Argon2id, never stored in clear.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use rand::Rng;

/// A password of 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("không băm được mật khẩu: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHash, PasswordVerifier};

    #[test]
    fn hash_verifies_and_differs_per_salt() {
        let p = generate_password();
        assert_eq!(p.chars().count(), 20);
        let h1 = hash_password(&p).unwrap();
        let h2 = hash_password(&p).unwrap();
        assert_ne!(h1, h2);
        assert!(h1.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&h1).unwrap();
        assert!(Argon2::default().verify_password(p.as_bytes(), &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
    }
}
