//! Recovery codes: ten single-use codes shown once, for the day the phone is lost.

use crate::random::{Randomness, below};
use crate::secret_token::token_hash;

pub const RECOVERY_CODE_COUNT: usize = 10;
/// 16 characters of 5 bits: 80 random bits, beyond any offline guessing of a SHA-256.
const CODE_LENGTH: usize = 16;
/// Crockford's base32: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh set: the codes to show once, and their hashes to store.
pub struct RecoveryCodes {
    pub codes: Vec<String>,
    pub hashes: Vec<String>,
}

impl RecoveryCodes {
    pub fn generate(random: &dyn Randomness) -> Self {
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
            .map(|_| {
                let chars: Vec<char> = (0..CODE_LENGTH)
                    .map(|_| ALPHABET[below(random, 32) as usize] as char)
                    .collect();
                chars
                    .chunks(4)
                    .map(|group| group.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("-")
            })
            .collect();
        let hashes = codes
            .iter()
            .map(|code| RecoveryCode::normalized(code).hash())
            .collect();
        Self { codes, hashes }
    }
}

/// A recovery code as typed, normalized: case, dashes and spaces do not matter, and the
/// letters Crockford's alphabet leaves out read as the digits they look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn parse(typed: &str) -> Result<Self, &'static str> {
        let code = Self::normalized(typed);
        if code.0.len() == CODE_LENGTH && code.0.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(code)
        } else {
            Err("must be one of the 16-character recovery codes")
        }
    }

    fn normalized(typed: &str) -> Self {
        Self(
            typed
                .chars()
                .filter(|c| !matches!(c, '-' | ' '))
                .map(|c| match c.to_ascii_lowercase() {
                    'i' | 'l' => '1',
                    'o' => '0',
                    other => other,
                })
                .collect(),
        )
    }

    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }

    /// Where this code is among the stored hashes, if it is unused.
    pub fn position_in(&self, hashes: &[String]) -> Option<usize> {
        let hash = self.hash();
        hashes.iter().position(|stored| *stored == hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRandomness;

    #[test]
    fn ten_distinct_codes_of_four_groups_are_made_and_only_their_hashes_kept() {
        let set = RecoveryCodes::generate(&TestRandomness);
        assert_eq!(set.codes.len(), 10);
        assert_eq!(set.hashes.len(), 10);
        let mut unique = set.codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        for (code, hash) in set.codes.iter().zip(&set.hashes) {
            assert_eq!(code.len(), 19);
            assert_eq!(code.matches('-').count(), 3);
            assert!(!hash.contains(&code.replace('-', "")));
            assert_eq!(hash.len(), 64);
        }
    }

    #[test]
    fn a_code_is_found_however_it_is_typed() {
        let set = RecoveryCodes::generate(&TestRandomness);
        let typed = set.codes[3].to_uppercase().replace('-', " ");
        let code = RecoveryCode::parse(&typed).unwrap();
        assert_eq!(code.position_in(&set.hashes), Some(3));
        assert_eq!(
            RecoveryCode::parse("0000-0000-0000-0000")
                .unwrap()
                .position_in(&set.hashes),
            None
        );
    }

    #[test]
    fn misread_letters_are_read_as_digits_and_other_text_is_refused() {
        assert_eq!(
            RecoveryCode::parse("OIL0-0000-0000-0000").unwrap(),
            RecoveryCode::parse("0110-0000-0000-0000").unwrap()
        );
        for bad in [
            "",
            "abcd",
            "abcd-efgh-jkmn-pqr",
            "abcd-efgh-jkmn-pqru",
            "ab!d-efgh-jkmn-pqrs",
        ] {
            assert!(RecoveryCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
