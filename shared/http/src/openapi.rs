//! The OpenAPI document's shared parts. Each function declares its operations with
//! `#[utoipa::path]` next to the handler, listing its success answers and the errors that
//! are its own (404, 409, 422…) by status and reason. [`finish`] adds what every operation
//! of a kind answers the same way, so no handler repeats it: the problem+json body of every
//! error, 500, the 400 and 413 of a body or a query, the 401 and 403 of a token, and the
//! two bearer schemes.

use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use utoipa::{PartialSchema, ToSchema};

use crate::problem::Body;

/// The security scheme of staff tokens (the company's identity provider).
pub const STAFF: &str = "staff";
/// The security scheme of portal access tokens (`POST /sessions`).
pub const PORTAL: &str = "portal";

const PROBLEM_JSON: &str = "application/problem+json";
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// `api` with every operation tagged `function`: the binary that serves it in AWS
/// (template.yaml routes each path to it; `shared/store/tests/deployment.rs` checks).
pub fn served_by(function: &str, api: OpenApi) -> Value {
    let mut document = serde_json::to_value(api).expect("an OpenAPI document serializes");
    for (_, _, operation) in operations(&mut document) {
        operation.insert("tags".into(), json!([function]));
    }
    document
}

/// The whole document from the functions' parts ([`served_by`]).
pub fn finish(title: &str, version: &str, parts: Vec<Value>) -> Value {
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Self-registration, staff review, invitations, sessions and \
                deactivation of a customer portal's external users. Errors are RFC 9457 \
                problem details; lists page with `next_cursor`.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                STAFF: {
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "A token of the company's identity provider with the \
                        `portal.users.manage` permission (and `portal.roles.assign` to give roles)."
                },
                PORTAL: {
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "A portal user's access token from `POST /sessions`."
                },
            },
        },
    });
    for part in parts {
        merge(&mut document, part);
    }
    let schemas = &mut document["components"]["schemas"];
    schemas["Problem"] = serde_json::to_value(Body::schema()).expect("schema serializes");
    let mut nested = Vec::new();
    Body::schemas(&mut nested);
    for (name, schema) in nested {
        schemas[name] = serde_json::to_value(schema).expect("schema serializes");
    }
    // Clients generate one method per operationId: two the same would clash.
    let mut ids = std::collections::BTreeSet::new();
    for (path, method, operation) in operations(&mut document) {
        if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
            assert!(
                ids.insert(id.to_owned()),
                "operationId {id} twice ({method} {path})"
            );
        }
        add_shared_answers(operation);
    }
    document
}

fn merge(document: &mut Value, part: Value) {
    let Value::Object(mut part) = part else {
        return;
    };
    if let Some(Value::Object(paths)) = part.remove("paths") {
        let all = document["paths"]
            .as_object_mut()
            .expect("paths is an object");
        for (path, item) in paths {
            let Value::Object(item) = item else { continue };
            let into = all.entry(path).or_insert_with(|| json!({}));
            into.as_object_mut()
                .expect("path item is an object")
                .extend(item);
        }
    }
    if let Some(Value::Object(schemas)) = part
        .remove("components")
        .and_then(|mut components| components.get_mut("schemas").map(Value::take))
    {
        document["components"]["schemas"]
            .as_object_mut()
            .expect("schemas is an object")
            .extend(schemas);
    }
}

/// Every operation of the document: path, method and the operation object.
fn operations(document: &mut Value) -> Vec<(String, &'static str, &mut Map<String, Value>)> {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(method) = METHODS.iter().find(|m| **m == method) else {
                continue;
            };
            if let Some(operation) = operation.as_object_mut() {
                found.push((path.clone(), *method, operation));
            }
        }
    }
    found
}

fn add_shared_answers(operation: &mut Map<String, Value>) {
    let has_body = operation.contains_key("requestBody");
    let has_query = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|params| params.iter().any(|p| p["in"] == "query"));
    let schemes: Vec<String> = operation
        .get("security")
        .and_then(Value::as_array)
        .map(|requirements| {
            requirements
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|r| r.keys().cloned())
                .collect()
        })
        .unwrap_or_default();
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    let too_large = format!(
        "The body is larger than {} KiB (`payload_too_large`).",
        crate::BODY_LIMIT / 1024
    );
    let mut shared = vec![(
        "500",
        "Something failed on the server's side (`internal_error`).",
    )];
    if has_body {
        shared.push((
            "400",
            "The body is not JSON, not `application/json`, or a field has the wrong type \
             (`malformed_request`, naming the field).",
        ));
        shared.push(("413", &too_large));
    } else if has_query {
        shared.push((
            "400",
            "A query parameter could not be read (`malformed_request`).",
        ));
    }
    if !schemes.is_empty() {
        shared.push((
            "401",
            "The bearer token is missing, malformed, expired, or its session has ended \
             (`unauthenticated`).",
        ));
    }
    if schemes.iter().any(|s| s == STAFF) {
        shared.push((
            "403",
            "The staff token lacks `portal.users.manage`, or a permission this action \
             needs (`forbidden`).",
        ));
    }
    for (status, description) in shared {
        responses
            .entry(status)
            .or_insert_with(|| json!({"description": description}));
    }
    for (status, response) in responses.iter_mut() {
        if status.as_str() < "400" {
            continue;
        }
        let response = response.as_object_mut().expect("response is an object");
        response.entry("content").or_insert_with(
            || json!({PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}),
        );
        let header = match status.as_str() {
            "401" => Some(("WWW-Authenticate", "`Bearer`: the challenge of RFC 6750.")),
            "429" => Some(("Retry-After", "Whole seconds to wait before trying again.")),
            _ => None,
        };
        if let Some((name, description)) = header {
            response.entry("headers").or_insert_with(
                || json!({name: {"description": description, "schema": {"type": "string"}}}),
            );
        }
    }
}

/// Optional text fields of requests, where blank counts as absent: the schema of the
/// type, or only spaces. For `#[schema(value_type = Option<PhoneOrBlank>, inline)]`.
macro_rules! or_blank {
    ($($name:ident = $parsed:ty),* $(,)?) => {$(
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
                let blank = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^\s*$"));
                OneOfBuilder::new()
                    .item(<$parsed as PartialSchema>::schema())
                    .item(blank)
                    .into()
            }
        }

        impl ToSchema for $name {}
    )*};
}

or_blank! {
    EmailOrBlank = portal_domain::types::EmailAddress,
    PhoneOrBlank = portal_domain::types::Phone,
    CompanyOrBlank = portal_domain::types::Company,
    LocaleOrBlank = portal_domain::types::Locale,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    /// Changes a thing.
    #[utoipa::path(post, path = "/things/{id}", operation_id = "change_thing",
        security(("staff" = [])), request_body = String,
        responses((status = 200, description = "Changed"), (status = 404, description = "None")))]
    #[allow(dead_code)]
    fn change_thing() {}

    /// Reads a thing.
    #[utoipa::path(get, path = "/things", operation_id = "read_things",
        responses((status = 200, description = "Read")))]
    #[allow(dead_code)]
    fn read_things() {}

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(change_thing, read_things))]
    struct Things;

    #[test]
    fn every_error_is_a_problem_and_every_operation_gets_the_answers_of_its_kind() {
        let document = finish("t", "1", vec![served_by("things", Things::openapi())]);
        let change = &document["paths"]["/things/{id}"]["post"];
        assert_eq!(change["tags"], json!(["things"]));
        let statuses: Vec<&String> = change["responses"].as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["200", "400", "401", "403", "404", "413", "500"]);
        for status in ["400", "401", "403", "404", "413", "500"] {
            assert_eq!(
                change["responses"][status]["content"][PROBLEM_JSON]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{status}"
            );
        }
        assert!(change["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());
        assert!(change["responses"]["200"]["content"].is_null());
        // No body, no query, no token: only the 500 is added.
        let read = &document["paths"]["/things"]["get"];
        let statuses: Vec<&String> = read["responses"].as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["200", "500"]);
        assert!(document["components"]["schemas"]["Problem"].is_object());
        assert!(document["components"]["securitySchemes"][STAFF].is_object());
    }

    #[test]
    #[should_panic(expected = "operationId change_thing twice")]
    fn two_operations_may_not_share_an_operation_id() {
        finish(
            "t",
            "1",
            vec![
                served_by("a", Things::openapi()),
                served_by("b", {
                    let mut api = Things::openapi();
                    let item = api.paths.paths.remove("/things/{id}").unwrap();
                    api.paths.paths.insert("/other/{id}".to_owned(), item);
                    api
                }),
            ],
        );
    }
}
