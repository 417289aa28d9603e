//! Closed vocabularies with a machine code and a Vietnamese label. Both are
//! accepted on input, with diacritics and case ignored, so a CSV cell that
//! says `Cá nhân` and a JSON field that says `individual` mean the same.

/// Defines a `Copy` enum with `code()`, `label_vn()`, `ALL`, `parse()`, and
/// serde as the code.
#[macro_export]
macro_rules! vn_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $var:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code),+ }
            }

            pub fn label_vn(self) -> &'static str {
                match self { $($name::$var => $label),+ }
            }

            /// (code, label) of every value, for pickers.
            pub fn choices() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.code(), v.label_vn())).collect()
            }

            pub fn parse(s: &str) -> Result<Self, $crate::FieldError> {
                let f = $crate::text::fold(s).replace(['-', ' '], "_");
                for v in Self::ALL {
                    if f == v.code() || f == $crate::text::fold(v.label_vn()).replace(['-', ' '], "_") {
                        return Ok(*v);
                    }
                }
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.label_vn()).collect();
                Err($crate::FieldError::new(format!(
                    "Giá trị «{}» không hợp lệ; chọn một trong: {}",
                    s.trim(),
                    allowed.join(", ")
                )))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label_vn())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl $crate::schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut $crate::schemars::SchemaGenerator) -> $crate::schemars::Schema {
                let mut s = $crate::schemars::json_schema!({"type": "string"});
                s.insert("enum".into(), ::serde_json::json!([$($code),+]));
                s
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
