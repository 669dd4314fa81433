//! Lists are read a page at a time; the store's cursor is opaque to everyone else.

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// 1..=100.
    pub limit: u32,
    /// The `next_cursor` of the previous page, as the store made it.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<String>) -> Result<Self, &'static str> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err("must be between 1 and 100");
        }
        Ok(Self { limit, cursor })
    }

    pub fn first(limit: u32) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
