//! Who the client is, by address: the connection's peer, or — only when that peer is a trusted
//! reverse proxy (`--trusted-proxy CIDR`) — the rightmost hop of `X-Forwarded-For` (or
//! `Forwarded`, RFC 7239) that is not itself a trusted proxy. Headers from anyone else are
//! ignored, so a client cannot choose its own address by sending them.
//!
//! [`ClientAddr`] is put in the request's extensions once, by [`resolve_client_addr`], and every
//! per-address limit reads it through [`crate::limits::client_ip`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// Which header a trusted proxy writes the client's address into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    pub trusted: Vec<IpNet>,
    pub header: ProxyHeader,
}

impl ProxyConfig {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address as every limit sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// A `--trusted-proxy` value: a CIDR block (`10.0.0.0/8`, `fd00::/8`) or a single address.
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = IpNet::from_str(text) {
        return Ok(net.trunc());
    }
    IpAddr::from_str(text)
        .map(|ip| IpNet::from(canonical(ip)))
        .map_err(|_| format!("'{text}' is not an IP address or CIDR block such as 10.0.0.0/8"))
}

/// The client of a request that arrived from `peer` with `headers`.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, config: &ProxyConfig) -> IpAddr {
    let peer = canonical(peer);
    if !config.trusts(peer) {
        return peer;
    }
    // Hops from the client side to the proxy side; the peer is the last hop of all.
    let hops = match config.header {
        ProxyHeader::XForwardedFor => forwarded_for_hops(headers),
        ProxyHeader::Forwarded => forwarded_hops(headers),
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            // A hop that cannot be read was written by whoever is beyond the last trusted
            // proxy: that proxy's own address is the best known client.
            None => return client,
            Some(ip) => {
                client = canonical(*ip);
                if !config.trusts(client) {
                    return client;
                }
            }
        }
    }
    client
}

/// Every `X-Forwarded-For` value in order, split at commas.
fn forwarded_for_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(|hop| parse_hop(hop.trim())).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` of every element of every `Forwarded` header, in order.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text
                .split(',')
                .map(|element| {
                    element
                        .split(';')
                        .filter_map(|pair| pair.trim().split_once('='))
                        .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                        .and_then(|(_, value)| parse_hop(value.trim().trim_matches('"')))
                })
                .collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = IpAddr::from_str(text) {
        return Some(ip);
    }
    if let Ok(socket) = SocketAddr::from_str(text) {
        return Some(socket.ip());
    }
    let bracketed = text.strip_prefix('[')?.split(']').next()?;
    Ipv6Addr::from_str(bracketed).ok().map(IpAddr::V6)
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4 peers)
/// are the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The key under which an address is rate limited: an IPv4 address itself, an IPv6 address's
/// /64 — the least a subscriber is given, so one host cannot become 2^64 clients.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

/// The address of a connection; tests without a socket have the unspecified address.
fn peer(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Middleware: decides the client's address once for the whole request.
pub async fn resolve_client_addr(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_addr(peer(&request), request.headers(), &state.config.proxy);
    request.extensions_mut().insert(ClientAddr(client));
    next.run(request).await
}

#[cfg(test)]
mod tests;
