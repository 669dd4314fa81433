use std::time::Duration;

/// One invalid input field, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Every invalid field of one input, so a client can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Keeps the parsed value, or records why `field` is invalid.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, &'static str>) -> Option<T> {
        parsed.map_err(|message| self.add(field, message)).ok()
    }

    /// Like [`FieldErrors::check`] for a field the client must send.
    pub fn require<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        match raw {
            Some(raw) => self.check(field, parse(raw)),
            None => {
                self.add(field, "is required");
                None
            }
        }
    }

    /// A field the client may leave out: absent or blank means "not given" (forms send
    /// empty strings). `None` when given but invalid.
    pub fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Option<Option<T>> {
        match raw.map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => self.check(field, parse(raw)).map(Some),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when no field was invalid; the value is only built then.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        match (self.is_empty(), build()) {
            (true, Some(value)) => Ok(value),
            _ => Err(self),
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// What a use case can answer besides success. The HTTP layer maps each variant to
/// exactly one status and problem code.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{} fields are invalid", .0.len())]
    Validation(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    InvalidState(&'static str),
    #[error("{0}")]
    CodeInvalid(&'static str),
    #[error("too many wrong codes; request a new code")]
    TooManyAttempts { retry_after: Duration },
    #[error("too many requests; try again later")]
    RateLimited { retry_after: Duration },
    #[error("{0}")]
    Conflict(&'static str),
    #[error("a contact must be linked before the request can be approved")]
    ContactRequired,
    #[error("the permission {0} is needed")]
    Forbidden(&'static str),
    /// Unknown, used, expired or revoked invitation: one answer for all.
    #[error("this invitation link is not valid any more; ask for a new invitation")]
    InvitationInvalid,
    /// Unknown, used or expired reset link: one answer for all.
    #[error("this link is not valid any more; ask for a new one")]
    TokenInvalid,
    /// Every failed login, whatever the reason.
    #[error("the username or password is wrong")]
    InvalidCredentials,
    /// A missing, invalid or outdated access or refresh token.
    #[error("a valid session is required")]
    Unauthenticated,
    #[error("the password {0}")]
    PasswordRejected(String),
    /// Removing a second factor or replacing recovery codes needs a fresh sign-in.
    #[error("sign in again to change your second factors")]
    RecentSignInRequired,
    #[error(transparent)]
    Store(StoreError),
}

impl DomainError {
    /// `Validation` of one field.
    pub fn invalid_field(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::Validation(errors)
    }
}

impl From<FieldErrors> for DomainError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

/// Failures of the store port. A failed condition means another writer got there first.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the expected prior state no longer holds")]
    ConditionFailed,
    /// The throttle window is full; the caller knows when it ends.
    #[error("rate limit reached")]
    Throttled,
    /// A uniqueness or existence rule refused the write (nothing was written).
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error("the cursor does not belong to this list")]
    InvalidCursor,
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Why the store refused a write, besides a moved version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another contact has this email.
    ContactEmailTaken,
    /// Another contact has this external reference.
    ExternalRefTaken,
    /// Another portal user has this username.
    UsernameTaken,
    /// The contact already has a portal user.
    ContactHasPortalUser,
    ContactMissing,
    OrganizationMissing,
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::InvalidCursor => {
                let mut errors = FieldErrors::new();
                errors.add("cursor", "is not a cursor of this list");
                Self::Validation(errors)
            }
            other => Self::Store(other),
        }
    }
}

impl From<Refusal> for DomainError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::ContactEmailTaken => {
                Self::Conflict("a contact with this email address exists already")
            }
            Refusal::ExternalRefTaken => {
                Self::Conflict("a contact with this external_ref exists already")
            }
            Refusal::UsernameTaken => {
                Self::Conflict("a portal user with this username exists already")
            }
            Refusal::ContactHasPortalUser => {
                Self::Conflict("the contact already has a portal user")
            }
            Refusal::ContactMissing => Self::NotFound,
            Refusal::OrganizationMissing => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "organization_id",
                    <crate::ids::Organization as crate::ids::IdKind>::UNKNOWN,
                );
                Self::Validation(errors)
            }
        }
    }
}
