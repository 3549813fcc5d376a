//! The single integration test binary (one link, one process per test under nextest).

mod emulator;
