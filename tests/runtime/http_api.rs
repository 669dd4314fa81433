//! API Gateway HTTP API events (payload format 2.0), as the `HttpApi` events of
//! `template.yaml` deliver them to a function, and the answers `lambda_http` gives back.

use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use super::emulator::Emulator;

/// A real event's shape (headers, request context, stage); each request fills in its own.
const EVENT: &str = include_str!("events/http-api.json");

/// One request to a route of the API.
pub struct Request {
    method: &'static str,
    /// The route as declared in `template.yaml`, e.g. `/registrations/{id}/verify`.
    route: &'static str,
    /// The path and query actually requested.
    target: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// The body is base64, as API Gateway sends one it does not take for text.
    base64: bool,
}

/// What API Gateway would send back to the client.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: Map<String, Value>,
    pub body: String,
}

impl Request {
    pub fn get(route: &'static str, target: impl Into<String>) -> Self {
        Self::new("GET", route, target)
    }

    pub fn post(route: &'static str, target: impl Into<String>) -> Self {
        Self::new("POST", route, target)
    }

    pub fn patch(route: &'static str, target: impl Into<String>) -> Self {
        Self::new("PATCH", route, target)
    }

    fn new(method: &'static str, route: &'static str, target: impl Into<String>) -> Self {
        Self {
            method,
            route,
            target: target.into(),
            headers: Vec::new(),
            body: None,
            base64: false,
        }
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw_json(body.to_string())
    }

    /// A body sent as JSON whatever it holds (for malformed ones).
    pub fn raw_json(mut self, body: impl Into<String>) -> Self {
        self.headers
            .push(("content-type".to_owned(), "application/json".to_owned()));
        self.body = Some(body.into());
        self
    }

    /// A form body (`application/x-www-form-urlencoded`), as OAuth clients send.
    pub fn form(mut self, body: impl Into<String>) -> Self {
        self.headers.push((
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        self.body = Some(body.into());
        self
    }

    /// A binary body (a file upload), base64-encoded as API Gateway passes it on.
    pub fn binary(mut self, content_type: &str, body: &[u8]) -> Self {
        use base64::Engine;
        self.headers
            .push(("content-type".to_owned(), content_type.to_owned()));
        self.body = Some(base64::engine::general_purpose::STANDARD.encode(body));
        self.base64 = true;
        self
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.headers
            .push(("authorization".to_owned(), format!("Bearer {token}")));
        self
    }

    /// The payload API Gateway sends for this request: route key, raw path and query,
    /// path parameters, lower-case headers, the body as text.
    pub fn event(&self) -> Value {
        let mut event: Value = serde_json::from_str(EVENT).expect("events/http-api.json");
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        let route_key = format!("{} {}", self.method, self.route);
        event["routeKey"] = json!(route_key);
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!(query);
        event["requestContext"]["routeKey"] = json!(route_key);
        event["requestContext"]["http"]["method"] = json!(self.method);
        event["requestContext"]["http"]["path"] = json!(path);
        let parameters = path_parameters(self.route, path);
        if !parameters.is_empty() {
            event["pathParameters"] = Value::Object(parameters);
        }
        if !query.is_empty() {
            event["queryStringParameters"] = query_parameters(query);
        }
        let headers = event["headers"].as_object_mut().expect("headers");
        for (name, value) in &self.headers {
            headers.insert(name.clone(), json!(value));
        }
        let length = self.body.as_ref().map_or(0, String::len);
        headers.insert("content-length".to_owned(), json!(length.to_string()));
        if let Some(body) = &self.body {
            event["body"] = json!(body);
            event["isBase64Encoded"] = json!(self.base64);
        }
        event
    }

    /// Invokes `function` with this request's event; the invocation itself must succeed
    /// (an error there is what API Gateway turns into a bare 502).
    pub async fn send(&self, emulator: &Emulator, function: &str) -> Answer {
        let invocation = emulator.invoke(function, &self.event()).await;
        assert_eq!(
            invocation.status,
            StatusCode::OK,
            "{} {} failed in {function} (API Gateway would answer 502): {}\n{}",
            self.method,
            self.target,
            invocation.payload,
            emulator.printed()
        );
        Answer::from_payload(&invocation.payload)
    }
}

impl Answer {
    /// An API Gateway v2 response payload: `statusCode`, `headers`, `body` (text unless
    /// `isBase64Encoded`).
    fn from_payload(payload: &Value) -> Self {
        let status = payload["statusCode"]
            .as_u64()
            .and_then(|code| StatusCode::from_u16(u16::try_from(code).ok()?).ok())
            .unwrap_or_else(|| panic!("no statusCode in {payload}"));
        assert_ne!(
            payload["isBase64Encoded"], true,
            "a text answer came base64-encoded: {payload}"
        );
        Self {
            status,
            headers: payload["headers"].as_object().cloned().unwrap_or_default(),
            body: payload["body"].as_str().unwrap_or_default().to_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    /// A problem+json answer with this status and `code`.
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        assert_eq!(self.json()["code"], code, "{}", self.body);
    }
}

/// `{name}` segments of `route` matched against `path`.
fn path_parameters(route: &str, path: &str) -> Map<String, Value> {
    route
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(pattern, value)| {
            let name = pattern.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_owned(), json!(value)))
        })
        .collect()
}

/// API Gateway joins repeated parameters with commas.
fn query_parameters(query: &str) -> Value {
    let mut parameters = Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match parameters.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                parameters.insert(name.to_owned(), json!(value));
            }
        }
    }
    Value::Object(parameters)
}
