//! `make bench`: how fast the emulator answers on loopback.
//!
//! - `reads`: how many `GET /api/v1/users/{id}` it answers per second; 32 keep-alive clients
//!   hammer one user for a few seconds and only 200s are counted.
//! - `writes`: how many user creates it acknowledges per second under `--data` (each saved and
//!   fsynced before its answer), with an empty data file and with one holding about 4 MB of
//!   state, so that the cost of a write can be seen not to grow with the file.
//! - `abuse`: how long `/_emulator/health` takes on a fresh connection while 2,000 half-open
//!   connections are held, and how long the emulator takes to refuse a 50 MB body and a
//!   100,000-level filter (the timings behind the hardening tests' 50 ms requirement).
//!
//! The emulator runs in this process on its own runtime, rate limiting off so every answer is
//! real. `cargo bench --bench emulator_throughput -- writes` runs one part; no argument runs
//! both.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use okta_emulator::{Emulator, Options, Ready};

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
    if wants("abuse") {
        runtime.block_on(measure_abuse());
    }
}

/// Health probes on fresh connections: (median, slowest) of `probes`.
async fn health_latency(address: &str, admin_token: &str, probes: usize) -> (Duration, Duration) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut times = Vec::new();
    for _ in 0..probes {
        let started = Instant::now();
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("connect");
        let _ = stream.set_nodelay(true);
        let request = format!(
            "GET /_emulator/health HTTP/1.1\r\nHost: e\r\nAuthorization: Bearer {admin_token}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("answer");
        assert!(answer.starts_with(b"HTTP/1.1 200"));
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

/// Sends `head` and then up to `body_bytes` of spaces, and returns the time until the first
/// bytes of the answer arrive.
async fn time_to_answer(address: &str, head: String, body_bytes: usize) -> Duration {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let started = Instant::now();
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        if writer.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < body_bytes {
            if writer.write_all(&chunk).await.is_err() {
                return;
            }
            sent += chunk.len();
        }
    });
    let mut first = [0u8; 12];
    let _ = reader.read_exact(&mut first).await;
    let elapsed = started.elapsed();
    sender.abort();
    elapsed
}

/// The `okta-emulator` binary as a CI job runs it: a process of its own, so that the abusive
/// clients of [`measure_abuse`] do not share its runtime.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn measure_abuse() {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_okta-emulator"))
        .args(["--listen", "127.0.0.1:0", "--log-level", "error"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("okta-emulator starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let _process = Process(child);
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready JSON");
    let text = |name: &str| ready[name].as_str().expect(name).to_string();
    let address = text("url").trim_start_matches("http://").to_string();
    let admin = text("admin_token");
    let token = text("partner_token");
    let show = |label: &str, (median, slowest): (Duration, Duration)| {
        println!(
            "health, {label}: median {:.2} ms, slowest {:.2} ms (20 fresh connections)",
            median.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * 1000.0
        );
    };
    show("idle", health_latency(&address, &admin, 20).await);

    let mut held = Vec::new();
    for index in 0..2000 {
        use tokio::io::AsyncWriteExt as _;
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        if index % 2 == 0 {
            let _ = stream
                .write_all(b"GET /partner/api/v1/users HTTP/1.1\r\nX-Half: ")
                .await;
        }
        held.push(stream);
    }
    show(
        "2,000 half-open connections held",
        health_latency(&address, &admin, 20).await,
    );
    drop(held);

    let fifty_megabytes = 50 * 1024 * 1024;
    let refused = time_to_answer(
        &address,
        format!(
            "POST /partner/api/v1/users HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\nContent-Type: application/json\r\nContent-Length: {fifty_megabytes}\r\n\r\n"
        ),
        fifty_megabytes,
    )
    .await;
    println!(
        "50 MB declared body refused (413) after {:.2} ms",
        refused.as_secs_f64() * 1000.0
    );
    show(
        "after the 50 MB body",
        health_latency(&address, &admin, 20).await,
    );

    let deep = format!(
        "{}status%20eq%20%22ACTIVE%22{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let refused = time_to_answer(
        &address,
        format!(
            "GET /partner/api/v1/users?filter={deep} HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\n\r\n"
        ),
        0,
    )
    .await;
    println!(
        "100,000-level filter refused (431) after {:.2} ms",
        refused.as_secs_f64() * 1000.0
    );
    let shallow = format!(
        "{}status%20eq%20%22ACTIVE%22{}",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    let refused = time_to_answer(
        &address,
        format!(
            "GET /partner/api/v1/users?filter={shallow} HTTP/1.1\r\nHost: e\r\nAuthorization: SSWS {token}\r\n\r\n"
        ),
        0,
    )
    .await;
    println!(
        "3,000-level filter refused (400 E0000031) after {:.2} ms",
        refused.as_secs_f64() * 1000.0
    );
    show(
        "after the filters",
        health_latency(&address, &admin, 20).await,
    );
}

/// A running in-process emulator and the means to stop it.
struct Running {
    ready: Ready,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<Result<(), okta_emulator::EmulatorError>>,
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
