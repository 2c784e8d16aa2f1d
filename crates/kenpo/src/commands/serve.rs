//! `kenpo serve`: the authenticated HTTP API over the same store and policy as the CLI.

use crate::config::Location;
use anyhow::Result;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Plain HTTP only on a loopback address; elsewhere give TLS files.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// PEM certificate chain (with --tls-key: serve HTTPS with rustls).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Minutes without a request before a session ends.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub idle_minutes: u32,
    /// Seconds without a request before a session ends, instead of --idle-minutes (trials and
    /// the browser tests' expiry check; at least 5).
    #[arg(long, conflicts_with = "idle_minutes", value_parser = clap::value_parser!(u32).range(5..=86_400))]
    pub idle_seconds: Option<u32>,
    /// Hours after login when a session ends whatever happens.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub absolute_hours: u32,
}

pub async fn run(location: &Location, args: ServeArgs) -> Result<()> {
    kenpo_server::init_tracing();
    let listen =
        kenpo_server::tls::Listen { addr: args.listen, tls: args.tls_cert.as_deref().zip(args.tls_key.as_deref()) };
    // Refuse a bad address before opening anything.
    kenpo_server::tls::check(&listen)?;
    let store = location.open().await?;
    let auth = kenpo_app::auth::AuthSettings {
        idle: match args.idle_seconds {
            Some(s) => chrono::Duration::seconds(i64::from(s)),
            None => chrono::Duration::minutes(i64::from(args.idle_minutes)),
        },
        absolute: chrono::Duration::hours(i64::from(args.absolute_hours)),
        ..Default::default()
    };
    let app = Arc::new(kenpo_app::App::new(store)?.with_auth(auth));
    let tls = listen.tls.is_some();
    let state = kenpo_server::ServerState::new(app, tls);
    let router = kenpo_server::router(state);
    kenpo_server::tls::serve(router, listen, |addr| {
        let scheme = if tls { "https" } else { "http" };
        // One line on stdout that scripts wait for; no personal data.
        println!(
            "kenpo serve: {scheme}://{addr}/api/v1 (OpenAPI: {scheme}://{addr}/api/openapi.json; screens: {scheme}://{addr}/)"
        );
    })
    .await
}
