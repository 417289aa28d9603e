//! Charset detection and folding: decoded text is NFC; folding is
//! idempotent, ASCII-only for Vietnamese letters, and the same for old and
//! new tone placement.
#![no_main]

use canhgiac_domain::{fold, nfc};
use libfuzzer_sys::fuzz_target;
use unicode_normalization::{is_nfc, UnicodeNormalization};

fuzz_target!(|data: &[u8]| {
    let text = canhgiac_interchange::decode_text(data);
    assert!(is_nfc(&text));
    let folded = fold(&text);
    assert_eq!(fold(&folded), folded, "fold is idempotent");
    let n = nfc(&text);
    assert!(is_nfc(&n));
    // NFD and NFC spellings of one text fold alike.
    let nfd: String = text.nfd().collect();
    assert_eq!(fold(&nfd), folded);
});
