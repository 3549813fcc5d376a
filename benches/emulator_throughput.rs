//! `make bench`: how many `GET /api/v1/users/{id}` the emulator answers per second on loopback.
//!
//! The emulator runs in this process on its own runtime (rate limiting off, so every answer is a
//! real 200); 32 keep-alive clients hammer one user for a few seconds and only 200s are counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use okta_msp::emulator::{Emulator, Options};

const CLIENTS: usize = 32;
const WARM_UP: Duration = Duration::from_millis(500);
const MEASURE: Duration = Duration::from_secs(3);

fn main() {
    // reqwest is built without a default TLS provider; plain loopback HTTP still needs one set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let per_second = runtime.block_on(measure());
    println!("emulator throughput: {per_second:.0} req/s");
}

async fn measure() -> f64 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let options = Options {
        rate_limit_scale: 0.0,
        ..Options::default()
    };
    let emulator = Emulator::new(listener, options).expect("emulator");
    let ready = emulator.ready().clone();
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(emulator.serve(async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let me: serde_json::Value = client
        .get(format!("{}/api/v1/users/me", ready.partner_url))
        .header("Authorization", format!("SSWS {}", ready.partner_token))
        .send()
        .await
        .expect("GET me")
        .json()
        .await
        .expect("user JSON");
    let url = format!(
        "{}/api/v1/users/{}",
        ready.partner_url,
        me["id"].as_str().expect("user id")
    );
    let authorization = format!("SSWS {}", ready.partner_token);

    let counting = Arc::new(AtomicBool::new(false));
    let running = Arc::new(AtomicBool::new(true));
    let ok = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, authorization) = (client.clone(), url.clone(), authorization.clone());
        let (counting, running, ok) = (counting.clone(), running.clone(), ok.clone());
        workers.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let response = client
                    .get(&url)
                    .header("Authorization", &authorization)
                    .send()
                    .await;
                if let Ok(response) = response {
                    let success = response.status() == 200;
                    let _ = response.bytes().await;
                    if success && counting.load(Ordering::Relaxed) {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(WARM_UP).await;
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(MEASURE).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.await;
    }
    let _ = stop_server.send(());
    let _ = server.await;
    ok.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64()
}
