use crate::args::{Args, StoreKind};

/// Printed once at startup, before any log line: where to point a browser or curl, where
/// the data goes, a staff token and the staff page signed in with it. Tests read the first
/// line to learn the port.
pub fn print(args: &Args, address: &str, base_url: &str, staff_token: &str) {
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
    println!(
        "  staff token (12 h, portal.users.manage + portal.roles.assign + portal.clients.manage): {staff_token}"
    );
    // In the fragment, which the browser never sends: the page reads it and drops it.
    println!("  staff page: {address}/staff#token={staff_token}");
    println!("  mint another: portal-local staff-token --help");
}
