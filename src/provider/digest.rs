//! Short SHA-256 names for things the provider must name without showing them: where an
//! unnamed configuration runs (`configuration_location`), an org's birth lock file
//! (`org::birth_lock`).

/// The first `digits` hexadecimal digits (at most 64) of the SHA-256 of `input`.
pub fn sha256_hex(input: &[u8], digits: usize) -> String {
    let mut hex: String = ring::digest::digest(&ring::digest::SHA256, input)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    hex.truncate(digits);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_cut_to_the_digits_asked() {
        // SHA-256 of the empty input, a published test vector.
        assert_eq!(sha256_hex(b"", 16), "e3b0c44298fc1c14");
        assert_eq!(sha256_hex(b"", 100).len(), 64);
        assert_eq!(sha256_hex(b"abc", 8), "ba7816bf");
    }
}
