//! The one integration test binary: every command through the real binary (assert_cmd)
//! and the AWS clients against real local servers on 127.0.0.1 (a Price List fixture
//! server, moto behind a CBOR proxy) or the SDK's mock client. One binary links once.

// Tests write fixtures and read results directly (clippy.toml bans that in the tool).
#![allow(clippy::disallowed_methods)]

mod estimate;
mod hardening;
mod help;
mod history_bill;
mod infrastructure;
mod model_v2;
mod observe_cloudwatch;
mod observe_mocks;
mod plan;
mod prices_live;
mod report_site;
mod services;
mod support;
mod sweep_report;
mod uncertainty;
