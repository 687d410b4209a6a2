//! Unit tests of the webhook module's pure parts: the signature, URL targets, the numeric IPv4
//! spellings, the refused address ranges and the failure categories.

use std::net::{IpAddr, Ipv4Addr};

use super::*;

#[test]
fn signatures_follow_the_documented_recipe() {
    // The same value as Python's
    // hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest().
    assert_eq!(
        signature("whsec_test", 1_700_000_000, "{}"),
        "v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
    );
}

#[test]
fn webhook_url_targets() {
    let address = |ip: &str| Host::Address(ip.parse().unwrap());
    let name = |name: &str| Host::Name(name.to_owned());
    for (url, expected) in [
        (
            "https://hooks.example.com/engage",
            Some((true, name("hooks.example.com"), 443)),
        ),
        (
            "http://Hooks.Example.COM.:8080/x",
            Some((false, name("hooks.example.com"), 8080)),
        ),
        (
            "http://127.0.0.1:9000/hook",
            Some((false, address("127.0.0.1"), 9000)),
        ),
        ("http://[::1]/", Some((false, address("::1"), 80))),
        (
            "http://2130706433/",
            Some((false, address("127.0.0.1"), 80)),
        ),
        ("https://localhost/", Some((true, Host::Localhost, 443))),
        (
            "https://api.LOCALHOST./",
            Some((true, Host::Localhost, 443)),
        ),
        (
            "http://user@10.1.2.3/",
            Some((false, address("10.1.2.3"), 80)),
        ),
        ("ftp://example.com/", None),
        ("example.com/hook", None),
        ("https://", None),
        ("http://127.0.0.%31/", None),
        ("http://[fe80::1%25eth0]/", None),
        ("http://[not-v6]/", None),
        ("http://exa mple.com/", None),
        ("http://a..b/", None),
    ] {
        let target = Target::of_url(url);
        let expected = expected.map(|(https, host, port)| Target { https, host, port });
        assert_eq!(target, expected, "{url}");
    }
    let long = format!("https://example.com/{}", "a".repeat(2048));
    assert_eq!(Target::of_url(&long), None);
}

#[test]
fn numeric_ipv4_spellings_are_read_as_the_c_resolver_reads_them() {
    for (text, expected) in [
        ("127.0.0.1", Some([127, 0, 0, 1])),
        ("2130706433", Some([127, 0, 0, 1])),
        ("0x7f000001", Some([127, 0, 0, 1])),
        ("0X7F.1", Some([127, 0, 0, 1])),
        ("0177.0.0.1", Some([127, 0, 0, 1])),
        ("0177.0.0.01", Some([127, 0, 0, 1])),
        ("127.1", Some([127, 0, 0, 1])),
        ("127.0.1", Some([127, 0, 0, 1])),
        ("10.0x10.0403", Some([10, 16, 1, 3])),
        ("0", Some([0, 0, 0, 0])),
        ("4294967295", Some([255, 255, 255, 255])),
        ("4294967296", None),
        ("256.0.0.1", None),
        ("1.2.3.4.5", None),
        ("127.0.0.256", None),
        ("127.1.65536", None),
        ("08.0.0.1", None),
        ("0x", None),
        ("1.2.3.", None),
        ("example.com", None),
        ("1e3", None),
        ("", None),
    ] {
        assert_eq!(inet_aton(text), expected.map(Ipv4Addr::from), "{text}");
    }
}

#[test]
fn forbidden_and_allowed_addresses() {
    use ForbiddenRange::*;
    for (address, expected) in [
        ("0.0.0.0", Some(Unspecified)),
        ("0.1.2.3", Some(Unspecified)),
        ("10.0.0.1", Some(Private)),
        ("10.255.255.255", Some(Private)),
        ("100.64.0.1", Some(SharedAddressSpace)),
        ("100.127.255.254", Some(SharedAddressSpace)),
        ("100.128.0.1", None),
        ("127.0.0.1", Some(Loopback)),
        ("127.255.0.9", Some(Loopback)),
        ("169.254.1.1", Some(LinkLocal)),
        ("172.16.0.1", Some(Private)),
        ("172.31.255.255", Some(Private)),
        ("172.32.0.1", None),
        ("192.0.0.8", Some(Reserved)),
        ("192.0.2.10", Some(Documentation)),
        ("192.88.99.1", Some(Reserved)),
        ("192.168.1.1", Some(Private)),
        ("198.18.0.1", Some(Benchmarking)),
        ("198.19.255.1", Some(Benchmarking)),
        ("198.51.100.7", Some(Documentation)),
        ("203.0.113.7", Some(Documentation)),
        ("224.0.0.251", Some(Multicast)),
        ("239.255.255.250", Some(Multicast)),
        ("240.0.0.1", Some(Reserved)),
        ("255.255.255.255", Some(Broadcast)),
        ("169.254.169.254", Some(CloudMetadata)),
        ("169.254.170.2", Some(CloudMetadata)),
        ("100.100.100.200", Some(CloudMetadata)),
        ("192.0.0.192", Some(CloudMetadata)),
        ("8.8.8.8", None),
        ("93.184.215.14", None),
        ("1.1.1.1", None),
        ("::", Some(Unspecified)),
        ("::1", Some(Loopback)),
        ("::ffff:127.0.0.1", Some(Loopback)),
        ("::ffff:7f00:1", Some(Loopback)),
        ("::ffff:10.0.0.1", Some(Private)),
        ("::ffff:169.254.169.254", Some(CloudMetadata)),
        ("::ffff:0.0.0.0", Some(Unspecified)),
        ("::ffff:8.8.8.8", None),
        ("::127.0.0.1", Some(Reserved)),
        ("::8.8.8.8", Some(Reserved)),
        ("::ffff:0:127.0.0.1", Some(Reserved)),
        ("64:ff9b::127.0.0.1", Some(Loopback)),
        ("64:ff9b::a9fe:a9fe", Some(CloudMetadata)),
        ("64:ff9b::8.8.8.8", None),
        ("64:ff9b:1::1", Some(Private)),
        ("2002:7f00:1::", Some(Loopback)),
        ("2002:c0a8:101::1", Some(Private)),
        ("2002:808:808::1", None),
        ("100::1", Some(Reserved)),
        ("2001::1", Some(Reserved)),
        ("2001:2::1", Some(Benchmarking)),
        ("2001:db8::1", Some(Documentation)),
        ("3fff::1", Some(Documentation)),
        ("fc00::1", Some(UniqueLocal)),
        ("fd12:3456::1", Some(UniqueLocal)),
        ("fd00:ec2::254", Some(CloudMetadata)),
        ("fe80::1", Some(LinkLocal)),
        ("febf::1", Some(LinkLocal)),
        ("fec0::1", Some(Private)),
        ("ff02::1", Some(Multicast)),
        ("2606:4700:4700::1111", None),
        ("2a00:1450:4001::200e", None),
    ] {
        let ip: IpAddr = address.parse().unwrap();
        assert_eq!(forbidden_range(ip, false), expected, "{address}");
        // The flag lifts every refusal but the metadata services'.
        let with_flag = expected.filter(|range| *range == CloudMetadata);
        assert_eq!(
            forbidden_range(ip, true),
            with_flag,
            "{address} with the flag"
        );
    }
}

#[test]
fn only_allowed_addresses_are_connected_to() {
    let addresses: Vec<IpAddr> = ["127.0.0.1", "8.8.8.8", "10.0.0.1", "2606:4700::1"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let allowed: Vec<String> = allowed_addresses(&addresses, 443, false)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(allowed, ["8.8.8.8:443", "[2606:4700::1]:443"]);
    assert_eq!(allowed_addresses(&addresses, 80, true).len(), 4);
    let metadata = ["169.254.169.254".parse().unwrap()];
    assert!(allowed_addresses(&metadata, 80, true).is_empty());
}

#[test]
fn failure_codes_are_stable_and_match_their_json() {
    for failure in Failure::ALL {
        assert_eq!(Failure::from_code(failure.code()), Some(failure));
        assert_eq!(
            serde_json::to_value(failure).unwrap(),
            serde_json::Value::from(failure.code())
        );
    }
    assert_eq!(Failure::from_code("Connection refused"), None);
    assert_eq!(
        Failure::HttpStatus.message(Some(503)),
        "the receiver answered HTTP 503"
    );
}
