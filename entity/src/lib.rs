//! Storage entities of cosell (sea-orm). No API types live here: the server crate maps
//! these rows to GraphQL objects, and enum columns hold plain strings that the server
//! validates against the contract's enums.

pub mod ace_connection;
pub mod ace_job;
pub mod ace_sync;
pub mod ask;
pub mod ask_comment;
pub mod change_log;
pub mod contact;
pub mod customer;
pub mod customer_reference;
pub mod event;
pub mod idempotency_key;
pub mod next_step;
pub mod opportunity;
pub mod opportunity_primary_need;
pub mod opportunity_solution;
pub mod partner;
pub mod partner_industry;
pub mod partner_segment;
pub mod referral;
pub mod segment;
pub mod solution;
pub mod webhook;
pub mod webhook_delivery;
