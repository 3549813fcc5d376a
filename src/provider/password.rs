//! Generated passwords for service accounts that get no `password_wo`: drawn from the operating
//! system's CSPRNG, long, with every character class Okta's complexity rules ask for, and never
//! returned, stored or logged (they exist only as a `Secret` for the one create request).

use rand::Rng as _;
use rand::seq::SliceRandom as _;

use crate::secret::Secret;

/// Longer than the baseline's minimum (20) and the securing rules' floor (32).
pub const GENERATED_LENGTH: usize = 40;

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
/// Symbols that need no quoting in JSON, shells or URLs.
const SYMBOLS: &[u8] = b"!#%+-.:=?@^_~";

/// The password an account is created with: the configuration's `password_wo`, or one
/// generated for the account.
#[derive(Clone)]
pub struct AccountPassword {
    secret: Secret,
    /// What a generated password avoids; `None` for a given one.
    avoided: Option<Vec<String>>,
}

impl AccountPassword {
    pub fn given(secret: Secret) -> AccountPassword {
        AccountPassword {
            secret,
            avoided: None,
        }
    }

    /// A generated password holding no part of `words` (see [`generate_avoiding`]).
    pub fn generated(words: &[&str]) -> AccountPassword {
        AccountPassword {
            secret: generate_avoiding(words),
            avoided: Some(words.iter().map(|word| (*word).to_owned()).collect()),
        }
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Another draw, after Okta refused this password (E0000080); `None` for a given password,
    /// which only the configuration can change.
    pub fn redrawn(&self) -> Option<AccountPassword> {
        let words = self.avoided.as_ref()?;
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        Some(AccountPassword::generated(&words))
    }
}

/// Draws left after which a password that still holds a part of the avoided words is returned
/// anyway (Okta then refuses it with E0000080, and the create tries once more). Only parts of two
/// or more characters need draws; with single characters left out of the alphabet, a 40-character
/// password holds a given pair with a chance of about one in a hundred.
const MAX_DRAWS: usize = 64;

/// A new random password with at least one character of each class, holding no part of `words`
/// (the account's login, first and last name) in any case: Okta's `excludeUsername` (which the
/// securing baseline turns on) and `excludeAttributes` refuse a password that contains a part of
/// the username, and with logins like `a@x.example` a random password holds a one-letter part
/// most of the time. A part is what lies between the login's delimiters (`.`, `@`, `-`, `_`
/// and any other character that is not a letter or digit); one-character parts leave the
/// alphabet, longer ones are drawn around.
pub fn generate_avoiding(words: &[&str]) -> Secret {
    let parts = parts_of(words);
    let banned: Vec<u8> = parts
        .iter()
        .filter(|part| part.len() == 1)
        .flat_map(|part| {
            let byte = part.as_bytes()[0];
            [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()]
        })
        .collect();
    let classes: Vec<Vec<u8>> = [LOWER, UPPER, DIGITS, SYMBOLS]
        .iter()
        .map(|class| {
            let allowed: Vec<u8> = class
                .iter()
                .copied()
                .filter(|b| !banned.contains(b))
                .collect();
            // A class the words empty entirely (every digit a part of the login) keeps its
            // characters: complexity is Okta's rule too, and E0000080 leads to one more draw.
            if allowed.is_empty() {
                class.to_vec()
            } else {
                allowed
            }
        })
        .collect();
    let longer: Vec<&String> = parts.iter().filter(|part| part.len() > 1).collect();
    let mut password = draw(&classes);
    for _ in 1..MAX_DRAWS {
        let lower = password.to_ascii_lowercase();
        if !longer.iter().any(|part| lower.contains(part.as_str())) {
            break;
        }
        password = draw(&classes);
    }
    Secret::new(password)
}

/// The lower-case parts of `words`, split at every character that is not a letter or digit.
fn parts_of(words: &[&str]) -> Vec<String> {
    let mut parts: Vec<String> = words
        .iter()
        .flat_map(|word| word.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|part| !part.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    parts.sort();
    parts.dedup();
    parts
}

/// One password of `GENERATED_LENGTH` with a character of each class, shuffled.
fn draw(classes: &[Vec<u8>]) -> String {
    // Seeded from the OS for each password: no state shared between passwords.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let mut bytes: Vec<u8> = classes
        .iter()
        .map(|class| class[rng.random_range(0..class.len())])
        .collect();
    let all: Vec<u8> = classes.concat();
    while bytes.len() < GENERATED_LENGTH {
        bytes.push(all[rng.random_range(0..all.len())]);
    }
    bytes.shuffle(&mut rng);
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_hold_no_part_of_short_logins() {
        for login in [
            "a@x.example",
            "ab@xy.example",
            "abc@b.example",
            "q.z-7_k@co.example",
        ] {
            let parts = parts_of(&[login, "Okta", "RADIUS"]);
            for _ in 0..200 {
                let password = generate_avoiding(&[login, "Okta", "RADIUS"]);
                let lower = password.expose().to_ascii_lowercase();
                for part in &parts {
                    assert!(
                        !lower.contains(part.as_str()),
                        "{login}: part {part} in a password"
                    );
                }
                assert_eq!(password.expose().len(), GENERATED_LENGTH);
            }
        }
    }

    #[test]
    fn generated_passwords_are_long_complex_and_distinct() {
        let first = generate_avoiding(&["oktaradius@acme.example"]);
        let second = generate_avoiding(&["oktaradius@acme.example"]);
        assert_ne!(first.expose(), second.expose());
        for password in [first, second] {
            let text = password.expose();
            assert_eq!(text.chars().count(), GENERATED_LENGTH);
            assert!(text.bytes().any(|b| LOWER.contains(&b)));
            assert!(text.bytes().any(|b| UPPER.contains(&b)));
            assert!(text.bytes().any(|b| DIGITS.contains(&b)));
            assert!(text.bytes().any(|b| SYMBOLS.contains(&b)));
            assert!(!format!("{password:?}").contains(text));
        }
    }
}
