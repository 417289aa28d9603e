use std::fmt;

/// A problem with one value, described in Vietnamese for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        FieldError {
            message: message.into(),
        }
    }
}

/// A rule broken by a whole record: which field, and why (Vietnamese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

/// All the rules a record breaks, gathered so the user sees them at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
pub struct ValidationErrors(pub Vec<Invalid>);

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Invalid {
            field: field.into(),
            message: message.into(),
        });
    }

    /// The messages with each field named by its label in `kind`'s
    /// declaration (`Trạng thái: …`, `Đường dẫn nội dung (thứ 2): …`), as
    /// people read them; a field the declaration does not name (a nested
    /// value: `layout.margin_right_mm`) is named by its path.
    pub fn in_words(&self, kind: crate::RecordKind) -> String {
        let meta = kind.meta();
        let mut out = Vec::with_capacity(self.0.len());
        for e in &self.0 {
            let (name, index) = match e.field.split_once('[') {
                Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (e.field.as_str(), None),
            };
            out.push(match (meta.field(name), index) {
                (Some(f), Some(i)) => format!("{} (thứ {}): {}", f.label, i + 1, e.message),
                (Some(f), None) => format!("{}: {}", f.label, e.message),
                (None, _) => format!("trường «{}»: {}", e.field, e.message),
            });
        }
        out.join("; ")
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "trường «{}»: {}", e.field, e.message)?;
        }
        Ok(())
    }
}
