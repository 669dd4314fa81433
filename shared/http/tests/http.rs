//! The shared HTTP behavior, in process, over a tiny router built like a function's.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::BodyExt;
use portal_domain::{DomainError, FieldErrors, StoreError};
use portal_http::{ApiJson, BODY_LIMIT, Problem, app};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Deserialize)]
struct Greeting {
    first_name: Option<String>,
    age: Option<u32>,
}

fn test_app() -> Router {
    let routes = Router::new()
        .route(
            "/greetings",
            post(|ApiJson(greeting): ApiJson<Greeting>| async move {
                axum::Json(json!({ "first_name": greeting.first_name, "age": greeting.age }))
            }),
        )
        .route(
            "/cached",
            axum::routing::get(|| async {
                ([(header::CACHE_CONTROL, "public, max-age=300")], "keys")
            }),
        )
        .route(
            "/store-failure",
            post(|| async {
                let cause = StoreError::Unavailable("table portal-secret-table is on fire".into());
                Problem::from(DomainError::Store(cause))
            }),
        );
    app(routes)
}

fn post_json(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

async fn send(request: Request<Body>) -> Response {
    test_app().oneshot(request).await.unwrap()
}

async fn json_body(response: Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// Asserts the response is problem+json with `status` and `code`, and returns its body.
async fn problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body = json_body(response).await;
    assert_eq!(body["type"], "about:blank");
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["code"], code, "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

async fn domain_problem(error: DomainError) -> (Response, Value) {
    let response = Problem::from(error).into_response();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        Response::from_parts(parts, Body::empty()),
        serde_json::from_slice(&bytes).unwrap(),
    )
}

#[tokio::test]
async fn every_answer_asks_for_https_and_none_is_cached_unless_its_route_says_so() {
    let answers = [
        send(post_json("/greetings", r#"{"first_name":"Ada"}"#)).await,
        send(post_json("/greetings", "{")).await,
        send(Request::get("/nowhere").body(Body::empty()).unwrap()).await,
    ];
    for answer in &answers {
        assert_eq!(
            answer.headers()[header::STRICT_TRANSPORT_SECURITY],
            "max-age=63072000; includeSubDomains"
        );
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-store");
    }

    let keys = send(Request::get("/cached").body(Body::empty()).unwrap()).await;

    assert_eq!(keys.headers()[header::CACHE_CONTROL], "public, max-age=300");
    assert!(
        keys.headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
}

#[tokio::test]
async fn a_well_formed_body_reaches_the_handler() {
    let response = send(post_json("/greetings", r#"{"first_name":"Ada","age":36}"#)).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!({ "first_name": "Ada", "age": 36 })
    );
}

#[tokio::test]
async fn missing_fields_are_left_to_the_domain() {
    let response = send(post_json("/greetings", "{}")).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn malformed_json_is_a_400_malformed_request() {
    let response = send(post_json("/greetings", r#"{"first_name": "Ada""#)).await;

    let body = problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("body is not valid JSON: "), "{detail}");
    assert!(body.get("errors").is_none());
}

#[tokio::test]
async fn an_empty_body_is_a_400_malformed_request() {
    let response = send(post_json("/greetings", "")).await;

    problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_400_naming_the_field() {
    let response = send(post_json("/greetings", r#"{"first_name": 5}"#)).await;

    let body = problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
    assert_eq!(
        body["detail"],
        "field `first_name`: invalid type: integer `5`, expected a string"
    );
    assert_eq!(
        body["errors"],
        json!([{ "field": "first_name", "message": "invalid type: integer `5`, expected a string" }])
    );
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_a_400() {
    let response = send(post_json("/greetings", "5")).await;

    let body = problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
    assert_eq!(
        body["detail"],
        "body: invalid type: integer `5`, expected struct Greeting"
    );
}

#[tokio::test]
async fn a_body_that_is_not_declared_as_json_is_a_400() {
    let request = Request::post("/greetings")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"first_name":"Ada"}"#))
        .unwrap();

    let body = problem(
        send(request).await,
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
    assert_eq!(body["detail"], "content-type must be application/json");
}

#[tokio::test]
async fn a_body_without_content_type_is_a_400() {
    let request = Request::post("/greetings")
        .body(Body::from(r#"{"first_name":"Ada"}"#))
        .unwrap();

    problem(
        send(request).await,
        StatusCode::BAD_REQUEST,
        "malformed_request",
    )
    .await;
}

#[tokio::test]
async fn a_json_suffix_media_type_is_accepted() {
    let request = Request::post("/greetings")
        .header(
            header::CONTENT_TYPE,
            "application/merge-patch+json; charset=utf-8",
        )
        .body(Body::from(r#"{"first_name":"Ada"}"#))
        .unwrap();

    assert_eq!(send(request).await.status(), StatusCode::OK);
}

/// A JSON string of exactly `len` bytes.
fn json_of_len(len: usize) -> String {
    format!("\"{}\"", "a".repeat(len - 2))
}

#[tokio::test]
async fn a_body_of_64_kib_is_accepted() {
    let body = format!(r#"{{"first_name":{}}}"#, json_of_len(BODY_LIMIT - 15));
    assert_eq!(body.len(), BODY_LIMIT);

    assert_eq!(
        send(post_json("/greetings", body)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_body_of_64_kib_plus_one_byte_is_a_413() {
    let body = format!(r#"{{"first_name":{}}}"#, json_of_len(BODY_LIMIT - 14));
    assert_eq!(body.len(), BODY_LIMIT + 1);

    let request = Request::post("/greetings")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();

    problem(
        send(request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn an_oversized_streamed_body_without_content_length_is_a_413() {
    // A body of unknown size, as with chunked transfer encoding.
    let body = Body::from(vec![b' '; 4 * BODY_LIMIT]);
    let request = post_json("/greetings", Body::from_stream(body.into_data_stream()));
    assert!(request.headers().get(header::CONTENT_LENGTH).is_none());

    problem(
        send(request).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let request = Request::get("/nowhere").body(Body::empty()).unwrap();

    problem(send(request).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_that_lists_the_allowed_ones() {
    let request = Request::delete("/greetings").body(Body::empty()).unwrap();

    let response = send(request).await;
    assert_eq!(response.headers()[header::ALLOW], "POST");
    problem(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn a_validation_error_is_a_422_naming_every_field() {
    let mut errors = FieldErrors::new();
    errors.add("email", "is not a valid email address");
    errors.add("first_name", "must not be empty");

    let (response, body) = domain_problem(DomainError::Validation(errors)).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({
            "type": "about:blank", "title": "Validation failed", "status": 422,
            "code": "validation_failed", "detail": "2 fields are invalid",
            "errors": [
                { "field": "email", "message": "is not a valid email address" },
                { "field": "first_name", "message": "must not be empty" }
            ]
        })
    );
}

#[tokio::test]
async fn a_single_invalid_field_is_counted_in_the_singular() {
    let mut errors = FieldErrors::new();
    errors.add("email", "must not be empty");

    let (_, body) = domain_problem(DomainError::Validation(errors)).await;

    assert_eq!(body["detail"], "1 field is invalid");
}

#[tokio::test]
async fn every_domain_error_maps_to_its_status_and_code() {
    let cases = [
        (DomainError::NotFound, 404, "not_found"),
        (
            DomainError::InvalidState("the request is already approved"),
            409,
            "invalid_state",
        ),
        (
            DomainError::CodeInvalid("the code is wrong or expired"),
            422,
            "code_invalid",
        ),
        (
            DomainError::TooManyAttempts {
                retry_after: Duration::from_secs(600),
            },
            429,
            "too_many_attempts",
        ),
        (
            DomainError::RateLimited {
                retry_after: Duration::from_secs(30),
            },
            429,
            "rate_limited",
        ),
        (DomainError::Conflict("the email is taken"), 409, "conflict"),
        (DomainError::ContactRequired, 409, "contact_required"),
        (
            DomainError::Forbidden("portal.users.manage"),
            403,
            "forbidden",
        ),
        (DomainError::InvitationInvalid, 410, "invitation_invalid"),
        (DomainError::TokenInvalid, 410, "token_invalid"),
        (DomainError::InvalidCredentials, 401, "invalid_credentials"),
        (DomainError::Unauthenticated, 401, "unauthenticated"),
        (
            DomainError::PasswordRejected("is too easy to guess".into()),
            422,
            "password_rejected",
        ),
        (
            DomainError::Store(StoreError::ConditionFailed),
            500,
            "internal_error",
        ),
    ];
    for (error, status, code) in cases {
        let (response, body) = domain_problem(error).await;
        assert_eq!(response.status().as_u16(), status, "{code}");
        assert_eq!(body["code"], code);
        assert_eq!(body["status"], status);
        assert!(body.get("errors").is_none(), "{code}: {body}");
    }
}

#[tokio::test]
async fn domain_details_reach_the_client() {
    let (_, body) = domain_problem(DomainError::CodeInvalid("the code is wrong or expired")).await;

    assert_eq!(body["detail"], "the code is wrong or expired");
}

#[tokio::test]
async fn throttling_answers_carry_retry_after_in_seconds() {
    let (limited, _) = domain_problem(DomainError::RateLimited {
        retry_after: Duration::from_millis(29_500),
    })
    .await;
    let (attempts, _) = domain_problem(DomainError::TooManyAttempts {
        retry_after: Duration::from_secs(600),
    })
    .await;

    assert_eq!(limited.headers()[header::RETRY_AFTER], "30");
    assert_eq!(attempts.headers()[header::RETRY_AFTER], "600");
}

#[tokio::test]
async fn a_store_failure_is_a_500_that_does_not_leak_the_cause() {
    let response = send(post_json("/store-failure", "")).await;

    let body = problem(
        response,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
    )
    .await;
    let text = body.to_string();
    assert!(!text.contains("portal-secret-table"), "{text}");
    assert!(!text.contains("fire"), "{text}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Something went wrong on our side")
    );
}

#[tokio::test]
async fn a_response_carries_a_new_request_id() {
    let response = send(post_json("/greetings", "{}")).await;

    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
}

#[tokio::test]
async fn request_ids_differ_between_requests() {
    let first = send(post_json("/greetings", "{}")).await;
    let second = send(post_json("/greetings", "{}")).await;

    assert_ne!(
        first.headers()["x-request-id"],
        second.headers()["x-request-id"]
    );
}

#[tokio::test]
async fn an_incoming_request_id_is_echoed() {
    let request = Request::get("/nowhere")
        .header("x-request-id", "trace-me-42")
        .body(Body::empty())
        .unwrap();

    let response = send(request).await;

    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn error_answers_carry_the_request_id_too() {
    let response = send(post_json("/greetings", "not json")).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().contains_key("x-request-id"));
}
