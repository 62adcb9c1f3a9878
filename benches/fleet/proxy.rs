//! A latency-injecting TCP proxy (this machine's kernel has no netem): one
//! listener per node on 127.0.0.1, each byte forwarded after a fixed one-way
//! delay in each direction (so a round trip costs 2 × delay), order kept and
//! pipelining kept (a chunk read at t is written at t + delay, whatever is
//! still in flight).
//!
//! It counts round trips: per connection, the client→server "bursts", a burst
//! being client data that follows a server answer (or the start of the
//! connection). Connection set-up (startup, SCRAM's messages) is counted with
//! the queries, as it costs the same on a real network.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    bursts: AtomicU64,
}

/// Proxies for a set of nodes, on their own tokio runtime (two worker
/// threads), for the life of the value.
pub(crate) struct Proxies {
    rt: tokio::runtime::Runtime,
    /// The local port of each node's proxy, in the order of `upstreams`.
    pub(crate) ports: Vec<u16>,
    delay_us: Arc<AtomicU64>,
    counters: Arc<Counters>,
}

/// What the proxies saw since the last `take`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Seen {
    pub(crate) connections: u64,
    pub(crate) round_trips: u64,
}

impl Proxies {
    pub(crate) fn start(upstreams: &[(String, u16)]) -> Proxies {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let delay_us = Arc::new(AtomicU64::new(0));
        let counters = Arc::new(Counters::default());
        let mut ports = Vec::new();
        for (host, port) in upstreams {
            let listener = rt
                .block_on(TcpListener::bind(("127.0.0.1", 0)))
                .expect("proxy bind");
            ports.push(listener.local_addr().expect("proxy addr").port());
            let upstream = format!("{host}:{port}");
            let delay_us = delay_us.clone();
            let counters = counters.clone();
            rt.spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let delay = Duration::from_micros(delay_us.load(Ordering::Relaxed));
                    counters.connections.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(serve(client, upstream.clone(), delay, counters.clone()));
                }
            });
        }
        Proxies {
            rt,
            ports,
            delay_us,
            counters,
        }
    }

    /// One-way delay of the connections accepted from now on.
    pub(crate) fn set_delay(&self, one_way: Duration) {
        self.delay_us
            .store(one_way.as_micros() as u64, Ordering::Relaxed);
    }

    pub(crate) fn take(&self) -> Seen {
        Seen {
            connections: self.counters.connections.swap(0, Ordering::Relaxed),
            round_trips: self.counters.bursts.swap(0, Ordering::Relaxed),
        }
    }
}

/// Who sent last on a connection.
const NOBODY: u8 = 0;
const CLIENT: u8 = 1;
const SERVER: u8 = 2;

async fn serve(client: TcpStream, upstream: String, delay: Duration, counters: Arc<Counters>) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let last = Arc::new(AtomicU8::new(NOBODY));
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, delay, {
        let last = last.clone();
        let counters = counters.clone();
        move || {
            if last.swap(CLIENT, Ordering::Relaxed) != CLIENT {
                counters.bursts.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let down = pump(sr, cw, delay, move || {
        last.store(SERVER, Ordering::Relaxed);
    });
    let _ = tokio::join!(up, down);
}

/// Copies `from` to `to`, each chunk written `delay` after it was read;
/// `seen` runs for every chunk read. EOF is passed on (after the delay).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    seen: impl Fn() + Send + 'static,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((at, data)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&data).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                seen();
                let at = tokio::time::Instant::now() + delay;
                if tx.send((at, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
