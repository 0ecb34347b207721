//! The `Cosell-Signature` header, verified by receivers as they verify Stripe's:
//! `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the webhook's secret>`.
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "Cosell-Signature";

/// The header's value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &str, timestamp: i64, body: &str) -> Vec<u8> {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether `header` signs `body` with `secret` within `tolerance_seconds` of `now`: what a
/// receiver does (README "Webhooks"), in constant time.
pub fn verify(secret: &str, header: &str, body: &str, now: i64, tolerance_seconds: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now - timestamp).abs() > tolerance_seconds {
        return false;
    }
    signatures.iter().any(|candidate| {
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).is_ok_and(|mut mac| {
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body.as_bytes());
            mac.verify_slice(candidate).is_ok()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_secret_body_and_time() {
        let header = sign("whsec_a", 1_700_000_000, r#"{"id":1}"#);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(
            "whsec_a",
            &header,
            r#"{"id":1}"#,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            "whsec_b",
            &header,
            r#"{"id":1}"#,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            "whsec_a",
            &header,
            r#"{"id":2}"#,
            1_700_000_100,
            300
        ));
        assert!(!verify(
            "whsec_a",
            &header,
            r#"{"id":1}"#,
            1_700_001_000,
            300
        ));
        assert!(!verify(
            "whsec_a",
            "garbage",
            r#"{"id":1}"#,
            1_700_000_000,
            300
        ));
    }
}
