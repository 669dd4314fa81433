//! Environment variables, declared by the code that reads them: a function's configuration
//! lists its variables, so the deployment (template.yaml) is checked against the code and
//! not against a copy of the names.

/// One variable a cold start reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Variable {
    pub name: &'static str,
    /// Without it the cold start fails; an optional one has a default.
    pub required: bool,
}

impl Variable {
    pub const fn required(name: &'static str) -> Self {
        Self {
            name,
            required: true,
        }
    }

    pub const fn optional(name: &'static str) -> Self {
        Self {
            name,
            required: false,
        }
    }

    /// Its value from `lookup`; blank counts as unset.
    pub fn read(&self, lookup: &impl Fn(&str) -> Option<String>) -> Option<String> {
        lookup(self.name).filter(|value| !value.trim().is_empty())
    }

    /// Its value, or an error naming it.
    pub fn require(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
        self.read(lookup)
            .ok_or_else(|| format!("environment variable {} is not set", self.name))
    }
}
