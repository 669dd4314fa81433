//! The pages Lambda: static files embedded in the binary, behind the same router
//! `portal-local` serves. No ports: the pages talk to the API from the browser.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_http::init_tracing();
    // Optional: without it the console's sign-out form posts to this origin only.
    let staff_issuer = portal_pages::STAFF_ISSUER.read(&|name| std::env::var(name).ok());
    lambda_http::run(portal_http::app(portal_pages::router(
        staff_issuer.as_deref(),
    )))
    .await
}
