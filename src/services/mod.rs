//! Use cases: validation, permission checks and one transaction per mutation.
pub mod ace;
pub mod asks;
pub mod commands;
pub mod customers;
pub mod history;
pub mod idempotency;
pub mod locks;
pub mod opportunities;
pub mod partners;
pub mod references;
pub mod referral_readiness;
pub mod referrals;
pub mod solutions;
pub mod versioned;
pub mod webhooks;
