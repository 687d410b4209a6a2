//! The worker's only way to the network: a connector for hyper-util's client that resolves the
//! URL's host, drops every address [`forbidden_range`] refuses, and opens a TCP connection to an
//! allowed one. Checking here — on the address actually connected to, at the moment of
//! connecting — is what stops DNS rebinding: a name that resolved to a public address when the
//! owner set it and to 127.0.0.1 now is never connected to. TLS (hyper-rustls) runs on top of
//! the connection this returns, so `https://` is checked the same way.
//!
//! The resolver is the seam: the system's by default, a fixed map in tests, so a test can make
//! a name resolve anywhere while the connection stays a real TCP connection.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::Failure;
use super::address::{Target, forbidden_range, host_addresses};

type Lookup = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Looks up the addresses of a host name.
#[derive(Clone)]
pub struct Resolver(Arc<dyn Fn(&str) -> Lookup + Send + Sync>);

impl Resolver {
    /// The operating system's resolver (`getaddrinfo`, on a blocking thread).
    pub fn system() -> Resolver {
        Resolver(Arc::new(|name: &str| {
            let name = name.to_owned();
            Box::pin(async move {
                let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
                Ok(found.map(|address| address.ip()).collect())
            })
        }))
    }

    /// A resolver that answers with `lookup` (tests: a name mapped to addresses).
    pub fn from_fn(
        lookup: impl Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync + 'static,
    ) -> Resolver {
        Resolver(Arc::new(move |name: &str| {
            let found = lookup(name);
            Box::pin(async move { found })
        }))
    }

    /// The addresses of `name`.
    pub async fn lookup(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        (self.0)(name).await
    }
}

impl Default for Resolver {
    fn default() -> Resolver {
        Resolver::system()
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Resolver(..)")
    }
}

/// Why the connector made no connection. The texts are for the server's log; the delivery log
/// shows only the [`Failure`] category.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Occurs when the URI has no scheme or host the worker can use.
    #[error("the webhook URL has no usable host")]
    InvalidUrl,
    /// Occurs when the name does not resolve, or resolves to nothing.
    #[error("cannot resolve the host: {0}")]
    Dns(io::Error),
    /// Occurs when every address of the host is one webhooks may not reach.
    #[error("every address of the host is forbidden: {0:?}")]
    Forbidden(Vec<IpAddr>),
    /// Occurs when no allowed address accepts a connection.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        address: SocketAddr,
        source: io::Error,
    },
}

impl ConnectError {
    /// The category the delivery log shows.
    pub fn failure(&self) -> Failure {
        match self {
            ConnectError::InvalidUrl => Failure::InvalidUrl,
            ConnectError::Dns(_) => Failure::Dns,
            ConnectError::Forbidden(_) => Failure::ForbiddenAddress,
            ConnectError::Connect { .. } => Failure::Connect,
        }
    }
}

/// The allowed addresses of `addresses`, in the resolver's order, on `port`.
pub fn allowed_addresses(addresses: &[IpAddr], port: u16, allow_private: bool) -> Vec<SocketAddr> {
    addresses
        .iter()
        .filter(|address| forbidden_range(**address, allow_private).is_none())
        .map(|address| SocketAddr::new(*address, port))
        .collect()
}

/// The connector: a `tower::Service<Uri>` for hyper-util's client.
#[derive(Debug, Clone)]
pub struct GuardedConnector {
    pub resolver: Resolver,
    pub allow_private: bool,
}

impl GuardedConnector {
    async fn connect(self, uri: Uri) -> Result<TokioIo<TcpStream>, ConnectError> {
        let target = Target::of_uri(&uri).ok_or(ConnectError::InvalidUrl)?;
        let addresses = host_addresses(&self.resolver, &target.host)
            .await
            .map_err(ConnectError::Dns)?;
        if addresses.is_empty() {
            return Err(ConnectError::Dns(io::Error::new(
                io::ErrorKind::NotFound,
                "the name has no addresses",
            )));
        }
        let allowed = allowed_addresses(&addresses, target.port, self.allow_private);
        let mut failed = None;
        // Each allowed address in turn, as the resolver ordered them; never one it filtered out.
        for address in allowed {
            match TcpStream::connect(address).await {
                Ok(stream) => {
                    // Small signed requests: send them at once.
                    let _ = stream.set_nodelay(true);
                    return Ok(TokioIo::new(stream));
                }
                Err(source) => failed = Some(ConnectError::Connect { address, source }),
            }
        }
        Err(failed.unwrap_or(ConnectError::Forbidden(addresses)))
    }
}

impl tower::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ConnectError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ConnectError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(self.clone().connect(uri))
    }
}
