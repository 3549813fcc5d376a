pub mod plugin;
pub mod rules;
