//! Every integration test, linked into one binary (Cargo.toml
//! `autotests = false`): one link of the library instead of one per file.

#[path = "../agency.rs"]
mod agency;
#[path = "../bad_input.rs"]
mod bad_input;
#[path = "../common/mod.rs"]
mod common;
#[path = "../daily.rs"]
mod daily;
#[path = "../defects.rs"]
mod defects;
#[path = "../determinism.rs"]
mod determinism;
#[path = "../diff.rs"]
mod diff;
#[path = "../docs.rs"]
mod docs;
#[path = "../duplicates.rs"]
mod duplicates;
#[path = "../faults.rs"]
mod faults;
#[path = "../generate.rs"]
mod generate;
#[path = "../holidays.rs"]
mod holidays;
#[path = "../kill.rs"]
mod kill;
#[path = "../law_table.rs"]
mod law_table;
#[path = "../mapping.rs"]
mod mapping;
#[path = "../parquet.rs"]
mod parquet;
#[path = "../properties.rs"]
mod properties;
#[path = "../readme.rs"]
mod readme;
#[path = "../reports.rs"]
mod reports;
#[path = "../scenarios.rs"]
mod scenarios;
#[path = "../settings.rs"]
mod settings;
#[path = "../watch.rs"]
mod watch;
#[path = "../xlsx.rs"]
mod xlsx;
