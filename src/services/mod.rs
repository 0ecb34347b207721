//! Use cases: validation, permission checks and one transaction per mutation.
pub mod history;
pub mod partners;
pub mod readiness;
pub mod references;
pub mod solutions;
