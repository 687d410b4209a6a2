use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::*;
use crate::client_addr::parse_trusted_proxy;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

#[test]
fn forwarding_headers_count_only_from_trusted_proxies() {
    let trusted = [parse_trusted_proxy("10.0.0.0/8").unwrap()];
    let check = |peer: &str, pairs: &[(&str, &str)], expected: ClientScheme| {
        let peer: IpAddr = peer.parse().unwrap();
        assert_eq!(
            client_scheme(peer, &headers(pairs), &trusted, None),
            expected,
            "{peer} {pairs:?}"
        );
    };
    use ClientScheme::{Http, Https};
    check("10.1.2.3", &[("x-forwarded-proto", "https")], Https);
    check("10.1.2.3", &[("x-forwarded-proto", "HTTPS")], Https);
    check("::ffff:10.1.2.3", &[("x-forwarded-proto", "https")], Https);
    check("10.1.2.3", &[("x-forwarded-proto", "http")], Http);
    check("10.1.2.3", &[], Http);
    // The nearest proxy's word is the last one.
    check("10.1.2.3", &[("x-forwarded-proto", "https, http")], Http);
    check("10.1.2.3", &[("x-forwarded-proto", "http, https")], Https);
    check(
        "10.1.2.3",
        &[("forwarded", "for=1.2.3.4;proto=https")],
        Https,
    );
    check(
        "10.1.2.3",
        &[("forwarded", "proto=http, for=1.2.3.4;proto=\"https\"")],
        Https,
    );
    check("10.1.2.3", &[("forwarded", "for=1.2.3.4")], Http);
    // Anyone else may say what they like.
    check("203.0.113.7", &[("x-forwarded-proto", "https")], Http);
    check("203.0.113.7", &[("forwarded", "proto=https")], Http);
}

#[test]
fn the_public_url_decides_the_scheme() {
    let https = PublicUrl::parse("https://Engage.Example.com/").unwrap();
    assert_eq!(https.origin(), "https://engage.example.com");
    let peer: IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(
        client_scheme(peer, &HeaderMap::new(), &[], Some(&https)),
        ClientScheme::Https
    );
    let http = PublicUrl::parse("http://localhost:8080").unwrap();
    let proxied = headers(&[("x-forwarded-proto", "https")]);
    let everyone = [parse_trusted_proxy("0.0.0.0/0").unwrap()];
    assert_eq!(
        client_scheme(peer, &proxied, &everyone, Some(&http)),
        ClientScheme::Http
    );
}

#[test]
fn public_urls_and_proxies_are_validated() {
    for good in [
        "https://engage.example.com",
        "http://127.0.0.1:8080/",
        "https://[2001:db8::1]:8443",
    ] {
        assert!(PublicUrl::parse(good).is_ok(), "{good}");
    }
    assert_eq!(
        PublicUrl::parse("https://example.com:443")
            .unwrap()
            .origin(),
        "https://example.com"
    );
    for bad in [
        "example.com",
        "ftp://example.com",
        "https://",
        "https://e.com/console",
    ] {
        assert!(PublicUrl::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        parse_trusted_proxy("10.1.2.3/8").unwrap().to_string(),
        "10.0.0.0/8"
    );
    assert_eq!(
        parse_trusted_proxy("::ffff:10.1.2.3").unwrap().to_string(),
        "10.1.2.3/32"
    );
    assert!(parse_trusted_proxy("ten").is_err());
}

#[test]
fn origins_compare_without_case_or_default_ports() {
    let check = |sent: &str, own: &str, same: bool| {
        assert_eq!(is_own_origin(sent, own), same, "{sent} vs {own}");
    };
    check(
        "https://engage.example.com",
        "https://engage.example.com",
        true,
    );
    check(
        "https://Engage.Example.COM",
        "https://engage.example.com",
        true,
    );
    check(
        "https://engage.example.com:443",
        "https://engage.example.com",
        true,
    );
    check("http://localhost:8080", "http://localhost:8080", true);
    check(
        "http://engage.example.com",
        "https://engage.example.com",
        false,
    );
    check(
        "https://evil.example.com",
        "https://engage.example.com",
        false,
    );
    check(
        "https://engage.example.com.evil.com",
        "https://engage.example.com",
        false,
    );
    check("null", "https://engage.example.com", false);
    check("", "https://engage.example.com", false);
}
