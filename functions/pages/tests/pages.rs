//! Every page and asset through the router, in process: content types, caching and the
//! security headers; and the files themselves: nothing inline, nothing from another origin,
//! a label for every field.

use axum::Router;
use axum::http::{Method, StatusCode};
use portal_pages::{ASSET_CACHE, ASSETS, CSP, Embedded, HTML_CACHE, PAGES, router};
use portal_testkit::{Api, Reply};

const PAGE_ROUTES: [&str; 7] = [
    "/register",
    "/welcome",
    "/login",
    "/reset",
    "/account",
    "/staff",
    "/org",
];

async fn request(app: Router, method: Method, path: &str) -> Reply {
    Api::in_process(app).call(method, path, None, None).await
}

async fn get(path: &str) -> Reply {
    request(router(None), Method::GET, path).await
}

fn assert_security_headers(path: &str, answer: &Reply) {
    assert_eq!(answer.header("content-security-policy"), CSP, "{path}");
    assert_eq!(answer.header("referrer-policy"), "no-referrer", "{path}");
    assert_eq!(answer.header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(answer.header("x-frame-options"), "DENY", "{path}");
}

#[test]
fn the_policy_allows_this_origin_only_and_no_framing() {
    for directive in [
        "default-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(CSP.contains(directive), "{directive} is missing from {CSP}");
    }
    assert!(!CSP.contains("unsafe"), "{CSP}");
}

#[tokio::test]
async fn only_the_console_may_post_a_form_on_to_the_staff_provider() {
    let app = || router(Some("https://login.example.com/tenant/v2.0"));
    let staff = request(app(), Method::GET, "/staff").await;
    let register = request(app(), Method::GET, "/register").await;

    assert_eq!(
        staff.header("content-security-policy"),
        CSP.replace(
            "form-action 'self'",
            "form-action 'self' https://login.example.com"
        )
    );
    assert_eq!(register.header("content-security-policy"), CSP);
}

#[tokio::test]
async fn every_page_is_html_with_the_security_headers_and_no_cache() {
    let served: Vec<_> = PAGES.iter().map(|page| page.path).collect();
    assert_eq!(served, PAGE_ROUTES);

    for path in PAGE_ROUTES {
        let answer = get(path).await;

        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            answer.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(answer.header("cache-control"), HTML_CACHE, "{path}");
        assert_security_headers(path, &answer);
        assert!(answer.text().starts_with("<!doctype html>"), "{path}");
    }
}

#[tokio::test]
async fn every_asset_has_its_content_type_a_short_cache_and_the_security_headers() {
    for asset in ASSETS {
        let answer = get(asset.path).await;

        assert_eq!(answer.status, StatusCode::OK, "{}", asset.path);
        let expected = match asset.path.rsplit('.').next() {
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("svg") => "image/svg+xml",
            other => panic!("an asset of an unexpected kind: {other:?}"),
        };
        assert_eq!(answer.header("content-type"), expected, "{}", asset.path);
        assert_eq!(
            answer.header("cache-control"),
            ASSET_CACHE,
            "{}",
            asset.path
        );
        assert_security_headers(asset.path, &answer);
        assert_eq!(answer.text(), asset.body);
    }
}

#[tokio::test]
async fn head_requests_get_the_headers_without_the_page() {
    let answer = request(router(None), Method::HEAD, "/register").await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_security_headers("/register", &answer);
    assert!(answer.bytes.is_empty());
}

#[tokio::test]
async fn the_root_sends_visitors_to_the_registration_form() {
    let answer = get("/").await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header("location"), "/register");
    assert_security_headers("/", &answer);
}

#[tokio::test]
async fn an_unknown_asset_is_the_apis_404_and_pages_do_not_take_posts() {
    let app = || portal_http::app(router(None));

    let missing = request(app(), Method::GET, "/assets/nope.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("content-type"), "application/problem+json");

    let posted = request(app(), Method::POST, "/register").await;
    assert_eq!(posted.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_shared_layers_keep_the_security_headers_and_add_a_request_id() {
    let answer = request(portal_http::app(router(None)), Method::GET, "/welcome").await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_security_headers("/welcome", &answer);
    assert!(answer.headers.contains_key(portal_http::REQUEST_ID_HEADER));
}

// ---- The files themselves -----------------------------------------------------------

/// Every `name="value"` of every tag named `tag` in `html`.
fn attribute_values<'a>(html: &'a str, tag: &str, name: &str) -> Vec<&'a str> {
    tags(html, tag)
        .into_iter()
        .filter_map(|tag| attribute(tag, name))
        .collect()
}

/// The opening tags `<tag …>` in `html`.
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find('>').expect("a closed tag");
        if after.starts_with([' ', '>', '\n']) {
            found.push(&rest[start..start + open.len() + end + 1]);
        }
        rest = &after[end..];
    }
    found
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

fn asset(path: &str) -> Option<&'static Embedded> {
    ASSETS.iter().find(|asset| asset.path == path)
}

#[test]
fn pages_have_no_inline_code_and_load_only_this_origins_assets() {
    for page in PAGES {
        let html = page.body;
        assert!(!html.contains("<style"), "{}: a style element", page.path);
        assert!(
            !html.contains(" style=\""),
            "{}: a style attribute",
            page.path
        );
        assert!(
            !html.split(" on").skip(1).any(is_event_handler),
            "{}: an inline event handler",
            page.path
        );
        for script in tags(html, "script") {
            let src = attribute(script, "src")
                .unwrap_or_else(|| panic!("{}: an inline script", page.path));
            assert!(asset(src).is_some(), "{}: {src} is not served", page.path);
            assert_eq!(attribute(script, "type"), Some("module"), "{}", page.path);
        }
        for href in attribute_values(html, "link", "href") {
            assert!(asset(href).is_some(), "{}: {href} is not served", page.path);
        }
        for href in attribute_values(html, "a", "href") {
            // `/staff/login` starts a staff sign-in (the approval function's route).
            let ours = PAGES.iter().any(|page| page.path == href)
                || href == "#main"
                || href == "/staff/login";
            assert!(ours, "{}: a link to {href}", page.path);
        }
    }
}

fn is_event_handler(after_on: &str) -> bool {
    let name: String = after_on
        .chars()
        .take_while(char::is_ascii_lowercase)
        .collect();
    !name.is_empty() && after_on[name.len()..].starts_with("=\"")
}

#[test]
fn every_page_is_responsive_in_english_and_has_its_live_regions() {
    for page in PAGES {
        let html = page.body;
        assert!(html.contains("<html lang=\"en\">"), "{}", page.path);
        assert!(
            html.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            ),
            "{}",
            page.path
        );
        assert!(
            html.contains(
                "id=\"problem\" class=\"problem\" role=\"alert\" aria-live=\"assertive\""
            ),
            "{}: the alert region",
            page.path
        );
        assert!(
            html.contains("id=\"status\" class=\"status\" role=\"status\" aria-live=\"polite\""),
            "{}: the status region",
            page.path
        );
        assert!(html.contains("<main id=\"main\""), "{}", page.path);
    }
}

#[test]
fn every_field_has_a_label() {
    for page in PAGES {
        let html = page.body;
        let labelled: Vec<_> = attribute_values(html, "label", "for");
        for kind in ["input", "select", "textarea"] {
            for field in tags(html, kind) {
                let id = attribute(field, "id")
                    .unwrap_or_else(|| panic!("{}: a field without an id: {field}", page.path));
                assert!(
                    labelled.contains(&id),
                    "{}: #{id} has no <label for>",
                    page.path
                );
            }
        }
        let mut ids = attribute_values(html, "input", "id");
        ids.extend(attribute_values(html, "select", "id"));
        ids.extend(attribute_values(html, "textarea", "id"));
        for target in labelled {
            assert!(
                ids.contains(&target),
                "{}: a label for a missing #{target}",
                page.path
            );
        }
    }
}

#[test]
fn scripts_build_the_page_with_dom_calls_and_import_only_served_modules() {
    for script in ASSETS.iter().filter(|asset| asset.path.ends_with(".js")) {
        // The staff console's language (a preference, no secret) is the one thing kept in
        // localStorage: these two uses are allowed, any other is not.
        let body = script
            .body
            .replace("localStorage.getItem('portal.staff_lang')", "")
            .replace("localStorage.setItem('portal.staff_lang',", "");
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "localStorage",
            "http://",
            "https://",
        ] {
            assert!(
                !body.contains(forbidden),
                "{} uses {forbidden}",
                script.path
            );
        }
        for line in script.body.lines() {
            if let Some(start) = line.find("from '") {
                let module = &line[start + 6..];
                let module = &module[..module.find('\'').expect("a quoted module")];
                assert!(asset(module).is_some(), "{}: imports {module}", script.path);
            }
        }
    }
}

#[test]
fn every_page_loads_the_stylesheet_and_a_module_of_its_own() {
    for page in PAGES {
        assert!(
            page.body
                .contains("<link rel=\"stylesheet\" href=\"/assets/app.css\">"),
            "{}",
            page.path
        );
        let own = format!("/assets{}.js", page.path);
        assert!(
            page.body
                .contains(&format!("<script type=\"module\" src=\"{own}\"></script>")),
            "{}",
            page.path
        );
        assert!(asset(&own).is_some(), "{own}");
    }
}

#[tokio::test]
async fn the_openapi_document_is_served_as_json_with_every_page_in_it() {
    let answer = get("/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/json");
    let document: serde_json::Value = serde_json::from_str(answer.text()).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    for page in PAGE_ROUTES {
        assert_eq!(document["paths"][page]["get"]["tags"][0], "pages", "{page}");
    }
}
