#[test]
fn tracing_can_be_initialized_twice() {
    portal_http::init_tracing();
    portal_http::init_tracing();
    tracing::info!("still logging");
}
