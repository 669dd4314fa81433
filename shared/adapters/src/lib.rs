//! The adapters of the ports that only compute: OS randomness, Argon2id password hashing
//! and XChaCha20-Poly1305 sealing, so `portal-domain` holds no cryptography of its own;
//! and [`ports`], the one place a [`Ports`] is put together (Lambda, portal-local and the
//! tests give it their store, mailer and clock).

mod hasher;
mod random;
mod seal;

use std::sync::Arc;

use portal_domain::Ports;
use portal_domain::clock::Clock;
use portal_domain::ports::{Mailer, Settings, Store};
use portal_domain::sealed::Sealer;

pub use hasher::Argon2Hasher;
pub use random::OsRandomness;
pub use seal::SealKey;

/// The ports on `store`, `mailer`, `clock` and `sealer` (a [`SealKey`], which the mailer
/// opens with too), with `settings`, OS randomness and Argon2id.
pub fn ports(
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    sealer: Arc<dyn Sealer>,
    settings: Settings,
) -> Ports {
    Ports {
        store,
        mailer,
        clock,
        random: Arc::new(OsRandomness),
        hasher: Arc::new(Argon2Hasher::new()),
        sealer,
        settings: Arc::new(settings),
    }
}
