pub mod emulator;
pub mod plugin;
