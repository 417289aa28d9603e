//! The CSV import, of every record kind and of an unnamed kind: a dataset
//! or an error naming the file, never a panic. What it reads is NFC.
#![no_main]

use canhgiac_domain::RecordKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the kind, so the fuzzer reaches every table.
    let (pick, bytes) = data.split_first().map_or((0, data), |(p, rest)| (*p, rest));
    let kinds = RecordKind::ALL;
    let kind = kinds.get(usize::from(pick) % (kinds.len() + 1)).copied();
    match canhgiac_interchange::read_csv("f.csv", bytes, kind) {
        Ok(set) => {
            let json = serde_json::to_string(&set).unwrap_or_default();
            assert!(unicode_normalization::is_nfc(&json), "stored text must be NFC");
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
});
