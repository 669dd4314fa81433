//! The store port of `portal-domain`, twice: on one DynamoDB table ([`DynamoStore`]) and
//! in process with a JSON-lines journal ([`EmbeddedStore`]). Both answer every port method
//! with one atomic write, and one contract suite (`tests/contract.rs`) holds them to the
//! same behaviour.

mod connect;
mod contact_search;
mod cursor;
mod dead_letters;
mod dynamo;
mod embedded;
mod members;
mod organization_list;
mod outbox_status;
mod records;
mod review_queue;
mod sortable;
pub mod table;

pub use connect::connect_dynamodb;
pub use dynamo::DynamoStore;
pub use embedded::EmbeddedStore;
pub use outbox_status::OutboxStatus;
