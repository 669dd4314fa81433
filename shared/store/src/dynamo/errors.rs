//! DynamoDB failures in the port's terms: a failed condition is `ConditionFailed` (someone
//! else wrote first), everything else is `Unavailable` with the SDK's full explanation.

use std::error::Error;

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use portal_domain::StoreError;

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

/// For PutItem and UpdateItem with a condition.
pub(crate) fn single_write_failed<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
{
    if error.code() == Some("ConditionalCheckFailedException") {
        StoreError::ConditionFailed
    } else {
        unavailable(error)
    }
}

/// Why DynamoDB cancelled a transaction.
pub(crate) enum Cancellation {
    /// The conditions of the items at these positions in the request failed.
    ConditionsFailed(Vec<usize>),
    /// Another transaction was writing the same items at that moment.
    Conflict,
    Failed(StoreError),
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
    let failed_conditions: Vec<usize> = reasons
        .iter()
        .enumerate()
        .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
        .map(|(position, _)| position)
        .collect();
    if !failed_conditions.is_empty() || reasons.is_empty() {
        // Without reasons (some emulators) a lost race is the likeliest cause.
        Cancellation::ConditionsFailed(failed_conditions)
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
    match cancellation(error) {
        Cancellation::ConditionsFailed(_) | Cancellation::Conflict => StoreError::ConditionFailed,
        Cancellation::Failed(error) => error,
    }
}
