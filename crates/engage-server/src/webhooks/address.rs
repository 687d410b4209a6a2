//! Where a webhook may go: the address ranges it may not reach, the host of a webhook URL
//! (including the numeric spellings the C resolver reads as IPv4), and the check made when an
//! owner sets a URL.
//!
//! A webhook URL is chosen by a site's owner, but it is the server that connects to it: left
//! unchecked, an owner could make the server post into the network it runs in (a database on
//! 10.0.0.5, an admin page on 127.0.0.1, the cloud's metadata service). So every address the
//! worker connects to is checked here first ([`forbidden_range`]), at delivery time, on the
//! very address connected to (`connect.rs`). The check when the URL is set
//! ([`check_webhook_url`]) is for a clear answer to the owner; the guard is the one at delivery,
//! because a name can resolve elsewhere later (DNS rebinding).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use super::DeliverySettings;
use super::connect::Resolver;
use ForbiddenRange as Kind;

/// Why an address is no place to post a webhook to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenRange {
    /// `0.0.0.0/8` ("this network": connecting to it reaches this host), `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`, and the names `localhost` and `*.localhost`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), local-use NAT64 and IPv6 site-local.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT.
    SharedAddressSpace,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// `fc00::/7`.
    UniqueLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// IETF protocol assignments, `240.0.0.0/4`, and deprecated IPv6 forms (IPv4-compatible
    /// `::/96`, Teredo, the discard prefix).
    Reserved,
    /// A cloud's instance metadata service (`169.254.169.254`, `fd00:ec2::254`,
    /// `100.100.100.200`, …): refused even with `--allow-private-webhooks`, since no webhook
    /// receiver lives there and it hands out the machine's credentials.
    CloudMetadata,
}

impl ForbiddenRange {
    /// "a loopback address", for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ForbiddenRange::Unspecified => "an unspecified (\"this network\") address",
            ForbiddenRange::Loopback => "a loopback address",
            ForbiddenRange::Private => "a private-network address",
            ForbiddenRange::SharedAddressSpace => "a carrier-grade NAT (shared) address",
            ForbiddenRange::LinkLocal => "a link-local address",
            ForbiddenRange::UniqueLocal => "a unique-local address",
            ForbiddenRange::Multicast => "a multicast address",
            ForbiddenRange::Broadcast => "the broadcast address",
            ForbiddenRange::Documentation => "a documentation address",
            ForbiddenRange::Benchmarking => "a benchmarking address",
            ForbiddenRange::Reserved => "a reserved or deprecated address",
            ForbiddenRange::CloudMetadata => "a cloud metadata address",
        }
    }
}

/// A range of addresses: its first `len` bits, as IPv6 (`u128`) or IPv4 (`u32`) bits.
struct Range {
    bits: u128,
    len: u8,
    range: ForbiddenRange,
}

const fn v4(octets: [u8; 4], len: u8, range: ForbiddenRange) -> Range {
    let bits = u32::from_be_bytes(octets) as u128;
    Range { bits, len, range }
}

const fn v6(segments: [u16; 8], len: u8, range: ForbiddenRange) -> Range {
    let [a, b, c, d, e, f, g, h] = segments;
    let bits = Ipv6Addr::new(a, b, c, d, e, f, g, h).to_bits();
    Range { bits, len, range }
}

/// The IPv4 ranges, most specific first where they overlap.
const V4_RANGES: &[Range] = &[
    v4([0, 0, 0, 0], 8, Kind::Unspecified),
    v4([10, 0, 0, 0], 8, Kind::Private),
    v4([100, 64, 0, 0], 10, Kind::SharedAddressSpace),
    v4([127, 0, 0, 0], 8, Kind::Loopback),
    v4([169, 254, 0, 0], 16, Kind::LinkLocal),
    v4([172, 16, 0, 0], 12, Kind::Private),
    v4([192, 0, 0, 0], 24, Kind::Reserved),
    v4([192, 0, 2, 0], 24, Kind::Documentation),
    // The deprecated 6to4 relay anycast (RFC 7526).
    v4([192, 88, 99, 0], 24, Kind::Reserved),
    v4([192, 168, 0, 0], 16, Kind::Private),
    v4([198, 18, 0, 0], 15, Kind::Benchmarking),
    v4([198, 51, 100, 0], 24, Kind::Documentation),
    v4([203, 0, 113, 0], 24, Kind::Documentation),
    v4([224, 0, 0, 0], 4, Kind::Multicast),
    v4([255, 255, 255, 255], 32, Kind::Broadcast),
    v4([240, 0, 0, 0], 4, Kind::Reserved),
];

/// The IPv6 ranges, most specific first where they overlap. IPv4-mapped, NAT64 and 6to4
/// addresses are judged by the IPv4 address they carry (see `embedded_v4`) before these.
const V6_RANGES: &[Range] = &[
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, Kind::Unspecified),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, Kind::Loopback),
    // IPv4-compatible (deprecated by RFC 4291) and IPv4-translated (RFC 2765) forms.
    v6([0, 0, 0, 0, 0, 0, 0, 0], 96, Kind::Reserved),
    v6([0, 0, 0, 0, 0xffff, 0, 0, 0], 96, Kind::Reserved),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, Kind::Private),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, Kind::Reserved),
    v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, Kind::Benchmarking),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, Kind::Documentation),
    // Teredo hides an IPv4 address (obfuscated) and is deprecated.
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, Kind::Reserved),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Kind::Documentation),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, Kind::UniqueLocal),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, Kind::LinkLocal),
    // Site-local, deprecated by RFC 3879 but still routed inside some networks.
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Kind::Private),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Kind::Multicast),
];

/// Instance metadata services (AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle: the first;
/// AWS ECS and EKS, Alibaba Cloud, Oracle's older one, AWS over IPv6).
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(169, 254, 170, 23),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
];
const METADATA_V6: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23),
];

/// Why the worker may not connect to `ip`, or `None` when it may. With `allow_private`
/// (`--allow-private-webhooks`) only cloud metadata addresses are refused.
pub fn forbidden_range(ip: IpAddr, allow_private: bool) -> Option<ForbiddenRange> {
    let range = match ip {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => v6_range(v6),
    }?;
    (range == ForbiddenRange::CloudMetadata || !allow_private).then_some(range)
}

fn v4_range(ip: Ipv4Addr) -> Option<ForbiddenRange> {
    if METADATA_V4.contains(&ip) {
        return Some(ForbiddenRange::CloudMetadata);
    }
    first_match(V4_RANGES, ip.to_bits().into(), 32)
}

fn v6_range(ip: Ipv6Addr) -> Option<ForbiddenRange> {
    if METADATA_V6.contains(&ip) {
        return Some(ForbiddenRange::CloudMetadata);
    }
    if let Some(v4) = embedded_v4(ip) {
        return v4_range(v4);
    }
    first_match(V6_RANGES, ip.to_bits(), 128)
}

/// The first of `ranges` whose prefix the `width`-bit `address` begins with.
fn first_match(ranges: &[Range], address: u128, width: u8) -> Option<ForbiddenRange> {
    ranges
        .iter()
        .find(|range| {
            let shift = u32::from(width - range.len);
            address.checked_shr(shift) == range.bits.checked_shr(shift)
        })
        .map(|range| range.range)
}

/// The IPv4 address an IPv6 address leads to: IPv4-mapped `::ffff:a.b.c.d` (an IPv6 socket
/// connects to the IPv4 host), NAT64 `64:ff9b::a.b.c.d` and 6to4 `2002:aabb:ccdd::/48` (a
/// gateway forwards to it).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let octets = ip.octets();
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(
            octets[12], octets[13], octets[14], octets[15],
        ));
    }
    (segments[0] == 0x2002).then(|| Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]))
}

/// The host of a webhook URL, as the worker will reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// An address written in the URL: `[v6]`, or IPv4 in any spelling the C resolver accepts.
    Address(IpAddr),
    /// `localhost` or a name under it: loopback by definition (RFC 6761), whatever DNS says.
    Localhost,
    /// A name to resolve, lowercased and without a trailing dot.
    Name(String),
}

/// Where a webhook URL points: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: Host,
    pub port: u16,
}

/// The longest webhook URL accepted.
const MAX_URL_BYTES: usize = 2048;

impl Target {
    /// The target of `url`, or `None` when it is not an `http://` or `https://` URL with a
    /// host the worker could reach.
    pub fn of_url(url: &str) -> Option<Target> {
        if url.len() > MAX_URL_BYTES {
            return None;
        }
        Target::of_uri(&url.parse::<hyper::Uri>().ok()?)
    }

    /// The target of a parsed URI (what the connector is given).
    pub fn of_uri(uri: &hyper::Uri) -> Option<Target> {
        let https = match uri.scheme_str()? {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let host = parse_host(uri.host()?)?;
        Some(Target { https, host, port })
    }
}

/// Reads a URL's host: a bracketed IPv6 address, a numeric IPv4 spelling, or a DNS name made
/// of letters, digits, `-`, `_` and dots (anything else — percent escapes, zone ids — is
/// refused rather than guessed at).
fn parse_host(host: &str) -> Option<Host> {
    if let Some(inner) = host.strip_prefix('[') {
        let address = inner.strip_suffix(']')?.parse::<Ipv6Addr>().ok()?;
        return Some(Host::Address(IpAddr::V6(address)));
    }
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !valid {
        return None;
    }
    if let Some(address) = inet_aton(&name) {
        return Some(Host::Address(IpAddr::V4(address)));
    }
    if name == "localhost" || name.ends_with(".localhost") {
        return Some(Host::Localhost);
    }
    Some(Host::Name(name))
}

/// IPv4 as the C library's `inet_aton` (and so `getaddrinfo`) reads it: one to four parts,
/// each decimal, octal with a leading `0` or hexadecimal with `0x`, the last filling the bytes
/// left — so `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1. Reading them
/// here makes the check independent of the resolver.
pub fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let parts = text
        .split('.')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            if let Some(hex) = lower.strip_prefix("0x") {
                if hex.is_empty() {
                    return None;
                }
                u32::from_str_radix(hex, 16).ok()
            } else if part.len() > 1 && part.starts_with('0') {
                u32::from_str_radix(&part[1..], 8).ok()
            } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse::<u32>().ok()
            } else {
                None
            }
        })
        .collect::<Option<Vec<u32>>>()?;
    let (last, leading) = parts.split_last()?;
    if leading.len() > 3 || leading.iter().any(|part| *part > 255) {
        return None;
    }
    let last_bits = 8 * (4 - u32::try_from(leading.len()).ok()?);
    if last_bits < 32 && *last >= 1 << last_bits {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |bits, (i, part)| bits | part << (24 - 8 * i));
    Some(Ipv4Addr::from(high | last))
}

/// The addresses `host` stands for: itself, loopback for `localhost`, or what the resolver
/// answers for a name.
pub async fn host_addresses(resolver: &Resolver, host: &Host) -> io::Result<Vec<IpAddr>> {
    match host {
        Host::Address(address) => Ok(vec![*address]),
        Host::Localhost => Ok(vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]),
        Host::Name(name) => resolver.lookup(name).await,
    }
}

/// Why a webhook URL was refused when the owner set it.
#[derive(Debug, thiserror::Error)]
pub enum WebhookUrlError {
    /// Occurs when the URL is not `http://` or `https://` with a usable host.
    #[error("url '{0}' must be an http:// or https:// URL with a host")]
    Invalid(String),
    /// Occurs when the URL's host is, or resolves only to, addresses webhooks may not reach.
    #[error("url '{url}' points at {what}; {rule}")]
    Forbidden {
        url: String,
        what: String,
        rule: &'static str,
    },
}

const PUBLIC_ONLY: &str =
    "webhooks go only to public addresses unless the server runs with --allow-private-webhooks";
const NEVER_METADATA: &str = "webhooks never go to a cloud's metadata service";

/// How long setting a URL waits for its name to resolve.
const SET_TIME_LOOKUP: Duration = Duration::from_secs(5);

/// Checks a URL an owner sets. A literal address must be allowed; a name must resolve to at
/// least one allowed address (a name with some forbidden addresses is accepted, since the
/// worker connects only to the allowed ones). A name that does not resolve now is accepted:
/// DNS may be set up later, and the worker checks every address it connects to anyway.
pub async fn check_webhook_url(
    url: &str,
    settings: &DeliverySettings,
) -> Result<(), WebhookUrlError> {
    let shown = || url.chars().take(64).collect::<String>();
    let target = Target::of_url(url).ok_or_else(|| WebhookUrlError::Invalid(shown()))?;
    let allow_private = settings.allow_private_webhooks;
    let addresses = match &target.host {
        Host::Address(address) => vec![*address],
        host => {
            let lookup = host_addresses(&settings.resolver, host);
            match tokio::time::timeout(SET_TIME_LOOKUP, lookup).await {
                Ok(Ok(addresses)) => addresses,
                _ => return Ok(()),
            }
        }
    };
    let ranges = addresses
        .iter()
        .map(|address| forbidden_range(*address, allow_private))
        .collect::<Option<Vec<ForbiddenRange>>>();
    let Some(ranges) = ranges.filter(|ranges| !ranges.is_empty()) else {
        return Ok(());
    };
    let what = match (&target.host, &ranges[..]) {
        (Host::Address(address), [range]) => format!("{address}, {}", range.describe()),
        (Host::Localhost, _) => "localhost, a loopback address".to_owned(),
        _ if ranges.iter().all(|range| *range == Kind::CloudMetadata) => {
            "a host whose addresses are all cloud metadata addresses".to_owned()
        }
        _ => "a host whose addresses are all loopback, private, link-local or otherwise not \
              public"
            .to_owned(),
    };
    let rule = if ranges.iter().all(|range| *range == Kind::CloudMetadata) {
        NEVER_METADATA
    } else {
        PUBLIC_ONLY
    };
    Err(WebhookUrlError::Forbidden {
        url: shown(),
        what,
        rule,
    })
}
