pub mod proto;
pub mod value;
