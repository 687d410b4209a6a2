use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue};

use super::{ProxyConfig, ProxyHeader, client_addr, limit_key, parse_trusted_proxy};

fn config(trusted: &[&str], header: ProxyHeader) -> ProxyConfig {
    ProxyConfig {
        trusted: trusted
            .iter()
            .map(|t| parse_trusted_proxy(t).unwrap())
            .collect(),
        header,
    }
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// (trusted proxies, header kind, peer, headers, expected client)
fn check(
    trusted: &[&str],
    header: ProxyHeader,
    peer: &str,
    sent: &[(&'static str, &str)],
    expected: &str,
) {
    let got = client_addr(ip(peer), &headers(sent), &config(trusted, header));
    assert_eq!(got, ip(expected), "peer {peer}, headers {sent:?}");
}

const XFF: ProxyHeader = ProxyHeader::XForwardedFor;
const FWD: ProxyHeader = ProxyHeader::Forwarded;

#[test]
fn headers_of_untrusted_peers_are_ignored() {
    check(
        &[],
        XFF,
        "203.0.113.9",
        &[("x-forwarded-for", "1.2.3.4")],
        "203.0.113.9",
    );
    check(
        &["10.0.0.0/8"],
        XFF,
        "203.0.113.9",
        &[("x-forwarded-for", "1.2.3.4")],
        "203.0.113.9",
    );
    check(
        &["10.0.0.0/8"],
        FWD,
        "203.0.113.9",
        &[("forwarded", "for=1.2.3.4")],
        "203.0.113.9",
    );
}

#[test]
fn the_rightmost_untrusted_hop_is_the_client() {
    let proxies = ["10.0.0.0/8", "127.0.0.1"];
    check(
        &proxies,
        XFF,
        "127.0.0.1",
        &[("x-forwarded-for", "198.51.100.7")],
        "198.51.100.7",
    );
    // The client wrote a fake first hop; the proxy appended the real address.
    check(
        &proxies,
        XFF,
        "127.0.0.1",
        &[("x-forwarded-for", "6.6.6.6, 198.51.100.7")],
        "198.51.100.7",
    );
    // Two trusted proxies in a row.
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.1")],
        "198.51.100.7",
    );
    // Several headers are one list.
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.7"),
        ],
        "198.51.100.7",
    );
    // Ports and IPv6.
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[("x-forwarded-for", "198.51.100.7:5555")],
        "198.51.100.7",
    );
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[("x-forwarded-for", "[2001:db8::1]:5555")],
        "2001:db8::1",
    );
}

#[test]
fn forwarded_elements_are_read_for_their_for_parameter() {
    let proxies = ["10.0.0.0/8"];
    check(
        &proxies,
        FWD,
        "10.0.0.2",
        &[(
            "forwarded",
            "for=6.6.6.6, for=198.51.100.7;proto=https;by=10.0.0.2",
        )],
        "198.51.100.7",
    );
    check(
        &proxies,
        FWD,
        "10.0.0.2",
        &[("forwarded", r#"proto=https;for="[2001:db8::7]:4711""#)],
        "2001:db8::7",
    );
    // The other header kind is not read.
    check(
        &proxies,
        FWD,
        "10.0.0.2",
        &[("x-forwarded-for", "198.51.100.7")],
        "10.0.0.2",
    );
}

#[test]
fn an_unreadable_hop_stops_the_walk_at_the_last_trusted_proxy() {
    let proxies = ["10.0.0.0/8"];
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[("x-forwarded-for", "198.51.100.7, garbage, 10.0.0.1")],
        "10.0.0.1",
    );
    check(
        &proxies,
        FWD,
        "10.0.0.2",
        &[("forwarded", "for=unknown")],
        "10.0.0.2",
    );
    // Only proxies: the leftmost is as far as the chain goes.
    check(
        &proxies,
        XFF,
        "10.0.0.2",
        &[("x-forwarded-for", "10.0.0.9")],
        "10.0.0.9",
    );
    check(&proxies, XFF, "10.0.0.2", &[], "10.0.0.2");
}

#[test]
fn ipv4_mapped_peers_are_ipv4() {
    check(
        &["127.0.0.1"],
        XFF,
        "::ffff:127.0.0.1",
        &[("x-forwarded-for", "::ffff:198.51.100.7")],
        "198.51.100.7",
    );
}

#[test]
fn ipv6_clients_are_limited_by_their_64() {
    assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
    assert_eq!(limit_key(ip("2001:db8:1:2:ffff::1")), ip("2001:db8:1:2::"));
    assert_ne!(limit_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
    assert_eq!(limit_key(ip("198.51.100.7")), ip("198.51.100.7"));
    assert_eq!(limit_key(ip("::ffff:198.51.100.7")), ip("198.51.100.7"));
}

#[test]
fn trusted_proxies_parse_as_blocks_or_addresses() {
    assert_eq!(
        parse_trusted_proxy("10.1.2.3/8").unwrap().to_string(),
        "10.0.0.0/8"
    );
    assert_eq!(
        parse_trusted_proxy("127.0.0.1").unwrap().to_string(),
        "127.0.0.1/32"
    );
    assert_eq!(parse_trusted_proxy("::1").unwrap().to_string(), "::1/128");
    assert!(parse_trusted_proxy("10.0.0.0/33").is_err());
    assert!(parse_trusted_proxy("proxy.internal").is_err());
}
