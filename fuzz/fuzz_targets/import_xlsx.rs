//! The XLSX import and the figures form: any bytes, zip bombs included,
//! give a dataset or an error, never a panic or an unbounded inflate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = canhgiac_interchange::read_xlsx("f.xlsx", data, None) {
        assert!(!e.message.is_empty());
    }
    let _ = canhgiac_interchange::figures::read_figures("f.xlsx", data, &[]);
});
