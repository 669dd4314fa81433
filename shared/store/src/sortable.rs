//! Keys whose string order is time order. DynamoDB sorts sort keys as bytes, and the
//! embedded store sorts the same strings the same way, so both list in one order.

use portal_adapters::OsRandomness;
use portal_domain::random::new_id;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A UTC RFC 3339 timestamp with a fixed number of digits, so string order is time order
/// (the usual format drops trailing zeros of the fraction, which breaks that).
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond()
    )
}

/// A sort key by creation time, the id breaking ties: unique, and fixed for an entity's life.
pub(crate) fn by_creation(created_at: OffsetDateTime, id: &str) -> String {
    format!("{}#{id}", timestamp(created_at))
}

/// A sort key by time for things with no id of their own (login events): a random
/// suffix keeps two of one instant apart, so neither overwrites the other.
pub(crate) fn by_time(at: OffsetDateTime) -> String {
    by_creation(at, &new_id(&OsRandomness))
}

/// The id inside a [`by_creation`] key, or `None` when `key` is not one.
pub(crate) fn id_by_creation(key: &str) -> Option<&str> {
    let (at, id) = key.split_once('#')?;
    let parsed = OffsetDateTime::parse(at, &Rfc3339).ok()?;
    let well_formed =
        timestamp(parsed) == at && !id.is_empty() && !id.chars().any(char::is_control);
    well_formed.then_some(id)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn sortable_timestamps_sort_in_time_order() {
        let whole = timestamp(datetime!(2026-03-01 09:00:00 UTC));
        let later = timestamp(datetime!(2026-03-01 09:00:00.5 UTC));
        let offset = timestamp(datetime!(2026-03-01 11:00:01 +2));
        assert!(whole < later);
        assert!(later < offset);
        assert_eq!(offset, "2026-03-01T09:00:01.000000000Z");
    }

    #[test]
    fn a_creation_key_gives_back_its_id() {
        let key = by_creation(datetime!(2026-03-01 09:00:00.25 UTC), "r1");
        assert_eq!(key, "2026-03-01T09:00:00.250000000Z#r1");
        assert_eq!(id_by_creation(&key), Some("r1"));
    }

    #[test]
    fn keys_of_another_shape_have_no_id() {
        for key in [
            "",
            "r1",
            "2026-03-01T09:00:00.250000000Z#",
            "2026-03-01T09:00:00.25Z#r1",
            "2026-03-01T11:00:00.000000000+02:00#r1",
            "yesterday#r1",
            "2026-03-01T09:00:00.000000000Z#r\n1",
        ] {
            assert_eq!(id_by_creation(key), None, "{key:?}");
        }
    }
}
