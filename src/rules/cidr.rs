//! CIDR blocks for the service accounts' network zone.

// `core::net` holds only address types and their parsers (the sockets live in `std::net`), so
// parsing here does no I/O.
use core::net::IpAddr;
use std::fmt;

/// A network in CIDR notation whose host bits are zero, e.g. `203.0.113.0/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    address: IpAddr,
    prefix: u8,
}

/// Why a string is not a usable CIDR block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrProblem {
    NoPrefix,
    BadAddress,
    BadPrefix { max: u8 },
    HostBitsSet { network: String },
    Everything,
}

impl CidrProblem {
    /// What is wrong and how to write it instead, in a clause.
    pub fn describe(&self, given: &str) -> String {
        match self {
            CidrProblem::NoPrefix => format!(
                "{given:?} has no prefix length; write {given}/32 for one IPv4 address, {given}/128 for one IPv6 address"
            ),
            CidrProblem::BadAddress => {
                format!("{given:?} does not start with an IPv4 or IPv6 address")
            }
            CidrProblem::BadPrefix { max } => {
                format!("{given:?} has a prefix length that is not a number from 1 to {max}")
            }
            CidrProblem::HostBitsSet { network } => {
                format!("{given:?} has host bits set; write the network address {network}")
            }
            CidrProblem::Everything => format!(
                "{given:?} allows every address, which is no restriction; leave allowed_network_cidrs unset instead"
            ),
        }
    }
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, CidrProblem> {
        let Some((address, prefix)) = text.split_once('/') else {
            return Err(if text.parse::<IpAddr>().is_ok() {
                CidrProblem::NoPrefix
            } else {
                CidrProblem::BadAddress
            });
        };
        let address: IpAddr = address.parse().map_err(|_| CidrProblem::BadAddress)?;
        let max = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        // Digits only: `u8::from_str` would also accept a leading `+`.
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CidrProblem::BadPrefix { max });
        }
        let prefix: u8 = prefix.parse().map_err(|_| CidrProblem::BadPrefix { max })?;
        if prefix > max {
            return Err(CidrProblem::BadPrefix { max });
        }
        if prefix == 0 {
            return Err(CidrProblem::Everything);
        }
        let network = Cidr {
            address: mask(address, prefix),
            prefix,
        };
        if network.address != address {
            return Err(CidrProblem::HostBitsSet {
                network: network.to_string(),
            });
        }
        Ok(network)
    }
}

fn mask(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4) & (u32::MAX << (32 - u32::from(prefix)));
            IpAddr::V4(bits.into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & (u128::MAX << (128 - u32::from(prefix)));
            IpAddr::V6(bits.into())
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.address, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_blocks_parse_and_render_canonically() {
        let cases = [
            ("203.0.113.0/24", "203.0.113.0/24"),
            ("198.51.100.7/32", "198.51.100.7/32"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("128.0.0.0/1", "128.0.0.0/1"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:DB8:0:0::/64", "2001:db8::/64"),
            ("2001:db8::1/128", "2001:db8::1/128"),
        ];
        for (given, canonical) in cases {
            assert_eq!(
                Cidr::parse(given).map(|c| c.to_string()).as_deref(),
                Ok(canonical),
                "{given}"
            );
        }
    }

    #[test]
    fn invalid_blocks_say_why() {
        let cases = [
            ("203.0.113.7", CidrProblem::NoPrefix),
            ("2001:db8::1", CidrProblem::NoPrefix),
            ("example.com/24", CidrProblem::BadAddress),
            ("", CidrProblem::BadAddress),
            ("300.0.0.0/8", CidrProblem::BadAddress),
            ("10.0.0/8", CidrProblem::BadAddress),
            (" 10.0.0.0/8", CidrProblem::BadAddress),
            ("10.0.0.0/33", CidrProblem::BadPrefix { max: 32 }),
            ("10.0.0.0/", CidrProblem::BadPrefix { max: 32 }),
            ("10.0.0.0/+8", CidrProblem::BadPrefix { max: 32 }),
            ("10.0.0.0/-1", CidrProblem::BadPrefix { max: 32 }),
            ("10.0.0.0/8/8", CidrProblem::BadPrefix { max: 32 }),
            ("2001:db8::/129", CidrProblem::BadPrefix { max: 128 }),
            ("10.0.0.0/0", CidrProblem::Everything),
            ("::/0", CidrProblem::Everything),
            (
                "203.0.113.7/24",
                CidrProblem::HostBitsSet {
                    network: "203.0.113.0/24".into(),
                },
            ),
            (
                "2001:db8::1/64",
                CidrProblem::HostBitsSet {
                    network: "2001:db8::/64".into(),
                },
            ),
        ];
        for (given, problem) in cases {
            assert_eq!(Cidr::parse(given), Err(problem.clone()), "{given:?}");
            let text = problem.describe(given);
            assert!(!text.ends_with('.'), "{text}");
            assert!(text.contains(&format!("{given:?}")), "{text}");
            if matches!(
                problem,
                CidrProblem::NoPrefix | CidrProblem::HostBitsSet { .. }
            ) {
                assert!(text.contains("write"), "the fix is spelled out: {text}");
            }
        }
    }
}
