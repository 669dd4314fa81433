use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Serves every portal function on one local port. Every flag is also an environment variable.
#[derive(Parser, Debug)]
#[command(name = "portal-local", version)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one; the banner says which).
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Folder of the embedded store file and the file outbox.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = ".portal-local")]
    pub data_dir: PathBuf,
    #[arg(long, env = "PORTAL_STORE", value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,
    /// DynamoDB endpoint for `--store dynamodb` (e.g. moto); the SDK's default otherwise.
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    pub dynamodb_endpoint: Option<String>,
    /// DynamoDB table, created if missing.
    #[arg(long, env = "TABLE_NAME", default_value = "portal")]
    pub table: String,
    /// Base of every link in emails; defaults to the address this process listens on.
    #[arg(long, env = "PORTAL_BASE_URL")]
    pub portal_base_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Embedded,
    Dynamodb,
}

impl Args {
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("store.jsonl")
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.data_dir.join("outbox.jsonl")
    }
}
