//! Secrets (API tokens, passwords) as a type whose every printable form is redacted, so they cannot
//! reach logs, diagnostics or panics by accident. The value is reachable only through `expose`,
//! which makes every use greppable.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it (an HTTP header, a request body).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_printable_form_reveals_the_value() {
        let secret = Secret::new("00abcSSWS-token-value");
        assert!(!format!("{secret}").contains("token"));
        assert!(!format!("{secret:?}").contains("token"));
        assert!(!format!("{:#?}", Some(&secret)).contains("token"));
        assert_eq!(secret.expose(), "00abcSSWS-token-value");
    }
}
