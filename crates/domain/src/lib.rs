//! canhgiac's domain: the records the system keeps and the rules they obey.
//!
//! Invariants of this crate:
//! - no IO of any kind (no files, network, clock except `Date::today`/`Timestamp::now`);
//! - every text value that enters through serde is NFC, trimmed and non-empty ([`Text`]);
//! - money is whole, non-negative đồng ([`Dong`]); dates are real calendar days ([`Date`]).

pub mod date;
pub mod error;
pub mod kind;
pub mod layout;
pub mod markup;
pub mod money;
pub mod numbers;
pub mod period;
pub mod query;
pub mod records;
pub mod sources;
pub mod submission;
pub mod telecom;
pub mod text;
mod vn_enum;
pub mod watch;
pub mod workflow;

pub use schemars;

pub use date::{Date, Month, Timestamp};
pub use error::{FieldError, Invalid, ValidationErrors};
pub use kind::{
    field, ApiAccess, Dataset, FieldDef, FieldTy, InDataset, KindMeta, Ownership, RecordKind, RegisterDef, Storage,
    TableDef, SHARED_OWNER,
};
pub use money::Dong;
pub use period::{DateRange, Period, PeriodRule};
pub use records::*;
pub use sources::{Failure, LexiconPhrase, LexiconWeight, Source, SourceHealth, SourceKind};
pub use telecom::{
    BtsStation, Coordinates, Expiry, InspectionScope, SpamReport, TelecomCampaign, TelecomChannel, TelecomOperator,
    TelecomTopic, EXPIRY_WARNING_DAYS,
};
pub use text::{fold, nfc, Code, Text};
pub use watch::{HitStatus, WatchRule};
pub use workflow::CaseFacts;
