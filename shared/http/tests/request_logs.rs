//! What the request span writes to the logs, captured in memory.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use tower::ServiceExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_request_log_names_the_route_and_request_id_but_not_the_query_or_path_values() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = portal_http::app(Router::new().route("/users/{id}", get(|| async { "ok" })));

    let request = Request::get("/users/secret-user-id?token=secret-token")
        .header("x-request-id", "req-123")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();

    assert_eq!(response.status(), 200);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(r#""path":"/users/{id}""#), "{logs}");
    assert!(logs.contains(r#""method":"GET""#), "{logs}");
    assert!(logs.contains(r#""request_id":"req-123""#), "{logs}");
    assert!(!logs.contains("secret"), "{logs}");
}
