//! The pages Lambda: static files embedded in the binary, behind the same router
//! `portal-local` serves. No ports: the pages talk to the API from the browser.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    lambda_http::run(portal_http::app(portal_pages::router())).await
}
