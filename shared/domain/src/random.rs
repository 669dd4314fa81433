/// Source of unpredictable bytes for ids, codes and tokens (the OS's in `portal-adapters`).
pub trait Randomness: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// A new opaque id: 128 random bits, lowercase hex.
pub fn new_id(random: &dyn Randomness) -> String {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `id` could have come from [`new_id`]: anything else cannot exist, so callers
/// answer "not found" without asking the store (and never send it an oversized key).
pub fn is_well_formed_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A uniform integer in `0..bound`, without modulo bias (rejection sampling).
pub fn below(random: &dyn Randomness, bound: u32) -> u32 {
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let mut bytes = [0u8; 4];
        random.fill(&mut bytes);
        let n = u32::from_le_bytes(bytes);
        if n < zone {
            return n % bound;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRandomness;

    struct Counting(std::sync::atomic::AtomicU8);
    impl Randomness for Counting {
        fn fill(&self, buf: &mut [u8]) {
            for b in buf {
                *b = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    #[test]
    fn ids_are_32_hex_characters() {
        let id = new_id(&TestRandomness);
        assert_eq!(id.len(), 32);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn only_ids_of_the_generated_shape_are_well_formed() {
        assert!(is_well_formed_id(&new_id(&TestRandomness)));
        for id in ["", "not-an-id", &"A".repeat(32), &"f".repeat(33)] {
            assert!(!is_well_formed_id(id), "{id:?}");
        }
    }

    #[test]
    fn below_stays_under_its_bound() {
        let random = Counting(Default::default());
        for _ in 0..1000 {
            assert!(below(&random, 1_000_000) < 1_000_000);
        }
    }
}
