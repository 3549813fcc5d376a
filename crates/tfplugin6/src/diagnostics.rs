//! Diagnostics as the protocol carries them: severity, summary, detail and an optional attribute
//! path. The provider layer decides what goes in them; this module only defines their shape and
//! converts them to the wire format (in one place, `into_proto`).

use std::fmt;

use super::proto::tfplugin6 as wire;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step into a value: an attribute, a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Attribute(String),
    Key(String),
    Index(i64),
}

/// Where in a configuration or state a diagnostic applies, outermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    pub fn root() -> AttributePath {
        AttributePath(Vec::new())
    }

    /// A path of attribute names only, e.g. `AttributePath::attributes(["admin_roles"])`.
    pub fn attributes<I, S>(names: I) -> AttributePath
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AttributePath(
            names
                .into_iter()
                .map(|name| PathStep::Attribute(name.into()))
                .collect(),
        )
    }

    pub fn attribute(mut self, name: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Attribute(name.into()));
        self
    }

    pub fn index(mut self, index: i64) -> AttributePath {
        self.0.push(PathStep::Index(index));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    pub fn into_proto(self) -> wire::AttributePath {
        use wire::attribute_path::step::Selector;
        wire::AttributePath {
            steps: self
                .0
                .into_iter()
                .map(|step| wire::attribute_path::Step {
                    selector: Some(match step {
                        PathStep::Attribute(name) => Selector::AttributeName(name),
                        PathStep::Key(key) => Selector::ElementKeyString(key),
                        PathStep::Index(index) => Selector::ElementKeyInt(index),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if position == 0 => write!(formatter, "{name}")?,
                PathStep::Attribute(name) => write!(formatter, ".{name}")?,
                PathStep::Key(key) => write!(formatter, "[{key:?}]")?,
                PathStep::Index(index) => write!(formatter, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn at(mut self, path: AttributePath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    pub fn into_proto(self) -> wire::Diagnostic {
        wire::Diagnostic {
            severity: match self.severity {
                Severity::Error => wire::diagnostic::Severity::Error,
                Severity::Warning => wire::diagnostic::Severity::Warning,
            } as i32,
            summary: self.summary,
            detail: self.detail,
            attribute: self
                .attribute
                .filter(|path| !path.0.is_empty())
                .map(AttributePath::into_proto),
        }
    }
}

/// A list of diagnostics; the `Err` side of every handler's `Result`, and the warnings of its
/// `Ok` side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// `Err` when any is an error, so handlers can return `diagnostics.into_result()` (warnings
    /// travel either way).
    pub fn into_result(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_proto(self) -> Vec<wire::Diagnostic> {
        self.0.into_iter().map(Diagnostic::into_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diagnostic])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(diagnostics: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(diagnostics)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn into_result_fails_only_on_errors_and_keeps_warnings() {
        let mut warnings = Diagnostics::new();
        warnings.push(Diagnostic::warning("heads up", "detail"));
        let kept = warnings
            .into_result()
            .expect("warnings alone are no failure");
        assert_eq!(kept.0.len(), 1);

        let mut mixed = Diagnostics::new();
        mixed.push(Diagnostic::warning("heads up", "detail"));
        mixed.push(Diagnostic::error("broken", "detail"));
        let failed = mixed.into_result().expect_err("an error fails");
        assert_eq!(failed.0.len(), 2);
    }
}
