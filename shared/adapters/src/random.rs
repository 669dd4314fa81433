//! The randomness port on the operating system's CSPRNG.

use portal_domain::random::Randomness;

/// The operating system's CSPRNG.
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&self, buf: &mut [u8]) {
        getrandom::fill(buf).expect("the OS random source is unavailable");
    }
}

#[cfg(test)]
mod tests {
    use portal_domain::ids::PortalUserId;
    use portal_domain::random::new_id;

    use super::*;

    #[test]
    fn ids_from_the_os_are_well_formed_and_differ() {
        let (a, b) = (new_id(&OsRandomness), new_id(&OsRandomness));
        assert!(PortalUserId::parse(&a).is_some());
        assert_ne!(a, b);
    }
}
