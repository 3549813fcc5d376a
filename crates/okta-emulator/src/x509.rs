//! App signing keys and certificate signing requests as Okta makes them: RSA 2048 key pairs
//! with self-signed X.509 certificates (`/api/v1/apps/{appId}/credentials/keys`) and PKCS #10
//! requests (`…/credentials/csrs`). ring signs with RSA keys but does not generate them, so the
//! primes are found here (random odd candidates, trial division, Miller-Rabin) and the key is
//! handed to rcgen as PKCS #8. Private keys are never kept: only certificates and requests are.

use num_bigint::BigUint;
use ring::rand::{SecureRandom, SystemRandom};
use rustls_pki_types::PrivatePkcs8KeyDer;

/// Why a key, certificate or request could not be made.
#[derive(Debug, thiserror::Error)]
pub enum X509Error {
    #[error("no randomness available")]
    Random,
    #[error("the generated key was refused: {0}")]
    Key(String),
    #[error("the certificate or request could not be made: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// Miller-Rabin rounds: with random bases, an error probability below 2^-80 for 1024-bit
/// candidates after trial division.
const ROUNDS: usize = 40;

fn random_bytes(count: usize) -> Result<Vec<u8>, X509Error> {
    let mut bytes = vec![0u8; count];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| X509Error::Random)?;
    Ok(bytes)
}

fn small_primes() -> Vec<u32> {
    let limit = 2_000u32;
    let mut sieve = vec![true; limit as usize];
    let mut primes = Vec::new();
    for candidate in 2..limit {
        if sieve[candidate as usize] {
            primes.push(candidate);
            let mut multiple = candidate * candidate;
            while multiple < limit {
                sieve[multiple as usize] = false;
                multiple += candidate;
            }
        }
    }
    primes
}

fn probably_prime(candidate: &BigUint, small: &[u32]) -> Result<bool, X509Error> {
    let zero = BigUint::ZERO;
    if small.iter().any(|prime| (candidate % *prime) == zero) {
        return Ok(false);
    }
    let one = BigUint::from(1u32);
    let minus_one = candidate - &one;
    let mut odd = minus_one.clone();
    let mut twos = 0;
    while (&odd % 2u32) == zero {
        odd >>= 1;
        twos += 1;
    }
    let length = candidate.to_bytes_be().len();
    let span = candidate - 3u32;
    'rounds: for _ in 0..ROUNDS {
        let base = BigUint::from_bytes_be(&random_bytes(length)?) % &span + 2u32;
        let mut x = base.modpow(&odd, candidate);
        if x == one || x == minus_one {
            continue;
        }
        for _ in 1..twos {
            x = x.modpow(&BigUint::from(2u32), candidate);
            if x == minus_one {
                continue 'rounds;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random 1024-bit prime whose top two bits are set (so that two of them make a 2048-bit
/// modulus) and that is coprime with `e - 1`'s requirement (`p - 1` not a multiple of e).
fn prime(e: &BigUint, small: &[u32]) -> Result<BigUint, X509Error> {
    loop {
        let mut bytes = random_bytes(128)?;
        bytes[0] |= 0xC0;
        bytes[127] |= 1;
        let candidate = BigUint::from_bytes_be(&bytes);
        if (&candidate - 1u32) % e != BigUint::ZERO && probably_prime(&candidate, small)? {
            return Ok(candidate);
        }
    }
}

fn der_length(length: usize, out: &mut Vec<u8>) {
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes: Vec<u8> = length
            .to_be_bytes()
            .into_iter()
            .skip_while(|byte| *byte == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_length(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

fn der_integer(value: &BigUint) -> Vec<u8> {
    let mut bytes = value.to_bytes_be();
    if bytes.first().is_some_and(|byte| byte & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    der(0x02, &bytes)
}

/// A new RSA 2048 key pair, e = 65537, as PKCS #8 DER (RFC 5208 around RFC 8017's
/// `RSAPrivateKey`).
fn rsa_pkcs8() -> Result<Vec<u8>, X509Error> {
    let small = small_primes();
    let e = BigUint::from(65_537u32);
    loop {
        let p = prime(&e, &small)?;
        let q = prime(&e, &small)?;
        if p == q {
            continue;
        }
        let (p, q) = if p > q { (p, q) } else { (q, p) };
        let n = &p * &q;
        if n.bits() != 2048 {
            continue;
        }
        let p1 = &p - 1u32;
        let q1 = &q - 1u32;
        let Some(d) = e.modinv(&(&p1 * &q1)) else {
            continue;
        };
        let Some(q_inverse) = q.modinv(&p) else {
            continue;
        };
        let mut fields = der(0x02, &[0]);
        for value in [&n, &e, &d, &p, &q, &(&d % &p1), &(&d % &q1), &q_inverse] {
            fields.extend(der_integer(value));
        }
        let pkcs1 = der(0x30, &fields);
        // rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
        let algorithm = der(
            0x30,
            &[
                0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00,
            ],
        );
        let mut body = der(0x02, &[0]);
        body.extend(algorithm);
        body.extend(der(0x04, &pkcs1));
        return Ok(der(0x30, &body));
    }
}

fn rsa_key_pair() -> Result<rcgen::KeyPair, X509Error> {
    let pkcs8 = rsa_pkcs8()?;
    rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|error| X509Error::Key(error.to_string()))
}

/// The subject Okta gives an app's signing certificate (its recorded certificates name the
/// org: `CN=<org>, OU=SSOProvider, O=Okta, L=San Francisco, ST=California, C=US`).
fn okta_subject(org: &str) -> rcgen::DistinguishedName {
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CountryName, "US");
    name.push(rcgen::DnType::StateOrProvinceName, "California");
    name.push(rcgen::DnType::LocalityName, "San Francisco");
    name.push(rcgen::DnType::OrganizationName, "Okta");
    name.push(rcgen::DnType::OrganizationalUnitName, "SSOProvider");
    name.push(rcgen::DnType::CommonName, org);
    name
}

/// A new signing key: its self-signed certificate (DER), valid from `now` for `years` years.
pub fn signing_certificate(org: &str, now_seconds: i64, years: i64) -> Result<Vec<u8>, X509Error> {
    let key = rsa_key_pair()?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = okta_subject(org);
    let start = time::OffsetDateTime::from_unix_timestamp(now_seconds)
        .map_err(|error| X509Error::Key(error.to_string()))?;
    params.not_before = start;
    params.not_after = start + time::Duration::days(365 * years);
    Ok(params.self_signed(&key)?.der().to_vec())
}

/// What a certificate signing request names.
pub struct CsrSubject {
    pub common_name: Option<String>,
    pub country: Option<String>,
    pub state: Option<String>,
    pub locality: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    pub dns_names: Vec<String>,
}

/// A new key pair's PKCS #10 request (DER) for `subject`; the private key stays unknown (Okta
/// keeps it until the signed certificate is published).
pub fn signing_request(subject: &CsrSubject) -> Result<Vec<u8>, X509Error> {
    let key = rsa_key_pair()?;
    let mut params = rcgen::CertificateParams::new(subject.dns_names.clone())?;
    let mut name = rcgen::DistinguishedName::new();
    for (kind, value) in [
        (rcgen::DnType::CountryName, &subject.country),
        (rcgen::DnType::StateOrProvinceName, &subject.state),
        (rcgen::DnType::LocalityName, &subject.locality),
        (rcgen::DnType::OrganizationName, &subject.organization),
        (
            rcgen::DnType::OrganizationalUnitName,
            &subject.organizational_unit,
        ),
        (rcgen::DnType::CommonName, &subject.common_name),
    ] {
        if let Some(value) = value {
            name.push(kind, value.as_str());
        }
    }
    params.distinguished_name = name;
    Ok(params.serialize_request(&key)?.der().to_vec())
}

/// The RSA public key (modulus, exponent) inside a certificate or request made here: the
/// `SubjectPublicKeyInfo`'s `RSAPublicKey`, found by its rsaEncryption algorithm identifier.
pub fn rsa_public_key(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    const RSA_ENCRYPTION: [u8; 11] = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
    ];
    let at = der
        .windows(RSA_ENCRYPTION.len())
        .position(|window| window == RSA_ENCRYPTION)?;
    let mut rest = &der[at + RSA_ENCRYPTION.len()..];
    // NULL parameters, then BIT STRING { 0 unused bits, SEQUENCE { n, e } }.
    rest = rest.strip_prefix(&[0x05, 0x00])?;
    let (tag, bits, _) = read_tlv(rest)?;
    if tag != 0x03 {
        return None;
    }
    let (tag, sequence, _) = read_tlv(bits.strip_prefix(&[0])?)?;
    if tag != 0x30 {
        return None;
    }
    let (_, modulus, after) = read_tlv(sequence)?;
    let (_, exponent, _) = read_tlv(after)?;
    let trim = |bytes: &[u8]| {
        bytes
            .iter()
            .copied()
            .skip_while(|byte| *byte == 0)
            .collect()
    };
    Some((trim(modulus), trim(exponent)))
}

/// One DER element: tag, content, what follows.
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let length = if first < 0x80 {
        first as usize
    } else {
        let count = (first & 0x7F) as usize;
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |length, byte| (length << 8) | *byte as usize);
        rest = &rest[count..];
        length
    };
    if rest.len() < length {
        return None;
    }
    Some((tag, &rest[..length], &rest[length..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_carries_a_2048_bit_rsa_key_that_ring_accepts() {
        let certificate = signing_certificate("acme", 1_700_000_000, 2).unwrap();
        let (modulus, exponent) = rsa_public_key(&certificate).unwrap();
        assert_eq!(modulus.len(), 256);
        assert_eq!(exponent, vec![1, 0, 1]);
        let request = signing_request(&CsrSubject {
            common_name: Some("SP Issuer".into()),
            country: Some("CA".into()),
            state: None,
            locality: Some("Toronto".into()),
            organization: Some("Okta, Inc.".into()),
            organizational_unit: Some("Dev".into()),
            dns_names: vec!["dev.okta.com".into()],
        })
        .unwrap();
        assert_eq!(rsa_public_key(&request).unwrap().0.len(), 256);
    }
}
