//! Whether a request reached the server over https, and what the server's own origin is: the
//! two facts the owner console's cookie (`__Host-` and `Secure` behind https) and its `Origin`
//! check need.
//!
//! A request is https when the operator said so (`--public-url https://…`), or when it came
//! from a trusted reverse proxy (`--trusted-proxy CIDR`) that says `X-Forwarded-Proto: https`
//! (or `Forwarded: proto=https`). Anyone else's forwarding headers are ignored, so a client
//! cannot talk the server into believing its connection is secure.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ipnet::IpNet;

use crate::client_addr::canonical;

/// How the client reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientScheme {
    Http,
    Https,
}

impl ClientScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientScheme::Http => "http",
            ClientScheme::Https => "https",
        }
    }
}

/// The address browsers use to reach the server (`--public-url`), as an origin:
/// `scheme://host[:port]`, lowercase, default port left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    origin: String,
    scheme: ClientScheme,
}

impl PublicUrl {
    /// Reads `https://engage.example.com` (a trailing `/` is allowed; a path is not, because
    /// the console and the API are served at the root).
    pub fn parse(text: &str) -> Result<PublicUrl, String> {
        let bad = || {
            format!(
                "public url '{text}' must look like https://engage.example.com \
                 (scheme, host and optional port, no path)"
            )
        };
        let trimmed = text.trim();
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let (scheme, authority) = trimmed.split_once("://").ok_or_else(bad)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => ClientScheme::Http,
            "https" => ClientScheme::Https,
            _ => return Err(bad()),
        };
        let host_ok = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(bad());
        }
        Ok(PublicUrl {
            origin: origin_of(scheme, authority),
            scheme,
        })
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn scheme(&self) -> ClientScheme {
        self.scheme
    }
}

/// How a request that arrived from `peer` with `headers` reached the server.
pub fn client_scheme(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted_proxies: &[IpNet],
    public_url: Option<&PublicUrl>,
) -> ClientScheme {
    if let Some(public) = public_url {
        return public.scheme();
    }
    let peer = canonical(peer);
    if !trusted_proxies.iter().any(|net| net.contains(&peer)) {
        return ClientScheme::Http;
    }
    match forwarded_proto(headers).as_deref() {
        Some(proto) if proto.eq_ignore_ascii_case("https") => ClientScheme::Https,
        _ => ClientScheme::Http,
    }
}

/// The scheme the nearest proxy reports: the last value of the last `X-Forwarded-Proto`, else
/// the `proto=` of the last `Forwarded` element. The last, because a proxy that appends puts
/// its own word after whatever the client sent.
fn forwarded_proto(headers: &HeaderMap) -> Option<String> {
    let last_value = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.rsplit(',').next())
            .map(|last| last.trim().to_owned())
    };
    if let Some(proto) = last_value("x-forwarded-proto") {
        return Some(proto);
    }
    last_value("forwarded")?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("proto"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}

/// The scheme of a request as the handlers see it.
pub fn request_scheme(
    parts: &Parts,
    trusted_proxies: &[IpNet],
    public_url: Option<&PublicUrl>,
) -> ClientScheme {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    client_scheme(peer, &parts.headers, trusted_proxies, public_url)
}

/// The server's own origin for a request: `--public-url` when given, else the scheme and the
/// `Host` the request was sent to (`None` without a host).
pub fn own_origin(
    parts: &Parts,
    scheme: ClientScheme,
    public_url: Option<&PublicUrl>,
) -> Option<String> {
    if let Some(public) = public_url {
        return Some(public.origin().to_owned());
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))?;
    Some(origin_of(scheme, host.trim()))
}

/// Whether the `Origin` a browser sent is `own` (both compared lowercase, default ports
/// left out).
pub fn is_own_origin(sent: &str, own: &str) -> bool {
    let Some((scheme, authority)) = sent.trim().split_once("://") else {
        return false;
    };
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => ClientScheme::Http,
        "https" => ClientScheme::Https,
        _ => return false,
    };
    origin_of(scheme, authority) == own
}

fn origin_of(scheme: ClientScheme, authority: &str) -> String {
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme {
        ClientScheme::Http => ":80",
        ClientScheme::Https => ":443",
    };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    format!("{}://{authority}", scheme.as_str())
}

#[cfg(test)]
mod tests;
