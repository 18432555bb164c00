//! The mock's real rate limiting: a per-second window and a monthly quota, advertised in headers.

use std::time::{Duration, Instant};

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Admitted; `remaining` requests are left in this second's window.
    Ok { remaining: u32, reset: u64 },
    /// The per-second window is spent: 429 with Retry-After.
    TooMany { retry_after: u64 },
    /// The monthly quota is spent: 402.
    QuotaExhausted,
}

/// A fixed one-second window plus a monthly counter.
#[derive(Debug)]
pub struct Limiter {
    pub per_second: u32,
    pub monthly_quota: u32,
    window_start: Instant,
    in_window: u32,
    this_month: u32,
}

impl Limiter {
    /// A limiter whose first window opens at `start`.
    pub fn new(per_second: u32, monthly_quota: u32, start: Instant) -> Self {
        Limiter {
            per_second,
            monthly_quota,
            window_start: start,
            in_window: 0,
            this_month: 0,
        }
    }

    /// Decides one request at `now`.
    pub fn admit(&mut self, now: Instant) -> Admission {
        if now.duration_since(self.window_start) >= Duration::from_secs(1) {
            self.window_start = now;
            self.in_window = 0;
        }
        if self.this_month >= self.monthly_quota {
            return Admission::QuotaExhausted;
        }
        if self.in_window >= self.per_second {
            return Admission::TooMany { retry_after: 1 };
        }
        self.in_window += 1;
        self.this_month += 1;
        Admission::Ok {
            remaining: self.per_second - self.in_window,
            reset: 1,
        }
    }

    /// Requests left this month.
    pub fn month_remaining(&self) -> u32 {
        self.monthly_quota.saturating_sub(self.this_month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_exactly_the_limit_per_window_and_the_quota() {
        let t0 = Instant::now();
        let mut l = Limiter::new(3, 5, t0);
        let got: Vec<Admission> = (0..4).map(|_| l.admit(t0)).collect();
        assert_eq!(
            got[0],
            Admission::Ok {
                remaining: 2,
                reset: 1
            }
        );
        assert_eq!(
            got[2],
            Admission::Ok {
                remaining: 0,
                reset: 1
            }
        );
        assert_eq!(got[3], Admission::TooMany { retry_after: 1 });
        let t1 = t0 + Duration::from_secs(1);
        assert!(matches!(l.admit(t1), Admission::Ok { .. }));
        assert!(matches!(l.admit(t1), Admission::Ok { .. }));
        assert_eq!(l.admit(t1), Admission::QuotaExhausted);
        assert_eq!(l.month_remaining(), 0);
    }
}
