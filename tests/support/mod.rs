//! Shared test harness: starting plugins as Terraform does, and driving the real `terraform` CLI.

#![allow(dead_code)]

pub mod emulator;
pub mod fleet;
pub mod lag_window;
pub mod plugin_client;
pub mod scenario;
pub mod terraform;
