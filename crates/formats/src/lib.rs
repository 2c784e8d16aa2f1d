//! # kenpo-formats
//!
//! Owns the readers and writers of the external formats a society exchanges: the roster CSV
//! (our documented layout), 電子レセプト (UKE, 記録条件仕様) and 特定健診・特定保健指導 XML
//! archives (HL7 CDA). Writers live beside their readers and are round-trip tested.
//!
//! Must never: touch a database, decide access, or log record contents. Errors name the file,
//! the line or record and the field, but carry no personal values.

pub mod benefits;
pub mod checkup_xml;
pub mod csv_out;
pub mod nenkin;
pub mod nenkin_pay;
pub mod payments;
pub mod roster;
pub mod text;
pub mod uke;
