//! Data access. Every read of a tenant-owned table goes through a function here that applies
//! the viewer's scope (`scope`); resolvers and services never filter by tenant themselves.
pub mod asks;
pub mod changes;
pub mod customers;
pub mod opportunities;
pub mod page;
pub mod partners;
pub mod pipeline;
pub mod references;
pub mod referrals;
pub mod scope;
pub mod segments;
pub mod solutions;
pub mod sql;
pub mod webhooks;
