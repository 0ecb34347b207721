//! Domain vocabulary: the contract's enums with their stored strings, ids, validation.
pub mod ace_lists;
pub mod ask_flow;
pub mod enums;
pub mod ids;
pub mod money;
pub mod patch;
pub mod stored;
pub mod validate;
pub mod webhook_url;

/// The current time at the precision both databases keep (microseconds), so a value read back
/// equals the value written and can serve as a cursor.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
