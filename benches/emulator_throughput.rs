//! `make bench`: how fast the emulator answers on loopback.
//!
//! - `reads`: how many `GET /api/v1/users/{id}` it answers per second; 32 keep-alive clients
//!   hammer one user for a few seconds and only 200s are counted.
//! - `writes`: how many user creates it acknowledges per second under `--data` (each saved and
//!   fsynced before its answer), with an empty data file and with one holding about 4 MB of
//!   state, so that the cost of a write can be seen not to grow with the file.
//!
//! The emulator runs in this process on its own runtime, rate limiting off so every answer is
//! real. `cargo bench --bench emulator_throughput -- writes` runs one part; no argument runs
//! both.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use okta_msp::emulator::{Emulator, Options, Ready};

const CLIENTS: usize = 32;
const WARM_UP: Duration = Duration::from_millis(500);
const MEASURE: Duration = Duration::from_secs(3);
/// Concurrent writers: enough that the emulator can group their saves, as a CI job's parallel
/// Terraform applies would.
const WRITERS: usize = 8;
/// The state the larger data file holds.
const LARGE_STATE_BYTES: u64 = 4 * 1024 * 1024;

fn main() {
    // reqwest is built without a default TLS provider; plain loopback HTTP still needs one set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let parts: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with('-'))
        .collect();
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    if wants("reads") {
        let per_second = runtime.block_on(measure());
        println!("emulator throughput: {per_second:.0} req/s");
    }
    if wants("writes") {
        runtime.block_on(measure_writes());
    }
}

/// A running in-process emulator and the means to stop it.
struct Running {
    ready: Ready,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<Result<(), okta_msp::emulator::EmulatorError>>,
}

impl Running {
    async fn start(data_file: Option<PathBuf>) -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let options = Options {
            rate_limit_scale: 0.0,
            data_file,
            ..Options::default()
        };
        let emulator = Emulator::new(listener, options).expect("emulator");
        let ready = emulator.ready().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(emulator.serve(async move {
            let _ = stopped.await;
        }));
        Running {
            ready,
            stop,
            server,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

async fn measure_writes() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let empty = directory.path().join("empty.json");
    let (rate, _) = writes_per_second(&empty, MEASURE).await;
    println!("acknowledged writes, empty data file: {rate:.0} writes/s");

    // Fill a second file until the state it holds (measured after a restart, which leaves the
    // file holding exactly the state) reaches the target.
    let large = directory.path().join("large.json");
    let prefill_started = Instant::now();
    let mut created = 0;
    loop {
        let size = std::fs::metadata(&large).map(|m| m.len()).unwrap_or(0);
        if size >= LARGE_STATE_BYTES {
            break;
        }
        let (_, count) = writes_per_second(&large, Duration::from_secs(2)).await;
        created += count;
        if prefill_started.elapsed() > Duration::from_secs(600) {
            println!("prefill gave up after {created} users at {size} bytes");
            return;
        }
        // Restarting compacts the file; its size is then the state's.
        let running = Running::start(Some(large.clone())).await;
        running.stop().await;
    }
    let size = std::fs::metadata(&large).map(|m| m.len()).unwrap_or(0);
    println!(
        "prefilled {created} users ({size} bytes of state) in {:.1} s",
        prefill_started.elapsed().as_secs_f64()
    );
    let (rate, _) = writes_per_second(&large, MEASURE).await;
    println!("acknowledged writes, {size}-byte data file: {rate:.0} writes/s");
}

/// Starts an emulator on `data_file`, has [`WRITERS`] clients create users for `duration` after a
/// warm-up, and returns the acknowledged creates per second and how many were acknowledged in
/// all (warm-up included).
async fn writes_per_second(data_file: &Path, duration: Duration) -> (f64, u64) {
    let running = Running::start(Some(data_file.to_path_buf())).await;
    let url = format!("{}/api/v1/users?activate=false", running.ready.partner_url);
    let authorization = format!("SSWS {}", running.ready.partner_token);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(WRITERS)
        .build()
        .expect("client");
    let counting = Arc::new(AtomicBool::new(false));
    let running_flag = Arc::new(AtomicBool::new(true));
    let counted = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for writer in 0..WRITERS {
        let (client, url, authorization) = (client.clone(), url.clone(), authorization.clone());
        let (counting, running_flag) = (counting.clone(), running_flag.clone());
        let (counted, total) = (counted.clone(), total.clone());
        let prefix = format!("{}-{writer}", random_suffix());
        workers.push(tokio::spawn(async move {
            let mut index = 0u64;
            while running_flag.load(Ordering::Relaxed) {
                index += 1;
                let login = format!("svc-{prefix}-{index}@bench.example.com");
                let body = serde_json::json!({
                    "profile": {
                        "firstName": "Bench",
                        "lastName": "Writer",
                        "login": login,
                        "email": login,
                    }
                });
                let response = client
                    .post(&url)
                    .header("Authorization", &authorization)
                    .header("Content-Type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await;
                if let Ok(response) = response {
                    let success = response.status() == 200;
                    let _ = response.bytes().await;
                    if success {
                        total.fetch_add(1, Ordering::Relaxed);
                        if counting.load(Ordering::Relaxed) {
                            counted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(WARM_UP).await;
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    running_flag.store(false, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.await;
    }
    running.stop().await;
    (
        counted.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        total.load(Ordering::Relaxed),
    )
}

/// A few random characters, so that logins from separate runs on the same file never collide.
fn random_suffix() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    format!("{:x}", hasher.finish())
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
