use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

/// An answer, whatever carried it: the status, the headers, the body as sent and as JSON
/// (`null` when it is not JSON).
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn new(status: StatusCode, headers: HeaderMap, bytes: Vec<u8>) -> Self {
        Self {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes,
        }
    }

    /// Asserts the status and the problem's `code`.
    #[track_caller]
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
    }

    /// Asserts a 422 that names exactly these fields, in this order.
    #[track_caller]
    pub fn assert_invalid(&self, fields: &[&str]) {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            self.body
        );
        assert_eq!(self.fields(), fields, "{}", self.body);
    }

    /// The fields a 422 names, in its order.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|error| error["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of `field` in the body (an id, a token, a cursor); panics without one.
    pub fn id(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {} {}", self.status, self.body))
            .to_owned()
    }

    /// The `items` of a list.
    pub fn items(&self) -> &[Value] {
        self.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {} {}", self.status, self.body))
    }

    /// The text of `field` in every item of a list, in order.
    pub fn column(&self, field: &str) -> Vec<String> {
        self.items()
            .iter()
            .map(|item| {
                item[field]
                    .as_str()
                    .unwrap_or_else(|| panic!("no {field} in {item}"))
                    .to_owned()
            })
            .collect()
    }

    /// The rows of a bulk invitation (`results`).
    pub fn results(&self) -> &[Value] {
        self.body["results"]
            .as_array()
            .unwrap_or_else(|| panic!("no results in {} {}", self.status, self.body))
    }

    /// The body as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("a UTF-8 body")
    }

    /// A header's value as text; panics without it.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .expect("a text header")
    }
}
