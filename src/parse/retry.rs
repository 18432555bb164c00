//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

use super::ParseError;
use std::time::{Duration, SystemTime};

/// A parsed `Retry-After` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    /// An IMF-fixdate (obsolete RFC 850 and asctime forms are accepted too; `obsolete` says so).
    Date {
        at: SystemTime,
        obsolete: bool,
    },
}

impl RetryAfter {
    /// Seconds to wait from `now` (0 for a date in the past).
    pub fn secs_from(&self, now: SystemTime) -> u64 {
        match self {
            RetryAfter::Seconds(s) => *s,
            RetryAfter::Date { at, .. } => {
                at.duration_since(now).unwrap_or(Duration::ZERO).as_secs()
            }
        }
    }
}

/// Parses one `Retry-After` value.
pub fn parse(value: &str) -> Result<RetryAfter, ParseError> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v
            .parse::<u64>()
            .map(RetryAfter::Seconds)
            .map_err(|_| ParseError::at(0, "delay-seconds out of range"));
    }
    match httpdate::parse_http_date(v) {
        Ok(at) => Ok(RetryAfter::Date {
            at,
            obsolete: !v.contains(',') || v.contains('-'),
        }),
        Err(_) => {
            let offset = v.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(0);
            Err(ParseError::at(
                offset,
                "expected delay-seconds (a non-negative integer) or an HTTP-date",
            ))
        }
    }
}

/// Seconds to wait, or `None` when the value does not parse.
pub fn secs(value: &str) -> Option<u64> {
    parse(value).ok().map(|r| r.secs_from(SystemTime::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse("120").unwrap(), RetryAfter::Seconds(120));
        assert!(matches!(
            parse("Wed, 21 Oct 2015 07:28:00 GMT").unwrap(),
            RetryAfter::Date {
                obsolete: false,
                ..
            }
        ));
        assert!(matches!(
            parse("Wednesday, 21-Oct-15 07:28:00 GMT").unwrap(),
            RetryAfter::Date { obsolete: true, .. }
        ));
        assert_eq!(parse("1.5").unwrap_err().offset, 1);
        assert!(parse("-1").is_err());
        assert!(parse("").is_err());
        assert!(parse("soon").is_err());
        assert_eq!(
            parse("Wed, 21 Oct 2015 07:28:00 GMT")
                .unwrap()
                .secs_from(SystemTime::now()),
            0
        );
    }
}
