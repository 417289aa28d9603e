//! The JSON import: any bytes give a dataset or a Vietnamese error naming
//! the file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = canhgiac_interchange::read_json("f.json", data) {
        assert_eq!(e.file, "f.json");
        assert!(!e.message.is_empty());
    }
});
