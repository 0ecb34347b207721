//! Where webhooks may be sent: public http(s) addresses only, unless the server allows
//! private ones (`COSELL_WEBHOOK_ALLOW_PRIVATE`, for tests and closed networks). A URL is
//! checked when it is saved and its resolved addresses again at each send (DNS can change).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest URL accepted.
pub const URL_MAX: usize = 2048;

/// Parses and checks a webhook URL; the message says what is wrong.
pub fn check(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let url = url.trim();
    if url.len() > URL_MAX {
        return Err(format!("must be at most {URL_MAX} characters"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| "must be an absolute URL".to_string())?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err("must be https".into()),
        _ => return Err("must be an https URL".into()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry credentials; verify the signature instead".into());
    }
    if parsed.fragment().is_some() {
        return Err("must not have a fragment".into());
    }
    if !allow_private {
        match parsed.host() {
            None => return Err("must name a host".into()),
            Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
                return Err("must not be a loopback, private or link-local address".into());
            }
            Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
                return Err("must not be a loopback, private or link-local address".into());
            }
            Some(url::Host::Domain(name)) if is_local_name(name) => {
                return Err("must not name a local host".into());
            }
            _ => {}
        }
    }
    Ok(parsed)
}

fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || [
            ".localhost",
            ".local",
            ".internal",
            ".localdomain",
            ".home.arpa",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || !name.contains('.')
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (CGNAT), documentation, benchmarking, multicast, reserved or unspecified; IPv4 inside IPv6
/// (mapped, NAT64) is judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // 64:ff9b::/96 (NAT64) carries an IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        || segments[..6] == [0, 0, 0, 0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_credentials_and_local_hosts() {
        assert!(check("https://hooks.example.com/cosell", false).is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://localhost/x",
            "https://metadata.google.internal/x",
            "https://intranet/x",
            "https://user:pw@hooks.example.com/x",
            "ftp://hooks.example.com/x",
            "not a url",
        ] {
            assert!(check(bad, false).is_err(), "{bad} accepted");
        }
        assert!(check("http://127.0.0.1:9000/x", true).is_ok());
    }
}
