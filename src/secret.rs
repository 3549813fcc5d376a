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

/// What stands in for a text that repeats part of a secret.
pub const WITHHELD: &str = "[withheld: the answer repeated part of a credential]";

/// `text` safe to show: every verbatim occurrence of `secret` becomes `[redacted]`, and a text
/// that still reveals a recognisable part of it in another form (a fragment, characters with
/// spaces or punctuation between them, base64 of the secret or of a text holding it) is
/// withheld whole. A server or proxy that reflects a request's credential into its answer
/// can do so in any of those forms; reading the part that is left back out must not be possible.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let cut = text.replace(secret, "[redacted]");
    if reveals(&cut, secret) {
        WITHHELD.to_owned()
    } else {
        cut
    }
}

/// Whether `text` holds a recognisable part of `secret`, as it is or base64-decoded.
fn reveals(text: &str, secret: &str) -> bool {
    let secret = letters_and_digits(secret);
    if secret.is_empty() {
        return false;
    }
    // A third of the secret's letters and digits, at least 8 (or the whole of a shorter one):
    // long enough not to match by chance, short enough that halves and thirds of it match.
    let part = (secret.len() / 3).clamp(8, 16).min(secret.len());
    let parts: Vec<&[u8]> = secret.as_bytes().windows(part).collect();
    let holds_part = |candidate: &str| {
        let candidate = letters_and_digits(candidate);
        parts
            .iter()
            .any(|part| candidate.as_bytes().windows(part.len()).any(|w| w == *part))
    };
    holds_part(text) || base64_runs(text).iter().any(|decoded| holds_part(decoded))
}

/// The letters and digits of `text`, in order: what is left of a secret whatever was put
/// between its characters.
fn letters_and_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Every run of base64 characters in `text` (standard or URL-safe alphabet) long enough to
/// hide a fragment, decoded from each of the four alignments its start may have.
fn base64_runs(text: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let is_base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_');
    let mut decoded = Vec::new();
    for run in text
        .split(|c: char| !is_base64(c))
        .filter(|run| run.len() >= 12)
    {
        for skip in 0..4 {
            let tail = &run[skip..];
            let usable = tail.len() - tail.len() % 4;
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                if let Ok(bytes) = engine.decode(&tail[..usable]) {
                    decoded.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00aBcD3fGh1jKlMnOpQrStUvWxYz-0123456789_xyz";

    #[test]
    fn a_verbatim_secret_is_cut_out_and_the_rest_kept() {
        let text = format!("Bad header SSWS {TOKEN} in request");
        assert_eq!(scrub(&text, TOKEN), "Bad header SSWS [redacted] in request");
        assert_eq!(
            scrub("Not found: Resource not found: 00u1 (User)", TOKEN),
            "Not found: Resource not found: 00u1 (User)"
        );
    }

    #[test]
    fn a_reflected_secret_in_any_form_is_withheld() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let (first, second) = TOKEN.split_at(TOKEN.len() / 2);
        let spaced: String = TOKEN.chars().flat_map(|c| [c, ' ']).collect();
        let forms = [
            format!("Authorization: SSWS {first}"),
            format!("token ends with {second}"),
            format!("header was {first} ... {second}"),
            format!("Invalid header: {spaced}"),
            format!("Invalid header: {}", TOKEN.replace('-', " - ")),
            format!("echo: {}", STANDARD.encode(format!("SSWS {TOKEN}"))),
            format!("echo={}", URL_SAFE_NO_PAD.encode(TOKEN)),
            format!(
                "echo: x{}",
                STANDARD.encode(format!("Authorization: SSWS {TOKEN}"))
            ),
        ];
        for form in forms {
            let shown = scrub(&form, TOKEN);
            assert_eq!(shown, WITHHELD, "{form}");
        }
    }

    #[test]
    fn ordinary_answers_are_not_withheld() {
        for text in [
            "Api validation failed: login: An object with this field already exists in the current organization",
            "The request is missing a required parameter.",
            "eyJhbGciOiJIUzI1NiJ9 is a header someone else sent",
            "",
        ] {
            assert_eq!(scrub(text, TOKEN), text);
        }
        assert_eq!(scrub("anything", ""), "anything");
    }

    #[test]
    fn no_printable_form_reveals_the_value() {
        let secret = Secret::new("00abcSSWS-token-value");
        assert!(!format!("{secret}").contains("token"));
        assert!(!format!("{secret:?}").contains("token"));
        assert!(!format!("{:#?}", Some(&secret)).contains("token"));
        assert_eq!(secret.expose(), "00abcSSWS-token-value");
    }
}
