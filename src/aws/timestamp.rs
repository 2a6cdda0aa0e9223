//! Timestamps between users, the wire and the AWS CLI's output: parsing what users type and
//! what services send, and printing the wire formats and the CLI's ISO 8601 form. Pure.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time with microsecond precision, remembering the offset it was written with
/// (`None` for a naive ISO 8601 string without a zone, which Python prints without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    /// Seconds since the Unix epoch (UTC).
    pub seconds: i64,
    pub micros: u32,
    /// Offset from UTC in seconds as written, `None` when the text had no zone.
    pub offset: Option<i32>,
}

impl Timestamp {
    /// From epoch seconds the way Python's `datetime.fromtimestamp(value, tzutc())` rounds.
    pub fn from_epoch(value: f64) -> Option<Self> {
        if !value.is_finite() {
            return None;
        }
        let whole = value.trunc();
        let mut seconds = whole as i64;
        let mut micros = ((value - whole) * 1e6).round_ties_even() as i64;
        if micros >= 1_000_000 {
            seconds += 1;
            micros -= 1_000_000;
        } else if micros < 0 {
            seconds -= 1;
            micros += 1_000_000;
        }
        Some(Timestamp {
            seconds,
            micros: micros as u32,
            offset: Some(0),
        })
    }

    /// Parses a timestamp as botocore accepts it from users and services: epoch seconds,
    /// ISO 8601 (with or without zone and fraction) or RFC 822 (`Fri, 27 Nov 2026 03:22:54 GMT`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(epoch) = text.parse::<f64>() {
            return Self::from_epoch(epoch);
        }
        parse_iso8601(text).or_else(|| parse_rfc822(text))
    }

    fn utc(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.seconds)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .replace_microsecond(self.micros)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// botocore's wire ISO 8601: `2026-11-27T02:07:54Z`, `2026-11-27T02:07:54.382000Z`.
    pub fn to_wire_iso8601(self) -> String {
        let mut out = self.iso8601_without_zone(self.utc());
        out.push('Z');
        out
    }

    /// `2026-11-27T02:07:54` of `t`, with `.382000` when there are microseconds: the part the
    /// wire's and the CLI's ISO 8601 forms share.
    fn iso8601_without_zone(self, t: OffsetDateTime) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        if self.micros > 0 {
            out.push_str(&format!(".{:06}", self.micros));
        }
        out
    }

    /// botocore's wire epoch seconds: whole seconds, the fraction dropped.
    pub fn to_epoch_seconds(self) -> i64 {
        self.seconds
    }

    /// RFC 822 as Python's `formatdate(usegmt=True)` writes it.
    pub fn to_rfc822(self) -> String {
        let t = self.utc();
        let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            [t.weekday().number_days_from_monday() as usize];
        let month = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ][u8::from(t.month()) as usize - 1];
        format!(
            "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
            t.day(),
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// What the AWS CLI prints with `cli_timestamp_format = iso8601`: Python's
    /// `datetime.isoformat()` of the parsed value (`2026-11-27T02:07:54.382000+00:00`).
    pub fn to_cli_iso8601(self) -> String {
        let offset = self.offset.unwrap_or(0);
        let local = self
            .utc()
            .to_offset(UtcOffset::from_whole_seconds(offset).unwrap_or(UtcOffset::UTC));
        let mut out = self.iso8601_without_zone(local);
        if let Some(offset) = self.offset {
            let sign = if offset < 0 { '-' } else { '+' };
            let minutes = offset.abs() / 60;
            out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
        }
        out
    }
}

fn digits(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = text.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) && !part.is_empty() {
        part.parse().ok()
    } else {
        None
    }
}

fn build(
    year: i32,
    month: u32,
    day: u32,
    hms: (u32, u32, u32),
    micros: u32,
    offset: Option<i32>,
) -> Option<Timestamp> {
    let month = Month::try_from(month as u8).ok()?;
    let date = Date::from_calendar_date(year, month, day as u8).ok()?;
    let time = Time::from_hms(hms.0 as u8, hms.1 as u8, hms.2 as u8).ok()?;
    let utc_offset = UtcOffset::from_whole_seconds(offset.unwrap_or(0)).ok()?;
    let instant = PrimitiveDateTime::new(date, time).assume_offset(utc_offset);
    Some(Timestamp {
        seconds: instant.unix_timestamp(),
        micros,
        offset,
    })
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.f+]]][Z|±HH[:MM]]`, the forms users and services write.
fn parse_iso8601(text: &str) -> Option<Timestamp> {
    let year = digits(text, 0..4)? as i32;
    if text.get(4..5)? != "-" || text.get(7..8)? != "-" {
        return None;
    }
    let month = digits(text, 5..7)?;
    let day = digits(text, 8..10)?;
    let rest = &text[10..];
    if rest.is_empty() {
        return build(year, month, day, (0, 0, 0), 0, None);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let hour = digits(rest, 0..2)?;
    if rest.get(2..3)? != ":" {
        return None;
    }
    let minute = digits(rest, 3..5)?;
    let mut rest = &rest[5..];
    let mut second = 0;
    let mut micros = 0;
    if let Some(after) = rest.strip_prefix(':') {
        second = digits(after, 0..2)?;
        rest = &after[2..];
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if len == 0 {
                return None;
            }
            // dateutil keeps six digits and drops the rest.
            let mut six: String = fraction[..len.min(6)].to_owned();
            while six.len() < 6 {
                six.push('0');
            }
            micros = six.parse().ok()?;
            rest = &fraction[len..];
        }
    }
    let offset = match rest {
        "" => None,
        "Z" | "z" => Some(0),
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = zone[1..].replace(':', "");
            let hours = digits(&zone, 0..2)? as i32;
            let minutes = if zone.len() > 2 {
                digits(&zone, 2..4)? as i32
            } else {
                0
            };
            if zone.len() != 2 && zone.len() != 4 {
                return None;
            }
            Some(sign * (hours * 3600 + minutes * 60))
        }
    };
    build(year, month, day, (hour, minute, second), micros, offset)
}

/// `Fri, 27 Nov 2026 03:22:54 GMT` (the weekday is optional).
fn parse_rfc822(text: &str) -> Option<Timestamp> {
    let text = match text.find(',') {
        Some(comma) => text[comma + 1..].trim_start(),
        None => text,
    };
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() < 4 {
        return None;
    }
    let day: u32 = parts[0].parse().ok()?;
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| parts[1].to_ascii_lowercase().starts_with(m))? as u32
        + 1;
    let year: i32 = parts[2].parse().ok()?;
    let hms: Vec<u32> = parts[3]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (hour, minute, second) = match hms.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let offset = match parts.get(4).copied() {
        None | Some("GMT") | Some("UTC") | Some("Z") | Some("UT") => 0,
        Some(zone) => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zone = zone.trim_start_matches(['+', '-']);
            let hours = digits(zone, 0..2)? as i32;
            let minutes = digits(zone, 2..4)? as i32;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    build(year, month, day, (hour, minute, second), 0, Some(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(text: &str) -> String {
        Timestamp::parse(text).expect(text).to_cli_iso8601()
    }

    #[test]
    fn prints_like_python_isoformat() {
        let cases = [
            ("1795749774.364", "2026-11-27T03:22:54.364000+00:00"),
            ("1795749774", "2026-11-27T03:22:54+00:00"),
            (
                "2026-11-27T02:07:54.382Z",
                "2026-11-27T02:07:54.382000+00:00",
            ),
            ("2026-11-27T02:07:54Z", "2026-11-27T02:07:54+00:00"),
            (
                "2026-11-27T02:07:54.1234567Z",
                "2026-11-27T02:07:54.123456+00:00",
            ),
            ("2026-11-27T02:07:54+05:30", "2026-11-27T02:07:54+05:30"),
            ("2026-11-27T02:07:54", "2026-11-27T02:07:54"),
            ("Fri, 27 Nov 2026 03:22:54 GMT", "2026-11-27T03:22:54+00:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(cli(input), expected, "{input}");
        }
        // Python rounds the float's fraction at microseconds (values from Python itself).
        assert_eq!(Timestamp::from_epoch(1.0000005).unwrap().micros, 1);
        assert_eq!(Timestamp::from_epoch(1.0000025).unwrap().micros, 2);
    }

    #[test]
    fn wire_formats_match_botocore() {
        let plain = Timestamp::parse("2024-01-02T03:04:05Z").unwrap();
        assert_eq!(plain.to_wire_iso8601(), "2024-01-02T03:04:05Z");
        assert_eq!(plain.to_epoch_seconds(), 1704164645);
        assert_eq!(plain.to_rfc822(), "Tue, 02 Jan 2024 03:04:05 GMT");
        let fraction = Timestamp::parse("2024-01-02T03:04:05.5+01:00").unwrap();
        assert_eq!(fraction.to_wire_iso8601(), "2024-01-02T02:04:05.500000Z");
        let date_only = Timestamp::parse("2024-01-02").unwrap();
        assert_eq!(date_only.to_wire_iso8601(), "2024-01-02T00:00:00Z");
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("2024-13-02").is_none());
    }
}
