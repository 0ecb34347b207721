//! cosell: a GraphQL API for AWS partner co-selling through ACE.
//!
//! Layers: `http` (transport rules) → `graphql` (thin resolvers) → `services` (rules,
//! transactions) → `data` (scoped reads, the only place tenant scope is applied) → `entity`.
pub mod ace;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod live;
pub mod seed;
pub mod services;
pub mod telemetry;
pub mod webhooks;
