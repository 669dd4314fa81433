//! Login attempts: counted per username (known or not) before the password is checked,
//! locked after repeated failures, and recorded.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::PortalUserId;
use crate::secret_token::token_hash;
use crate::types::{Username, UsernameField};

/// Consecutive failures between locks: the 10th, 20th, … failure locks the username.
pub const FAILURES_PER_LOCK: u32 = 10;
/// At this many consecutive failures the username stays locked until a password reset or
/// a staff unlock (NIST 800-63B: at most 100 consecutive failed attempts).
pub const FAILURES_LOCKING_FOR_GOOD: u32 = 100;
/// The first lock; each next one lasts twice as long, up to `LONGEST_LOCK`.
pub const FIRST_LOCK: Duration = Duration::minutes(15);
pub const LONGEST_LOCK: Duration = Duration::hours(24);
/// A guard nobody failed against for this long is forgotten (TTL), unless it locks for good.
pub const GUARD_LIFETIME: Duration = Duration::days(30);
/// How long login events are kept (TTL).
pub const LOGIN_EVENT_LIFETIME: Duration = Duration::days(90);

/// Where an attempt came from, as the HTTP layer saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginEvent {
    pub user_id: PortalUserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub success: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl LoginEvent {
    pub fn new(
        user_id: &PortalUserId,
        success: bool,
        client: &ClientInfo,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            user_id: user_id.clone(),
            at,
            success,
            ip: client.ip.clone(),
            // Bounded: the header is client-controlled and stored.
            user_agent: client
                .user_agent
                .as_ref()
                .map(|agent| agent.chars().take(256).collect()),
        }
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        self.at + LOGIN_EVENT_LIFETIME
    }
}

/// The consecutive failed logins of one username, kept apart from the user (so that
/// counting an attempt never races a change to the account) and kept for usernames that
/// do not exist too, so that a lock tells nothing about who has an account.
///
/// Every attempt is counted as a failure *before* the password is checked; a success
/// then clears the guard. So parallel guesses are each counted, and none is checked once
/// the lock is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginGuard {
    /// The SHA-256 of the normalized username: no address is stored for unknown names.
    pub key: String,
    pub failures: u32,
    /// The failure count at which the current lock begins (10, 20, … 100).
    pub lock_at: u32,
    /// When the lock that began at `lock_at` ends (once `failures` reached it).
    #[serde(with = "time::serde::rfc3339")]
    pub locked_until: OffsetDateTime,
}

/// One attempt counted against a guard, as the store must write it: conditional on the
/// guard still being at the step it was read at, so that a lock is never overtaken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReservation {
    pub key: String,
    /// The step the guard was read at (`FAILURES_PER_LOCK` for a guard not there yet).
    pub read_lock_at: u32,
    /// Whether this attempt begins the next step, the lock of the last one having ended
    /// (then the stored guard must have reached `read_lock_at` and be unlocked at `now`).
    /// Otherwise the stored guard must be below `read_lock_at` (or missing).
    pub next_step: bool,
    /// The guard's step after this attempt.
    pub lock_at: u32,
    pub now: OffsetDateTime,
    /// When the lock ends should this attempt be the one that reaches `lock_at`.
    pub locks_until: OffsetDateTime,
    /// The guard's TTL; `None` on the last step, whose lock lasts until a reset or unlock.
    pub expires_at: Option<OffsetDateTime>,
}

impl LoginGuard {
    /// The guard's key for a username as typed: normalized as `field`'s usernames are when
    /// it can be one, so `Ada@X.com` and `ada@x.com` share one count (and so does any
    /// other spelling of one username); anything else by its trimmed lowercase text.
    pub fn key_for(field: UsernameField, typed: &str) -> String {
        match field.typed(typed) {
            Some(username) => Self::key_of(&username),
            None => token_hash(&typed.trim().to_lowercase()),
        }
    }

    pub fn key_of(username: &Username) -> String {
        token_hash(username.as_ref())
    }

    /// A username nobody failed against yet.
    pub fn fresh(key: String) -> Self {
        Self {
            key,
            failures: 0,
            lock_at: FAILURES_PER_LOCK,
            locked_until: OffsetDateTime::UNIX_EPOCH,
        }
    }

    /// How long the username stays locked at `now`, if it is (`None` for good).
    pub fn locked_for(&self, now: OffsetDateTime) -> Option<Lock> {
        if self.failures < self.lock_at {
            return None;
        }
        if self.lock_at >= FAILURES_LOCKING_FOR_GOOD {
            return Some(Lock::ForGood);
        }
        (self.locked_until > now).then(|| Lock::For(self.locked_until - now))
    }

    /// Counts one more attempt, or refuses it while the username is locked.
    pub fn reserve(&self, now: OffsetDateTime) -> Result<AttemptReservation, Lock> {
        if let Some(lock) = self.locked_for(now) {
            return Err(lock);
        }
        let next_step = self.failures >= self.lock_at;
        let lock_at = if next_step {
            self.lock_at + FAILURES_PER_LOCK
        } else {
            self.lock_at
        };
        Ok(AttemptReservation {
            key: self.key.clone(),
            read_lock_at: self.lock_at,
            next_step,
            lock_at,
            now,
            locks_until: now + lock_length(lock_at),
            expires_at: (lock_at < FAILURES_LOCKING_FOR_GOOD).then_some(now + GUARD_LIFETIME),
        })
    }

    /// The guard as it is after `reservation`, which the store accepted: what the
    /// embedded store keeps, and what a DynamoDB update computes.
    pub fn counted(&self, reservation: &AttemptReservation) -> Self {
        Self {
            key: self.key.clone(),
            failures: self.failures + 1,
            lock_at: reservation.lock_at,
            locked_until: reservation.locks_until,
        }
    }

    /// Whether `reservation` may be counted against this stored guard.
    pub fn admits(&self, reservation: &AttemptReservation) -> bool {
        if self.lock_at != reservation.read_lock_at {
            return false;
        }
        if reservation.next_step {
            self.failures >= self.lock_at
                && self.lock_at < FAILURES_LOCKING_FOR_GOOD
                && self.locked_until <= reservation.now
        } else {
            self.failures < self.lock_at
        }
    }
}

/// How long the lock reached at `lock_at` failures lasts: 15 minutes, doubled at every
/// step, at most a day.
fn lock_length(lock_at: u32) -> Duration {
    let step = (lock_at / FAILURES_PER_LOCK).saturating_sub(1).min(16);
    (FIRST_LOCK * 2_i32.pow(step)).min(LONGEST_LOCK)
}

/// A refused attempt: for a while, or until a password reset or a staff unlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    For(Duration),
    ForGood,
}

impl Lock {
    /// What a client is told to wait (a lock for good says a day, and stays).
    pub fn retry_after(self) -> std::time::Duration {
        let wait = match self {
            Self::For(wait) => wait,
            Self::ForGood => LONGEST_LOCK,
        };
        std::time::Duration::from_secs(wait.whole_seconds().max(1) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

    /// Counts `n` failures at `at`, as the store would.
    fn fail(mut guard: LoginGuard, n: u32, at: OffsetDateTime) -> LoginGuard {
        for _ in 0..n {
            let reservation = guard.reserve(at).expect("not locked");
            assert!(guard.admits(&reservation));
            guard = guard.counted(&reservation);
        }
        guard
    }

    fn fresh() -> LoginGuard {
        LoginGuard::fresh(LoginGuard::key_for(UsernameField::Email, "ada@example.com"))
    }

    #[test]
    fn the_tenth_consecutive_failure_locks_the_username_for_fifteen_minutes() {
        let guard = fail(fresh(), 9, NOW);
        assert_eq!(guard.locked_for(NOW), None);

        let guard = fail(guard, 1, NOW);

        assert_eq!(guard.locked_for(NOW), Some(Lock::For(FIRST_LOCK)));
        assert_eq!(guard.reserve(NOW), Err(Lock::For(FIRST_LOCK)));
        assert_eq!(guard.locked_for(NOW + FIRST_LOCK), None);
    }

    #[test]
    fn each_next_lock_lasts_twice_as_long_up_to_a_day() {
        let mut guard = fresh();
        let mut at = NOW;
        let mut locks = Vec::new();
        for _ in 0..9 {
            guard = fail(guard, FAILURES_PER_LOCK, at);
            let Some(Lock::For(wait)) = guard.locked_for(at) else {
                panic!("locked for a while at {}", guard.failures)
            };
            locks.push(wait.whole_minutes());
            at += wait;
        }
        assert_eq!(locks, [15, 30, 60, 120, 240, 480, 960, 1440, 1440]);
    }

    #[test]
    fn the_hundredth_consecutive_failure_locks_for_good() {
        let mut guard = fresh();
        let mut at = NOW;
        while guard.failures < FAILURES_LOCKING_FOR_GOOD - 1 {
            guard = fail(guard, 1, at);
            if let Some(Lock::For(wait)) = guard.locked_for(at) {
                at += wait;
            }
        }
        let last = guard.reserve(at).unwrap();
        assert_eq!(last.expires_at, None, "the last step is kept without a TTL");
        guard = guard.counted(&last);

        assert_eq!(
            guard.locked_for(at + Duration::days(365)),
            Some(Lock::ForGood)
        );
        assert_eq!(Lock::ForGood.retry_after().as_secs(), 86_400);
    }

    #[test]
    fn an_attempt_read_before_the_lock_is_not_admitted_once_the_lock_is_reached() {
        let guard = fail(fresh(), 9, NOW);
        let late = guard.reserve(NOW).unwrap();
        let locked = guard.counted(&guard.reserve(NOW).unwrap());

        assert!(
            !locked.admits(&late),
            "a racing attempt is refused, not counted past the lock"
        );
    }

    #[test]
    fn after_a_lock_ends_only_one_attempt_begins_the_next_step() {
        let locked = fail(fresh(), FAILURES_PER_LOCK, NOW);
        let later = NOW + FIRST_LOCK;
        let first = locked.reserve(later).unwrap();
        let second = locked.reserve(later).unwrap();
        assert!(first.next_step && second.next_step);

        let stepped = locked.counted(&first);

        assert!(
            !stepped.admits(&second),
            "read again, then counted in the new step"
        );
        assert!(stepped.admits(&stepped.reserve(later).unwrap()));
        assert_eq!(stepped.lock_at, 2 * FAILURES_PER_LOCK);
    }

    #[test]
    fn a_username_has_one_key_however_it_is_typed() {
        assert_eq!(
            LoginGuard::key_for(UsernameField::Email, " Ada@Example.com"),
            LoginGuard::key_for(UsernameField::Email, "ada@example.com")
        );
        assert_ne!(
            LoginGuard::key_for(UsernameField::Email, "ada@example.com"),
            LoginGuard::key_for(UsernameField::Email, "bob@example.com")
        );
        assert_eq!(
            LoginGuard::key_for(UsernameField::Email, "Not An Email"),
            LoginGuard::key_for(UsernameField::Email, "not an email")
        );
    }
}
