//! Serving: TLS with rustls (`--tls-cert/--tls-key`), or plain HTTP on a loopback address only.

use anyhow::{Context, Result, bail};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls;

/// Where and how to listen.
pub struct Listen<'a> {
    pub addr: SocketAddr,
    pub tls: Option<(&'a Path, &'a Path)>,
}

/// Refuses plain HTTP off loopback: session cookies and personal data must not cross a network
/// in the clear.
pub fn check(listen: &Listen<'_>) -> Result<()> {
    if listen.tls.is_none() && !listen.addr.ip().is_loopback() {
        bail!(
            "plain HTTP is served on a loopback address only: give --tls-cert and --tls-key to listen on {}",
            listen.addr
        );
    }
    Ok(())
}

pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", cert.display()))?;
    if certs.is_empty() {
        bail!("{}: no certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    // ring, not aws-lc-rs: the latter is a large C build on every CI run. rustls marks ring's
    // provider deprecated for lacking post-quantum key exchange; X25519 and the TLS 1.3 suites
    // it has are what browsers negotiate today.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not fit together")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `router` until the process ends. `ready` is told the bound address (port 0 picks one).
pub async fn serve(router: axum::Router, listen: Listen<'_>, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    check(&listen)?;
    let listener =
        tokio::net::TcpListener::bind(listen.addr).await.with_context(|| format!("listening on {}", listen.addr))?;
    let bound = listener.local_addr()?;
    match listen.tls {
        None => {
            ready(bound);
            axum::serve(listener, router).await?;
        }
        Some((cert, key)) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(cert, key)?));
            ready(bound);
            loop {
                let (stream, _) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let service = TowerToHyperService::new(router.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else { return };
                    let _ =
                        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
                });
            }
        }
    }
    Ok(())
}
