//! The mailer's settings (from `template.yaml`) and the pace of one invocation.

use std::time::{Duration, SystemTime};

use portal_domain::config::Variable;
use portal_domain::use_cases::Pace;
use tokio::time::Instant;

/// Time kept back before the invocation's deadline: the last send and the write that
/// records it must finish, or the message is left claimed until its lease lapses.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// SES's sending rate for this account (the sandbox allows 1 message/s).
    pub rate_per_second: f64,
    /// How many due messages one sweep looks at.
    pub sweep_limit: usize,
}

const RATE_PER_SECOND: Variable = Variable::optional("MAILER_RATE_PER_SECOND");
const SWEEP_LIMIT: Variable = Variable::optional("MAILER_SWEEP_LIMIT");

impl Config {
    /// What [`Config::from_env`] reads.
    pub const VARIABLES: &[Variable] = &[RATE_PER_SECOND, SWEEP_LIMIT];
    pub const DEFAULT_RATE_PER_SECOND: f64 = 1.0;
    pub const DEFAULT_SWEEP_LIMIT: usize = 500;

    /// `MAILER_RATE_PER_SECOND` and `MAILER_SWEEP_LIMIT`, both optional.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let rate_per_second = match lookup(RATE_PER_SECOND.name) {
            // Zero would mean unpaced to the domain: never what a Lambda next to SES wants.
            Some(rate) => rate
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|rate| rate.is_finite() && *rate > 0.0)
                .ok_or("MAILER_RATE_PER_SECOND must be a number of messages per second above 0")?,
            None => Self::DEFAULT_RATE_PER_SECOND,
        };
        let sweep_limit = match lookup(SWEEP_LIMIT.name) {
            Some(limit) => limit
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|limit| *limit > 0)
                .ok_or("MAILER_SWEEP_LIMIT must be a whole number above 0")?,
            None => Self::DEFAULT_SWEEP_LIMIT,
        };
        Ok(Self {
            rate_per_second,
            sweep_limit,
        })
    }

    /// The pace of an invocation that must be done by `deadline_millis` (Lambda's
    /// deadline, epoch milliseconds). `now` is read on both clocks at once: the deadline
    /// is wall-clock time, the domain paces on tokio's monotonic clock.
    pub fn pace(&self, deadline_millis: u64, now: (SystemTime, Instant)) -> Pace {
        let pace = Pace::per_second(self.rate_per_second);
        // A context without a deadline (0: built by hand, as in tests) sets no limit.
        if deadline_millis == 0 {
            return pace;
        }
        let (wall, monotonic) = now;
        let deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(deadline_millis);
        let remaining = deadline
            .duration_since(wall)
            .unwrap_or_default()
            .saturating_sub(DEADLINE_MARGIN);
        pace.until(monotonic + remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn without_settings_the_mailer_sends_one_message_a_second_and_sweeps_500() {
        assert_eq!(
            config(&[]).unwrap(),
            Config {
                rate_per_second: 1.0,
                sweep_limit: 500
            }
        );
    }

    #[test]
    fn the_rate_and_the_limit_come_from_the_environment() {
        let config = config(&[
            ("MAILER_RATE_PER_SECOND", "14"),
            ("MAILER_SWEEP_LIMIT", "100"),
        ])
        .unwrap();

        assert_eq!(config.rate_per_second, 14.0);
        assert_eq!(config.sweep_limit, 100);
        assert_eq!(
            config
                .pace(0, (SystemTime::now(), Instant::now()))
                .min_interval,
            Duration::from_secs_f64(1.0 / 14.0)
        );
    }

    #[test]
    fn a_rate_that_is_not_a_positive_number_is_refused() {
        for rate in ["0", "-1", "fast", "NaN", "inf", ""] {
            assert!(
                config(&[("MAILER_RATE_PER_SECOND", rate)]).is_err(),
                "{rate:?} accepted"
            );
        }
        assert!(config(&[("MAILER_SWEEP_LIMIT", "0")]).is_err());
    }

    #[test]
    fn the_pace_stops_claiming_a_margin_before_the_lambda_deadline() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_892_000);
        let monotonic = Instant::now();
        let deadline_millis = 1_763_892_000_000 + 300_000;

        let pace = config(&[])
            .unwrap()
            .pace(deadline_millis, (wall, monotonic));

        assert_eq!(pace.min_interval, Duration::from_secs(1));
        assert_eq!(pace.deadline, Some(monotonic + Duration::from_secs(295)));
    }

    #[test]
    fn a_deadline_closer_than_the_margin_leaves_no_time_to_send() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_892_000);
        let monotonic = Instant::now();

        let soon = config(&[])
            .unwrap()
            .pace(1_763_892_002_000, (wall, monotonic));
        let past = config(&[])
            .unwrap()
            .pace(1_763_891_000_000, (wall, monotonic));

        assert_eq!(soon.deadline, Some(monotonic));
        assert_eq!(past.deadline, Some(monotonic));
    }
}
