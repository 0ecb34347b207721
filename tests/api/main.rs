//! The API tested through HTTP against a real server on a loopback port, one fresh database per
//! test: SQLite by default, PostgreSQL when TEST_DATABASE_URL names a server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod fake_ace;
mod fixtures;
mod helpers;
mod loopback;
mod node;
mod oidc_provider;
mod otlp_collector;
mod process;
mod receiver;
mod ws;

mod ace_processes;
mod ace_referrals;
mod ace_strings;
mod ace_sync;
mod asks;
mod atomicity;
mod auth;
mod cli;
mod contract;
mod cosell_isolation;
mod cost;
mod customers;
mod faults;
mod front_door;
mod http;
mod idp;
mod instances;
mod isolation;
mod journey;
mod lifecycle;
mod limits;
mod live;
mod logs;
mod metrics;
mod migrations;
mod opportunities;
mod opportunity_isolation;
mod opportunity_lists;
mod pagination;
mod partners;
mod persisted;
mod pipeline;
mod policy;
mod profile;
mod readme;
mod referrals;
mod rules;
mod traces;
mod values;
mod viewer;
mod webhooks;
