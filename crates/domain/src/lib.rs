//! # kenpo-domain
//!
//! Owns the plain types of a 健康保険組合 (people, receipts, cash benefits, checkups) and the
//! pure rules over them (和暦, 標準報酬 grades, My Number check digits), and the **one map**
//! from every stored field to its data category (別表1 row, finer class, 要配慮).
//!
//! Must never: do I/O, know about databases, files or HTTP, or print personal data
//! (types that hold personal data implement `Debug` only where the value is masked).

pub mod benefit;
pub mod category;
pub mod checkup;
pub mod date;
pub mod dependant;
pub mod eligibility;
pub mod era;
pub mod grades;
pub mod ids;
pub mod kana;
pub mod kogaku;
pub mod mynumber;
pub mod person;
pub mod premium;
pub mod receipt;
pub mod remuneration;
pub mod review;
pub mod stratify;
pub mod table;

pub use category::{DataCategory, Field, NoticeRow};
pub use date::YearMonth;
pub use ids::{CardId, InsurerNumber};
pub use mynumber::MyNumber;
pub use table::Table;

/// Money is always integer yen.
pub type Yen = i64;
