//! `kenpo bench http`: the audited member read and member search through `kenpo serve`'s
//! router at 1, 8 and 64 connections (an in-repo load generator: one HTTP/1.1 keep-alive
//! connection per client, on loopback), beside the store-level audited read (`Store::person`)
//! at the same concurrency in the same run, on SQLite and PostgreSQL.

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use kenpo_store::{AccessContext, Actor, PersonId, PurposeId};
use std::sync::Arc;
use std::time::Instant;

const PURPOSE: &str = "eligibility.management";

struct Figures {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn figures(mut latencies: Vec<f64>, secs: f64) -> Figures {
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize] * 1000.0;
    Figures { rate: latencies.len() as f64 / secs, p50_ms: at(0.5), p99_ms: at(0.99) }
}

pub async fn bench_http(requests: usize, postgres: Option<String>, dir: &std::path::Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let out = dir.join("synthetic");
    crate::generate(1_000, 1, &out, true)?;
    let (targets, pg) = crate::bench::bench_targets(dir, postgres, "kenpo_bench_http").await?;
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let reader = AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse(PURPOSE)?);
    println!("audited member read = GET /api/v1/members/{{id}} (session, policy, masks, audit entry, JSON)");
    println!("member search       = GET /api/v1/members?kana=… (identity over the population, ≤100 hits)");
    println!("store-level read    = Store::person in process (the baseline: policy, SQL, audit entry)");
    for (name, location) in &targets {
        location.init().await?;
        let store = location.open().await?;
        crate::import_roster(&store, &officer, &out.join("roster.csv")).await?;
        let app = Arc::new(kenpo_app::App::new(store)?);
        // A session minted in process: the benchmark measures reads, not argon2 logins.
        let principal = kenpo_app::auth::Principal {
            account_id: 0,
            login: "bench".into(),
            display_name: "bench".into(),
            actor: reader.actor().clone(),
        };
        let (token, _) = app.sessions.start(principal, chrono::Utc::now());
        let state = kenpo_server::ServerState::new(app.clone(), false);
        let router = kenpo_server::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(kenpo_server::serve_on(listener, router));
        let ids: Arc<Vec<i64>> = Arc::new((1..=1_500).collect());
        for clients in [1usize, 8, 64] {
            let per_client = (requests / clients).max(1);
            // Store level, same concurrency.
            let started = Instant::now();
            let mut tasks = Vec::new();
            for c in 0..clients {
                let (app, ids, reader) = (app.clone(), ids.clone(), reader.clone());
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(per_client);
                    for i in 0..per_client {
                        let id = ids[(c * 7919 + i) % ids.len()];
                        let t = Instant::now();
                        let _ = app.store().person(&reader, PersonId(id)).await;
                        lat.push(t.elapsed().as_secs_f64());
                    }
                    lat
                }));
            }
            let mut lat = Vec::new();
            for t in tasks {
                lat.extend(t.await?);
            }
            let store_level = figures(lat, started.elapsed().as_secs_f64());
            let read = load(addr, &token, clients, per_client, &ids, |id| format!("/api/v1/members/{id}")).await?;
            const KANA: [&str; 5] = ["%E3%82%A2", "%E3%82%AB", "%E3%82%B5", "%E3%82%BF", "%E3%83%8A"];
            let search = load(addr, &token, clients, per_client, &ids, |id| {
                format!("/api/v1/members?kana={}", KANA[(id as usize) % KANA.len()])
            })
            .await?;
            println!(
                "{name:<8} {clients:>2} conn: store-level {:>6.0}/s p99 {:>6.2} ms | API read {:>6.0}/s p50 {:>6.2} ms p99 {:>6.2} ms ({:.2}× store) | API search {:>6.0}/s p50 {:>6.2} ms p99 {:>6.2} ms",
                store_level.rate,
                store_level.p99_ms,
                read.rate,
                read.p50_ms,
                read.p99_ms,
                read.rate / store_level.rate,
                search.rate,
                search.p50_ms,
                search.p99_ms
            );
        }
        server.abort();
        let _ = server.await;
        drop(app);
    }
    if let Some(db) = pg {
        db.drop_database().await?;
    }
    Ok(())
}

/// `clients` connections, each sending `per_client` GETs one after another.
async fn load(
    addr: std::net::SocketAddr,
    token: &str,
    clients: usize,
    per_client: usize,
    ids: &Arc<Vec<i64>>,
    path: impl Fn(i64) -> String + Send + Sync + Clone + 'static,
) -> Result<Figures> {
    let cookie = format!("{}={token}", kenpo_server::SESSION_COOKIE);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (ids, cookie, path) = (ids.clone(), cookie.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut lat = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let id = ids[(c * 7919 + i) % ids.len()];
                let req = hyper::Request::get(path(id))
                    .header("host", "127.0.0.1")
                    .header("cookie", &cookie)
                    .header(kenpo_server::PURPOSE_HEADER, PURPOSE)
                    .body(Empty::<Bytes>::new())?;
                let t = Instant::now();
                let res = sender.send_request(req).await?;
                let status = res.status();
                let _ = res.into_body().collect().await?;
                lat.push(t.elapsed().as_secs_f64());
                if !(status.is_success() || status == hyper::StatusCode::NOT_FOUND) {
                    bail!("the benchmark's request was answered {status}");
                }
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.context("load client")??);
    }
    Ok(figures(lat, started.elapsed().as_secs_f64()))
}
