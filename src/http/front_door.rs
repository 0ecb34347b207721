//! What a request must get past before it costs the server anything: caps on open connections
//! and on requests in flight per client address, token-bucket rate limits per address and per subject, a cap on
//! concurrent executions per subject (so one tenant cannot hold the whole database pool), and
//! one budget of buffered body bytes for the whole process.
use crate::error::AppError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The settings, each a flag and an environment variable (see `cli.rs`).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deadline of one GraphQL execution (TIMEOUT after it).
    pub request_timeout: Duration,
    /// Deadline for receiving a request body (408 after it).
    pub body_timeout: Duration,
    /// Body bytes buffered by all requests together; past it new bodies get 503.
    pub max_buffered_bytes: usize,
    /// Open connections from one client address; past it new ones are closed at once.
    pub max_connections_per_address: usize,
    /// Requests in flight from one client address; past it 429.
    pub max_in_flight_per_address: usize,
    /// GraphQL executions running at once for one subject; more wait briefly, then 429.
    pub max_concurrent_per_subject: usize,
    /// Sustained requests per second per subject (0: no limit); bursts of five times that.
    pub subject_rate: f64,
    /// Sustained requests per second per client address (0: no limit); bursts of five times.
    pub address_rate: f64,
    /// Reverse proxies whose `X-Forwarded-For` names the client address; their own address
    /// is not limited per connection.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(10),
            max_buffered_bytes: 64 * 1024 * 1024,
            max_connections_per_address: 256,
            max_in_flight_per_address: 64,
            max_concurrent_per_subject: 4,
            subject_rate: 20.0,
            address_rate: 100.0,
            trusted_proxies: Vec::new(),
        }
    }
}

/// A mutation costs this many requests' worth of the subject's bucket.
pub const MUTATION_COST: f64 = 5.0;
/// How long an execution waits for one of its subject's slots before it is refused.
const SLOT_WAIT: Duration = Duration::from_secs(2);
/// Bursts allowed above the sustained rate, in seconds' worth of tokens.
const BURST_SECONDS: f64 = 5.0;
/// Tracked keys beyond which idle entries are swept.
const SWEEP_AT: usize = 10_000;

pub struct FrontDoor {
    pub limits: Limits,
    connections: Counters,
    in_flight: Counters,
    address_buckets: Buckets,
    subject_buckets: Buckets,
    subject_slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    body_bytes: Arc<Semaphore>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps hold counters only; a panic elsewhere leaves them consistent.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FrontDoor {
    pub fn new(limits: Limits) -> Self {
        let bytes = limits.max_buffered_bytes.min(Semaphore::MAX_PERMITS);
        FrontDoor {
            address_buckets: Buckets::new(limits.address_rate),
            subject_buckets: Buckets::new(limits.subject_rate),
            connections: Counters::default(),
            in_flight: Counters::default(),
            subject_slots: Mutex::default(),
            body_bytes: Arc::new(Semaphore::new(bytes)),
            limits,
        }
    }

    /// Counts an open connection from `addr`, or refuses it when the address has too many.
    /// A trusted proxy carries many clients' connections and is not capped.
    pub fn connect(self: &Arc<Self>, addr: IpAddr) -> Option<Counted> {
        let max = if self.limits.trusted_proxies.contains(&addr) {
            usize::MAX
        } else {
            self.limits.max_connections_per_address
        };
        self.connections.enter(addr, max)
    }

    /// The client address of a request: the peer, or, when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that is not one (a client can prepend anything,
    /// so only what trusted proxies appended counts).
    pub fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let trusted = &self.limits.trusted_proxies;
        if !trusted.contains(&peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or_default().rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr;
                    if !trusted.contains(&addr) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }

    /// Counts a request in flight from `addr`, or refuses it when the address has too many.
    pub fn enter(self: &Arc<Self>, addr: IpAddr) -> Option<Counted> {
        self.in_flight
            .enter(addr, self.limits.max_in_flight_per_address)
    }

    pub fn charge_address(&self, addr: IpAddr) -> Result<(), AppError> {
        self.address_buckets.take(&addr.to_string(), 1.0)
    }

    pub fn charge_subject(&self, subject: &str, cost: f64) -> Result<(), AppError> {
        self.subject_buckets.take(subject, cost)
    }

    /// One of the subject's execution slots, waiting up to two seconds for one.
    pub async fn subject_slot(&self, subject: &str) -> Result<OwnedSemaphorePermit, AppError> {
        let semaphore = {
            let mut map = lock(&self.subject_slots);
            if map.len() >= SWEEP_AT {
                map.retain(|_, s| Arc::strong_count(s) > 1);
            }
            map.entry(subject.to_string())
                .or_insert_with(|| {
                    Arc::new(Semaphore::new(
                        self.limits.max_concurrent_per_subject.max(1),
                    ))
                })
                .clone()
        };
        match tokio::time::timeout(SLOT_WAIT, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::RateLimited {
                retry_after_seconds: 1,
            }),
        }
    }

    /// Room for `bytes` more body bytes in the process-wide budget, if there is any.
    pub fn buffer(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        let bytes = u32::try_from(bytes).ok()?;
        self.body_bytes.clone().try_acquire_many_owned(bytes).ok()
    }
}

/// Counts per client address, of connections or of requests.
#[derive(Clone, Default)]
struct Counters(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl Counters {
    fn enter(&self, addr: IpAddr, max: usize) -> Option<Counted> {
        let mut map = lock(&self.0);
        let count = map.entry(addr).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Counted {
            counters: self.clone(),
            addr,
        })
    }
}

/// One connection or request counted for its address; uncounted when dropped.
pub struct Counted {
    counters: Counters,
    addr: IpAddr,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut map = lock(&self.counters.0);
        if let Some(count) = map.get_mut(&self.addr) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.addr);
            }
        }
    }
}

/// Token buckets by key: `rate` tokens a second, up to `BURST_SECONDS` seconds' worth and
/// never less than one mutation's cost (else no mutation could ever pass).
struct Buckets {
    rate: f64,
    burst: f64,
    map: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Buckets {
    fn new(rate: f64) -> Self {
        Buckets {
            rate,
            burst: (rate * BURST_SECONDS).max(MUTATION_COST),
            map: Mutex::default(),
        }
    }

    fn take(&self, key: &str, cost: f64) -> Result<(), AppError> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let burst = self.burst;
        let now = Instant::now();
        let refill = |b: &Bucket| (b.tokens + (now - b.at).as_secs_f64() * self.rate).min(burst);
        let mut map = lock(&self.map);
        if map.len() >= SWEEP_AT {
            map.retain(|_, b| refill(b) < burst);
        }
        let bucket = map.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens = refill(bucket);
        bucket.at = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            let wait = (cost - bucket.tokens) / self.rate;
            Err(AppError::RateLimited {
                retry_after_seconds: wait.ceil().max(1.0) as u64,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn door(limits: Limits) -> FrontDoor {
        FrontDoor::new(limits)
    }

    #[test]
    fn a_bucket_holds_its_burst_and_names_the_wait() {
        let buckets = Buckets::new(1.0);
        for _ in 0..5 {
            assert!(buckets.take("a", 1.0).is_ok());
        }
        match buckets.take("a", 1.0) {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert_eq!(retry_after_seconds, 1),
            other => panic!("{other:?}"),
        }
        assert!(
            buckets.take("b", 1.0).is_ok(),
            "keys have their own buckets"
        );
    }

    #[test]
    fn a_slow_rate_still_admits_one_mutation() {
        let buckets = Buckets::new(0.1);
        assert!(buckets.take("a", 1.0).is_ok());
        assert!(buckets.take("a", MUTATION_COST - 1.0).is_ok());
        assert!(buckets.take("a", 1.0).is_err());
    }

    #[test]
    fn a_zero_rate_is_no_limit() {
        let buckets = Buckets::new(0.0);
        assert!((0..1000).all(|_| buckets.take("a", MUTATION_COST).is_ok()));
    }

    #[test]
    fn counts_are_released_when_dropped() {
        let door = Arc::new(door(Limits {
            max_in_flight_per_address: 2,
            ..Limits::default()
        }));
        let addr: IpAddr = "192.0.2.1".parse().unwrap();
        let a = door.enter(addr).unwrap();
        let _b = door.enter(addr).unwrap();
        assert!(door.enter(addr).is_none());
        drop(a);
        assert!(door.enter(addr).is_some());
    }

    #[test]
    fn only_trusted_proxies_name_the_client() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let inner: IpAddr = "10.0.0.2".parse().unwrap();
        let door = door(Limits {
            trusted_proxies: vec![proxy, inner],
            ..Limits::default()
        });
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(door.client_address(stranger, Some("203.0.113.7")), stranger);
        assert_eq!(door.client_address(proxy, Some("203.0.113.7")), client);
        assert_eq!(
            door.client_address(proxy, Some("1.2.3.4, 203.0.113.7, 10.0.0.2")),
            client
        );
        assert_eq!(door.client_address(proxy, None), proxy);
        assert_eq!(door.client_address(proxy, Some("not an address")), proxy);
    }
}
