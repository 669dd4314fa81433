//! The mail port: emails rendered from outbox messages (text and HTML), delivered
//! through SES v2 in AWS or appended to a file outbox on a laptop.

mod config;
mod file_outbox;
mod render;
mod ses;
mod templates;

pub use config::{EmailConfig, checked_base_url};
pub use file_outbox::{DeliveredEmail, FileOutbox};
pub use render::{RenderError, RenderedEmail, render};
pub use ses::SesMailer;
