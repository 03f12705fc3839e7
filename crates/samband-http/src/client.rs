//! Whose request this is, for sign-in and rate throttling.

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::net::SocketAddr;

/// The caller's address: the last `X-Forwarded-For` hop when the deployment says a
/// trusted proxy sets it (the last hop is the one that proxy added; earlier ones are
/// the client's to forge), else the direct peer, else `unknown`.
pub fn client_address(headers: &HeaderMap, ext: &Extensions, trust_forwarded: bool) -> String {
    let forwarded = trust_forwarded
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next_back())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    forwarded
        .or_else(|| {
            ext.get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_peer() -> Extensions {
        let mut ext = Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 7], 4000))));
        ext
    }

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn the_peer_unless_a_trusted_proxy_forwards() {
        let h = forwarded("203.0.113.9, 198.51.100.2");
        assert_eq!(client_address(&h, &with_peer(), false), "10.0.0.7");
        assert_eq!(client_address(&h, &with_peer(), true), "198.51.100.2");
        assert_eq!(
            client_address(&forwarded(" , "), &with_peer(), true),
            "10.0.0.7"
        );
        assert_eq!(
            client_address(&HeaderMap::new(), &Extensions::new(), true),
            "unknown"
        );
    }
}
