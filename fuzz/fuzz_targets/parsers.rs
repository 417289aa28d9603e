//! The date, time, money, period and count parsers: any text gives a value
//! or an error, and a value prints to text that parses back to itself.
#![no_main]

use canhgiac_domain::{Date, Dong, Period, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(d) = Date::parse(s) {
        assert_eq!(Date::parse(&d.vn_text()).ok(), Some(d));
        assert_eq!(Date::parse(&d.iso()).ok(), Some(d));
    }
    if let Ok(t) = Timestamp::parse(s) {
        assert_eq!(Timestamp::parse(&t.rfc3339()).ok(), Some(t));
    }
    let _ = Timestamp::parse_local(s);
    if let Ok(m) = Dong::parse(s) {
        assert_eq!(Dong::parse(&m.full()).ok(), Some(m), "{}", m.full());
        let _ = m.short();
    }
    if let Ok(p) = s.parse::<Period>() {
        assert_eq!(p.to_string().parse::<Period>().ok(), Some(p));
        let _ = p.label_vn();
    }
    let _ = canhgiac_interchange::figures::parse_count(s);
});
