//! DynamoDB failures in the port's terms: a failed condition is `ConditionFailed` (someone
//! else wrote first), everything else is `Unavailable` with the SDK's full explanation.

use std::error::Error;

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use portal_domain::{Refusal, StoreError};

pub(crate) fn unavailable(error: impl Error) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(error).to_string())
}

/// A request the SDK refused to build: a bug in this crate, not a client's fault.
pub(crate) fn invalid_request(error: BuildError) -> StoreError {
    StoreError::Unavailable(format!("invalid DynamoDB request: {error}"))
}

pub(crate) fn malformed_item(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("malformed item in the table: {error}"))
}

/// For PutItem and UpdateItem with a condition. A write refused because a transaction
/// was writing the same item at that moment lost a race too: read again and decide anew.
pub(crate) fn single_write_failed<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
{
    if matches!(
        error.code(),
        Some("ConditionalCheckFailedException" | "TransactionConflictException")
    ) {
        StoreError::ConditionFailed
    } else {
        unavailable(error)
    }
}

/// Why DynamoDB cancelled a transaction.
pub(crate) enum Cancellation {
    /// The conditions of some items in the request failed.
    ConditionsFailed(FailedConditions),
    /// Another transaction was writing the same items at that moment.
    Conflict,
    Failed(StoreError),
}

/// The items of a cancelled transaction whose condition failed, by position in the request.
pub(crate) struct FailedConditions(Vec<(usize, bool)>);

impl FailedConditions {
    pub fn at(&self, position: usize) -> bool {
        self.0.iter().any(|&(failed, _)| failed == position)
    }

    /// Whether the item at `position` existed when its condition failed. Only known when that
    /// item asked for `ReturnValuesOnConditionCheckFailure = ALL_OLD`; `false` otherwise.
    pub fn found(&self, position: usize) -> bool {
        self.0
            .iter()
            .any(|&(failed, existed)| failed == position && existed)
    }
}

pub(crate) fn cancellation<R: std::fmt::Debug>(
    error: SdkError<TransactWriteItemsError, R>,
) -> Cancellation {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return Cancellation::Failed(unavailable(error));
    };
    let reasons = cancelled.cancellation_reasons();
    let failed: Vec<(usize, bool)> = reasons
        .iter()
        .enumerate()
        .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
        .map(|(position, reason)| (position, reason.item().is_some()))
        .collect();
    if !failed.is_empty() || reasons.is_empty() {
        // Without reasons (some emulators) a lost race is the likeliest cause.
        Cancellation::ConditionsFailed(FailedConditions(failed))
    } else if reasons
        .iter()
        .any(|reason| reason.code() == Some("TransactionConflict"))
    {
        Cancellation::Conflict
    } else {
        // Cancelled for another reason (throughput, validation): not a lost race.
        Cancellation::Failed(unavailable(error))
    }
}

/// The usual reading of a cancelled transaction: another writer got there first.
pub(crate) fn transaction_failed<R: std::fmt::Debug>(
    error: SdkError<TransactWriteItemsError, R>,
) -> StoreError {
    refused(error, |_| None)
}

/// A cancelled transaction whose failed conditions may break a rule: `broken` names it, or
/// answers `None` for a lost race (a moved version, an id written meanwhile), which is
/// `ConditionFailed` so the caller reads again and decides anew.
pub(crate) fn refused<R: std::fmt::Debug>(
    error: SdkError<TransactWriteItemsError, R>,
    broken: impl FnOnce(&FailedConditions) -> Option<Refusal>,
) -> StoreError {
    match cancellation(error) {
        Cancellation::ConditionsFailed(failed) => {
            broken(&failed).map_or(StoreError::ConditionFailed, StoreError::Refused)
        }
        Cancellation::Conflict => StoreError::ConditionFailed,
        Cancellation::Failed(error) => error,
    }
}

/// What one item did to cancel a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blame {
    /// Its condition failed; `found` as in [`FailedConditions::found`].
    Condition { found: bool },
    /// Another transaction was writing it at that moment.
    Conflict,
}

/// The items to blame for a cancelled transaction, by position, for a caller that writes
/// independent things together and tries the blameless ones again. Empty when no reasons
/// came back (some emulators); an error when it was cancelled for a reason of its own
/// (throughput, validation) or was no cancellation at all.
pub(crate) fn blame<R: std::fmt::Debug>(
    error: SdkError<TransactWriteItemsError, R>,
) -> Result<Vec<(usize, Blame)>, StoreError> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return Err(unavailable(error));
    };
    let mut blamed = Vec::new();
    for (position, reason) in cancelled.cancellation_reasons().iter().enumerate() {
        match reason.code() {
            // DynamoDB says "None" for the items that were fine; moto leaves the code out.
            None | Some("None") => {}
            Some("ConditionalCheckFailed") => blamed.push((
                position,
                Blame::Condition {
                    found: reason.item().is_some(),
                },
            )),
            Some("TransactionConflict") => blamed.push((position, Blame::Conflict)),
            Some(_) => return Err(unavailable(error)),
        }
    }
    Ok(blamed)
}
