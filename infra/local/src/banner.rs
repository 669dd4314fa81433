use crate::args::{Args, StoreKind};

/// Printed once at startup, before any log line: where to point a browser or curl, and
/// where the data goes. Tests read the first line to learn the port.
pub fn print(args: &Args, address: &str, base_url: &str) {
    let store = match args.store {
        StoreKind::Embedded => format!("embedded, {}", args.store_path().display()),
        StoreKind::Dynamodb => format!(
            "dynamodb, table {} at {}",
            args.table,
            args.dynamodb_endpoint
                .as_deref()
                .unwrap_or("the SDK's default endpoint")
        ),
    };
    println!("portal-local listening on {address}");
    println!("  store:  {store}");
    println!(
        "  outbox: {} (GET {address}/dev/outbox)",
        args.outbox_path().display()
    );
    println!("  links in emails start with {base_url}");
}
