//! Commands as args → app → render, one file each. `cli.rs` parses and dispatches; nothing
//! here refers back to it (no import circle): the shared argument type [`Access`] lives here.

pub mod audit;
pub mod eligibility;
pub mod kenshin;
pub mod policy;
pub mod premium;
pub mod receipts;
pub mod serve;
pub mod society;
pub mod user;

use anyhow::Result;
use clap::Args;
use kenpo_store::{AccessContext, Actor, PurposeId};

/// Who acts and why: every command that touches personal data needs both.
#[derive(Args, Clone)]
pub struct Access {
    /// staff:ROLE[:USER], contractor:ID, member:PERSON_ID or system:JOB.
    #[arg(long = "as")]
    pub actor: String,
    /// A use id from 別表2 (see `kenpo purposes`).
    #[arg(long)]
    pub purpose: String,
}

impl Access {
    pub(crate) fn context(&self) -> Result<AccessContext> {
        Ok(AccessContext::new(Actor::parse(&self.actor)?, PurposeId::parse(&self.purpose)?))
    }
}
