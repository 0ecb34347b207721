//! Pacing under ACE's per-account quotas: calls of one partner are spaced at least
//! 1/rate apart (plus a margin for network jitter), writes and reads separately, so the
//! partner's account never goes over its quota because of cosell.
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::time::{Duration, Instant};

/// Spacing is this much wider than 1/rate, so requests that leave evenly but arrive a little
/// bunched still stay under the quota at ACE.
const MARGIN: f64 = 1.05;

pub struct Pacer {
    write_gap: Duration,
    read_gap: Duration,
    next: Mutex<HashMap<(String, bool), Instant>>,
}

fn gap(rate: f64) -> Duration {
    if rate <= 0.0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(MARGIN / rate)
    }
}

impl Pacer {
    pub fn new(writes_per_second: f64, reads_per_second: f64) -> Pacer {
        Pacer {
            write_gap: gap(writes_per_second),
            read_gap: gap(reads_per_second),
            next: Mutex::new(HashMap::new()),
        }
    }

    pub async fn write(&self, partner_id: &str) {
        self.wait(partner_id, true, self.write_gap).await
    }

    pub async fn read(&self, partner_id: &str) {
        self.wait(partner_id, false, self.read_gap).await
    }

    /// Reserves the partner's next slot and sleeps until it.
    async fn wait(&self, partner_id: &str, write: bool, gap: Duration) {
        if gap.is_zero() {
            return;
        }
        let now = Instant::now();
        let slot = match self.next.lock() {
            Ok(mut next) => {
                let entry = next.entry((partner_id.to_string(), write)).or_insert(now);
                let slot = (*entry).max(now);
                *entry = slot + gap;
                slot
            }
            Err(_) => now,
        };
        tokio::time::sleep_until(slot).await;
    }
}
