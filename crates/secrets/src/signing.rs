//! Ed25519 keys that sign report submissions between agencies.
//!
//! Keys travel as base64 (standard alphabet, padded): 32 bytes for a
//! public key and for a secret seed, 64 bytes for a signature.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Why a signature or key was refused. Messages are for officials.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("khóa công khai không hợp lệ")]
    BadPublicKey,
    #[error("khóa bí mật không hợp lệ")]
    BadSecretKey,
    #[error("chữ ký không hợp lệ")]
    BadSignature,
    #[error("chữ ký không khớp với nội dung và khóa đã đăng ký")]
    Mismatch,
}

/// A new key pair: (secret seed, public key), both base64.
pub fn generate_keypair() -> (String, String) {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    (B64.encode(key.to_bytes()), B64.encode(key.verifying_key().to_bytes()))
}

fn decode_32(s: &str, err: SignError) -> Result<[u8; 32], SignError> {
    let Ok(bytes) = B64.decode(s.trim()) else {
        return Err(err);
    };
    bytes.try_into().map_err(|_| err)
}

/// Refuses a public key that is not a valid Ed25519 point.
pub fn check_public_key(public: &str) -> Result<(), SignError> {
    VerifyingKey::from_bytes(&decode_32(public, SignError::BadPublicKey)?)
        .map(|_| ())
        .map_err(|_| SignError::BadPublicKey)
}

/// The public key of a secret seed.
pub fn public_key_of(secret: &str) -> Result<String, SignError> {
    let key = SigningKey::from_bytes(&decode_32(secret, SignError::BadSecretKey)?);
    Ok(B64.encode(key.verifying_key().to_bytes()))
}

/// Signs `message` with the secret seed; the signature in base64.
pub fn sign(secret: &str, message: &[u8]) -> Result<String, SignError> {
    let key = SigningKey::from_bytes(&decode_32(secret, SignError::BadSecretKey)?);
    Ok(B64.encode(key.sign(message).to_bytes()))
}

/// Checks `signature` over `message` against `public`, strictly (no
/// malleable or small-order forms).
pub fn verify(public: &str, message: &[u8], signature: &str) -> Result<(), SignError> {
    let key =
        VerifyingKey::from_bytes(&decode_32(public, SignError::BadPublicKey)?).map_err(|_| SignError::BadPublicKey)?;
    let bytes = B64.decode(signature.trim()).map_err(|_| SignError::BadSignature)?;
    let bytes: [u8; 64] = bytes.try_into().map_err(|_| SignError::BadSignature)?;
    let sig = Signature::from_bytes(&bytes);
    key.verify_strict(message, &sig).map_err(|_| SignError::Mismatch)
}

/// A short fingerprint to show beside a key: the first 16 hex digits of
/// its SHA-256.
pub fn fingerprint(public: &str) -> String {
    let full = crate::hash_secret(public.trim());
    full.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let (secret, public) = generate_keypair();
        assert_eq!(public_key_of(&secret).unwrap(), public);
        let sig = sign(&secret, b"bao cao").unwrap();
        assert_eq!(verify(&public, b"bao cao", &sig), Ok(()));
        assert_eq!(verify(&public, b"bao cap", &sig), Err(SignError::Mismatch));
        let (_, other) = generate_keypair();
        assert_eq!(verify(&other, b"bao cao", &sig), Err(SignError::Mismatch));
        assert_eq!(verify(&public, b"bao cao", "khong-phai"), Err(SignError::BadSignature));
        assert_eq!(verify("abc", b"bao cao", &sig), Err(SignError::BadPublicKey));
        assert_eq!(sign("abc", b"x"), Err(SignError::BadSecretKey));
        assert_eq!(fingerprint(&public).len(), 16);
    }
}
