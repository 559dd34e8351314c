//! Setting values with units: durations (`300`, `90s`, `5m`, `1h`), byte sizes (`67108864`,
//! `64MiB`, `512KiB`, `1GiB`) and ratios (`0.2`).

use std::time::Duration;

/// Seconds when bare; `ms`, `s`, `m` or `h` otherwise. From `min` to `max`.
pub fn parse_duration(value: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let expected = || {
        format!(
            "expected a duration from {} to {} such as 300, 90s, 5m or 1h (bare numbers are seconds)",
            show_duration(min),
            show_duration(max)
        )
    };
    let (number, unit) = split_unit(value);
    let n: u64 = number.parse().map_err(|_| expected())?;
    let millis = match unit.to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" | "seconds" => n.checked_mul(1000),
        "ms" => Some(n),
        "m" | "min" | "minutes" => n.checked_mul(60_000),
        "h" | "hours" => n.checked_mul(3_600_000),
        _ => None,
    };
    let duration = millis.map(Duration::from_millis).ok_or_else(expected)?;
    if duration < min || duration > max {
        return Err(expected());
    }
    Ok(duration)
}

/// Bytes when bare; `KiB`, `MiB` or `GiB` (or `K`, `M`, `G`) otherwise. From `min` to `max`.
pub fn parse_bytes(value: &str, min: u64, max: u64) -> Result<u64, String> {
    let expected = || {
        format!(
            "expected a size from {} to {} such as 67108864, 64MiB or 1GiB",
            show_bytes(min),
            show_bytes(max)
        )
    };
    let (number, unit) = split_unit(value);
    let n: u64 = number.parse().map_err(|_| expected())?;
    let factor = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(expected()),
    };
    match n.checked_mul(factor) {
        Some(bytes) if (min..=max).contains(&bytes) => Ok(bytes),
        _ => Err(expected()),
    }
}

/// A fraction from 0 to 1 (`0.2`, `1`).
pub fn parse_ratio(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("expected a fraction from 0 to 1 such as 0.2 (1 allows any change)".into()),
    }
}

fn split_unit(value: &str) -> (&str, &str) {
    let value = value.trim();
    let at = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    (&value[..at], value[at..].trim())
}

pub fn show_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        format!("{} ms", d.as_millis())
    } else if secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

pub fn show_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n.is_multiple_of(1 << 30) => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn durations_take_seconds_or_a_unit() {
        let parse = |v| parse_duration(v, S(1), S(86_400));
        assert_eq!(parse("300"), Ok(S(300)));
        assert_eq!(parse("90s"), Ok(S(90)));
        assert_eq!(parse("5m"), Ok(S(300)));
        assert_eq!(parse("1h"), Ok(S(3600)));
        assert_eq!(parse(" 2 min "), Ok(S(120)));
        assert_eq!(parse("1500ms"), Ok(Duration::from_millis(1500)));
        for bad in ["", "5x", "-1", "0", "25h", "1.5m", "99999999999999999999h"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("from 1 s to 24 h"), "{bad}: {err}");
        }
    }

    #[test]
    fn sizes_take_bytes_or_a_binary_unit() {
        let parse = |v| parse_bytes(v, 1024, 1 << 32);
        assert_eq!(parse("67108864"), Ok(64 << 20));
        assert_eq!(parse("64MiB"), Ok(64 << 20));
        assert_eq!(parse("64 M"), Ok(64 << 20));
        assert_eq!(parse("1GiB"), Ok(1 << 30));
        assert_eq!(parse("512KiB"), Ok(512 << 10));
        for bad in ["", "12", "64XB", "5GiB", "x"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("from 1 KiB to 4 GiB"), "{bad}: {err}");
        }
    }

    #[test]
    fn ratios_are_fractions_from_0_to_1() {
        assert_eq!(parse_ratio("0.2"), Ok(0.2));
        assert_eq!(parse_ratio("1"), Ok(1.0));
        assert_eq!(parse_ratio("0"), Ok(0.0));
        for bad in ["1.5", "-0.1", "NaN", "a", "20%"] {
            assert!(parse_ratio(bad).is_err(), "{bad}");
        }
    }
}
