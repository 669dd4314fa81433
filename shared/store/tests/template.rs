//! `template.yaml` must declare the table the code creates locally: the same keys, index and
//! TTL as `portal_store::table::TABLE`, or what runs in AWS differs from what was tested.

use std::collections::BTreeSet;

use portal_store::table::{KeySchema, TABLE};
use serde_yaml::Value;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");

/// The template's `Table` properties, with CloudFormation tags (`!Ref`, `!Sub`, ...) unwrapped.
fn table_properties() -> Value {
    let text = std::fs::read_to_string(TEMPLATE)
        .unwrap_or_else(|error| panic!("cannot read {TEMPLATE}: {error}"));
    let template: Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|error| panic!("{TEMPLATE} is not YAML: {error}"));
    let table = &untagged(template)["Resources"]["Table"];
    assert_eq!(
        table["Type"].as_str(),
        Some("AWS::DynamoDB::Table"),
        "{TEMPLATE} needs a resource `Table` of type AWS::DynamoDB::Table"
    );
    table["Properties"].clone()
}

fn untagged(value: Value) -> Value {
    match value {
        Value::Tagged(tagged) => untagged(tagged.value),
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(untagged).collect()),
        Value::Mapping(entries) => Value::Mapping(
            entries
                .into_iter()
                .map(|(key, value)| (untagged(key), untagged(value)))
                .collect(),
        ),
        other => other,
    }
}

fn text<'a>(value: &'a Value, what: &str) -> &'a str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{TEMPLATE}: {what} should be a string, found {value:?}"))
}

fn sequence<'a>(value: &'a Value, what: &str) -> &'a [Value] {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("{TEMPLATE}: {what} should be a list, found {value:?}"))
}

/// A `KeySchema` list as (partition key, sort key).
fn key_schema(value: &Value, what: &str) -> (String, String) {
    let mut hash = None;
    let mut range = None;
    for element in sequence(value, what) {
        let name = text(&element["AttributeName"], what).to_owned();
        match text(&element["KeyType"], what) {
            "HASH" => hash = Some(name),
            "RANGE" => range = Some(name),
            other => panic!("{TEMPLATE}: {what} has an unknown KeyType {other}"),
        }
    }
    (
        hash.unwrap_or_else(|| panic!("{TEMPLATE}: {what} has no HASH key")),
        range.unwrap_or_else(|| panic!("{TEMPLATE}: {what} has no RANGE key")),
    )
}

fn expected_key(key: KeySchema) -> (String, String) {
    (key.partition_key.to_owned(), key.sort_key.to_owned())
}

#[test]
fn the_template_table_is_billed_on_demand() {
    let properties = table_properties();
    assert_eq!(
        text(&properties["BillingMode"], "BillingMode"),
        TABLE.billing_mode
    );
}

#[test]
fn the_template_declares_the_same_attribute_definitions() {
    let properties = table_properties();
    let declared: BTreeSet<(String, String)> =
        sequence(&properties["AttributeDefinitions"], "AttributeDefinitions")
            .iter()
            .map(|definition| {
                (
                    text(&definition["AttributeName"], "AttributeName").to_owned(),
                    text(&definition["AttributeType"], "AttributeType").to_owned(),
                )
            })
            .collect();
    let expected: BTreeSet<(String, String)> = TABLE
        .attribute_definitions()
        .into_iter()
        .map(|(name, kind)| (name.to_owned(), kind.to_owned()))
        .collect();
    assert_eq!(
        declared, expected,
        "AttributeDefinitions in {TEMPLATE} (left) differ from portal_store::table::TABLE (right)"
    );
}

#[test]
fn the_template_declares_the_same_table_key() {
    let properties = table_properties();
    assert_eq!(
        key_schema(&properties["KeySchema"], "KeySchema"),
        expected_key(TABLE.key),
        "the table KeySchema in {TEMPLATE} (left) differs from portal_store::table::TABLE (right)"
    );
}

#[test]
fn the_template_declares_the_same_global_secondary_indexes() {
    let properties = table_properties();
    let declared: Vec<(String, (String, String), String)> = sequence(
        &properties["GlobalSecondaryIndexes"],
        "GlobalSecondaryIndexes",
    )
    .iter()
    .map(|index| {
        let name = text(&index["IndexName"], "IndexName").to_owned();
        let what = format!("index {name} KeySchema");
        (
            name.clone(),
            key_schema(&index["KeySchema"], &what),
            text(
                &index["Projection"]["ProjectionType"],
                &format!("index {name} Projection.ProjectionType"),
            )
            .to_owned(),
        )
    })
    .collect();
    let expected: Vec<(String, (String, String), String)> = TABLE
        .indexes
        .iter()
        .map(|index| {
            (
                index.name.to_owned(),
                expected_key(index.key),
                index.projection.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        declared, expected,
        "GlobalSecondaryIndexes (name, keys, projection) in {TEMPLATE} (left) differ from \
         portal_store::table::TABLE (right)"
    );
}

#[test]
fn the_template_enables_ttl_on_the_same_attribute() {
    let properties = table_properties();
    let ttl = &properties["TimeToLiveSpecification"];
    assert_eq!(
        text(
            &ttl["AttributeName"],
            "TimeToLiveSpecification.AttributeName"
        ),
        TABLE.ttl_attribute,
        "the TTL attribute in {TEMPLATE} differs from portal_store::table::TABLE"
    );
    assert_eq!(
        ttl["Enabled"].as_bool(),
        Some(true),
        "TTL must be enabled in {TEMPLATE}"
    );
}

/// The table holds every user, contact and request: nothing deletes it, by accident or by
/// a stack update that replaces it, and it can be restored to any second of the last 35 days.
#[test]
fn the_template_table_is_protected_from_deletion_and_recoverable() {
    let text = std::fs::read_to_string(TEMPLATE)
        .unwrap_or_else(|error| panic!("cannot read {TEMPLATE}: {error}"));
    let template: Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|error| panic!("{TEMPLATE} is not YAML: {error}"));
    let table = &untagged(template)["Resources"]["Table"];
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(table["UpdateReplacePolicy"].as_str(), Some("Retain"));
    let properties = &table["Properties"];
    assert_eq!(
        properties["DeletionProtectionEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    // The mailer reads new outbox messages from the stream (functions/mailer/src/event.rs).
    assert_eq!(
        properties["StreamSpecification"]["StreamViewType"].as_str(),
        Some("NEW_IMAGE")
    );
}
