//! The pages people use, served from the API's own origin: plain HTML, one stylesheet and a
//! little vanilla JavaScript, embedded in the binary. No framework, no build step, nothing
//! loaded from another origin; the browser calls the API with `fetch`.
//!
//! Every answer of this router carries a strict Content-Security-Policy and its companions
//! (a layer on this router only, so the API's own responses stay as they are).

use axum::Router;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// The company's identity provider for staff sign-in (optional): see [`router`].
pub const STAFF_ISSUER: portal_domain::config::Variable =
    portal_domain::config::Variable::optional("STAFF_OIDC_ISSUER");

/// Scripts, styles, images and requests from this origin only; no inline code at all, no
/// plugins, no `<base>`, forms post here only, and no one may frame the pages.
pub const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; \
                       frame-ancestors 'none'; object-src 'none'";

/// HTML is revalidated on every visit, so a deployment shows at once.
pub const HTML_CACHE: &str = "no-cache";
/// Assets keep their names across deployments, so they are cached only briefly.
pub const ASSET_CACHE: &str = "public, max-age=300";

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One file embedded in the binary and the path it is served at.
#[derive(Debug)]
pub struct Embedded {
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

macro_rules! embed {
    ($path:literal, $file:literal, $content_type:expr) => {
        Embedded {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!("../web/", $file)),
        }
    };
}

/// The pages; each loads `/assets/app.css` and its own module, which imports `app.js`.
pub static PAGES: &[Embedded] = &[
    embed!("/register", "register.html", HTML),
    embed!("/welcome", "welcome.html", HTML),
    embed!("/login", "login.html", HTML),
    embed!("/reset", "reset.html", HTML),
    embed!("/account", "account.html", HTML),
    embed!("/staff", "staff.html", HTML),
    embed!("/org", "org.html", HTML),
];

pub static ASSETS: &[Embedded] = &[
    embed!("/assets/app.css", "app.css", CSS),
    embed!("/assets/app.js", "app.js", JS),
    embed!("/assets/password.js", "password.js", JS),
    embed!("/assets/register.js", "register.js", JS),
    embed!("/assets/welcome.js", "welcome.js", JS),
    embed!("/assets/login.js", "login.js", JS),
    embed!("/assets/reset.js", "reset.js", JS),
    embed!("/assets/account.js", "account.js", JS),
    embed!("/assets/staff.js", "staff.js", JS),
    embed!("/assets/staff-users.js", "staff-users.js", JS),
    embed!("/assets/staff-orgs.js", "staff-orgs.js", JS),
    embed!("/assets/staff-mail.js", "staff-mail.js", JS),
    embed!("/assets/staff-apps.js", "staff-apps.js", JS),
    embed!("/assets/staff-i18n.js", "staff-i18n.js", JS),
    embed!("/assets/org.js", "org.js", JS),
    embed!("/assets/favicon.svg", "favicon.svg", SVG),
];

/// The HTTP contract, generated from the code (`portal-local openapi`); a test keeps this
/// committed copy equal to what the code generates.
pub static OPENAPI: Embedded = Embedded {
    path: "/openapi.json",
    content_type: JSON,
    body: include_str!("../../../docs/openapi.json"),
};

/// Every page and asset, `/` sending visitors to the registration form, the OpenAPI
/// document, and the security headers on all of them. Without state: the pages only ever
/// talk to the API from the browser.
///
/// `staff_issuer` is the company's identity provider, when staff sign in through it: the
/// console's sign-out form posts here and is redirected there (to end the provider's
/// session too), and browsers hold a form's redirects to `form-action` as well.
pub fn router(staff_issuer: Option<&str>) -> Router {
    let staff_csp = staff_csp(staff_issuer);
    let mut router = Router::new()
        .route("/", get(|| async { Redirect::to("/register") }))
        .route(OPENAPI.path, get(|| async { serve(&OPENAPI, HTML_CACHE) }));
    for page in PAGES {
        router = router.route(
            page.path,
            get(move || async move { serve(page, HTML_CACHE) }),
        );
    }
    for asset in ASSETS {
        router = router.route(
            asset.path,
            get(move || async move { serve(asset, ASSET_CACHE) }),
        );
    }
    router.layer(map_response(
        move |request_path: axum::extract::OriginalUri, response| {
            let csp = if request_path.path() == "/staff" {
                staff_csp.clone()
            } else {
                HeaderValue::from_static(CSP)
            };
            security_headers(csp, response)
        },
    ))
}

/// [`CSP`], with the provider's origin added to `form-action` when there is one.
fn staff_csp(staff_issuer: Option<&str>) -> HeaderValue {
    let origin = staff_issuer
        .and_then(|issuer| url::Url::parse(issuer).ok())
        .map(|issuer| issuer.origin().ascii_serialization());
    match origin {
        Some(origin) => HeaderValue::from_str(&CSP.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        ))
        .expect("an origin is header text"),
        None => HeaderValue::from_static(CSP),
    }
}

fn serve(file: &'static Embedded, cache: &'static str) -> Response {
    (
        [(CONTENT_TYPE, file.content_type), (CACHE_CONTROL, cache)],
        file.body,
    )
        .into_response()
}

async fn security_headers(csp: HeaderValue, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    // Fragments never leave the browser, but a Referer would carry the path and query.
    set(REFERRER_POLICY, "no-referrer");
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    // For browsers older than `frame-ancestors`.
    set(X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    response
}

/// This function's part of the OpenAPI document: the pages, the assets (as the one
/// `/assets/{file}` route API Gateway has) and the document itself.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::{
        ContentBuilder, ObjectBuilder, OpenApiBuilder, PathItem, PathsBuilder, Required,
        ResponseBuilder, Type,
    };
    let text = || ObjectBuilder::new().schema_type(Type::String).build();
    let answer = |description: &str, media: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(media, ContentBuilder::new().schema(Some(text())).build())
            .build()
    };
    let get = |operation: OperationBuilder| PathItem::new(HttpMethod::Get, operation.build());
    let mut paths = PathsBuilder::new()
        .path(
            "/",
            get(OperationBuilder::new()
                .summary(Some("Sends visitors to the registration form"))
                .response("303", ResponseBuilder::new().description("To `/register`"))),
        )
        .path(
            OPENAPI.path,
            get(OperationBuilder::new()
                .summary(Some("This document"))
                .response(
                    "200",
                    ResponseBuilder::new()
                        .description("The OpenAPI 3.1 document")
                        .content(JSON, ContentBuilder::new().build()),
                )),
        )
        .path(
            "/assets/{file}",
            get(OperationBuilder::new()
                .summary(Some("A stylesheet, script or image of the pages"))
                .parameter(
                    ParameterBuilder::new()
                        .name("file")
                        .parameter_in(ParameterIn::Path)
                        .required(Required::True)
                        .schema(Some(text())),
                )
                .response("200", answer("The file", "*/*"))
                .response("404", ResponseBuilder::new().description("No such file"))),
        );
    for page in PAGES {
        paths = paths.path(
            page.path,
            get(OperationBuilder::new()
                .summary(Some(format!("The `{}` page", page.path)))
                .response("200", answer("The page", "text/html"))),
        );
    }
    OpenApiBuilder::new().paths(paths).build()
}
