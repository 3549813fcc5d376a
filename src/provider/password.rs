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

/// A new random password with at least one character of each class. (Okta refuses passwords that
/// contain parts of the username; 40 random characters contain one by chance with negligible
/// probability, and a refusal would be a clear error, not a weak password.)
pub fn generate() -> Secret {
    // Seeded from the OS for each password: no state shared between passwords.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
    let mut bytes: Vec<u8> = classes
        .iter()
        .map(|class| class[rng.random_range(0..class.len())])
        .collect();
    let all: Vec<u8> = classes.concat();
    while bytes.len() < GENERATED_LENGTH {
        bytes.push(all[rng.random_range(0..all.len())]);
    }
    bytes.shuffle(&mut rng);
    Secret::new(String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_complex_and_distinct() {
        let first = generate();
        let second = generate();
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
