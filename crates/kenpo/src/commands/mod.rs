//! Commands as args → app → render, one file each (the older commands still live in the
//! `*_cmd.rs` files beside `cli.rs` and move here as they are touched).

pub mod serve;
pub mod user;
