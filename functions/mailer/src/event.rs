//! What an invocation asks for. The function has two triggers and one handler: a batch
//! from the table's stream names new messages; anything else is the schedule's tick.

use serde_json::Value;

/// The outbox item's partition key is `OUTBOX#<message id>`.
const OUTBOX_PREFIX: &str = "OUTBOX#";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Try these new messages now, in stream order.
    Deliver(Vec<String>),
    /// Deliver whatever is due, oldest first.
    Sweep,
}

impl Job {
    /// Reads an invocation payload. Only a payload that is no event at all is an error:
    /// records of another kind are ignored, because the trigger's filter should already
    /// have dropped them and failing a stream batch would stall its shard.
    pub fn from_event(event: &Value) -> Result<Self, String> {
        let Some(object) = event.as_object() else {
            return Err(format!(
                "expected a DynamoDB stream batch or a scheduled event (a JSON object), got {}",
                kind_of(event)
            ));
        };
        // EventBridge sends an object without `Records` (Scheduler may send `{}`).
        let Some(records) = object.get("Records") else {
            return Ok(Self::Sweep);
        };
        let Some(records) = records.as_array() else {
            return Err(format!(
                "`Records` must be a list of stream records, got {}",
                kind_of(records)
            ));
        };
        Ok(Self::Deliver(
            records.iter().filter_map(new_message_id).collect(),
        ))
    }
}

/// The id of the message a stream record inserted, if it is one. Read by path rather
/// than into the full stream-record type: two fields are all this needs, and a record
/// of an unexpected shape is simply not a new message.
fn new_message_id(record: &Value) -> Option<String> {
    // Only an insert is a new message; modifies are the deliverers' own bookkeeping.
    if record.get("eventName")?.as_str()? != "INSERT" {
        return None;
    }
    let pk = record.pointer("/dynamodb/Keys/pk/S")?.as_str()?;
    let id = pk.strip_prefix(OUTBOX_PREFIX)?;
    (!id.is_empty()).then(|| id.to_owned())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(event_name: &str, pk: &str, sk: &str) -> Value {
        json!({
            "eventID": "c4ca4238a0b923820dcc509a6f75849b",
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-central-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_763_900_000,
                "Keys": { "pk": { "S": pk }, "sk": { "S": sk } },
                "NewImage": {
                    "pk": { "S": pk },
                    "sk": { "S": sk },
                    "gsi1pk": { "S": "OUTBOX#pending" },
                    "attempts": { "N": "1" }
                },
                "SequenceNumber": "4421584500000000017450439091",
                "SizeBytes": 120,
                "StreamViewType": "NEW_IMAGE"
            },
            "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/portal/stream/2026-11-23T10:00:00.000"
        })
    }

    #[test]
    fn a_stream_batch_delivers_only_inserted_outbox_messages() {
        let event = json!({ "Records": [
            record("INSERT", "OUTBOX#01JDKZ0A", "OUTBOX"),
            record("MODIFY", "OUTBOX#01JDKZ0B", "OUTBOX"),
            record("INSERT", "REG#01JDKZ0C", "REG"),
            record("REMOVE", "OUTBOX#01JDKZ0D", "OUTBOX"),
            record("INSERT", "OUTBOX#01JDKZ0E", "OUTBOX"),
        ]});

        let job = Job::from_event(&event).unwrap();

        assert_eq!(
            job,
            Job::Deliver(vec!["01JDKZ0A".into(), "01JDKZ0E".into()])
        );
    }

    #[test]
    fn a_stream_record_of_another_shape_is_ignored_rather_than_failing_the_batch() {
        let event = json!({ "Records": [
            { "eventName": "INSERT" },
            { "eventName": "INSERT", "dynamodb": { "Keys": { "pk": { "N": "1" } } } },
            { "eventName": "INSERT", "dynamodb": { "Keys": { "pk": "OUTBOX#m0" } } },
            "not a record",
            record("INSERT", "OUTBOX#", "OUTBOX"),
            record("INSERT", "OUTBOX#m1", "OUTBOX"),
        ]});

        assert_eq!(
            Job::from_event(&event).unwrap(),
            Job::Deliver(vec!["m1".into()])
        );
    }

    #[test]
    fn an_empty_batch_delivers_nothing() {
        assert_eq!(
            Job::from_event(&json!({ "Records": [] })).unwrap(),
            Job::Deliver(vec![])
        );
    }

    #[test]
    fn a_scheduled_event_sweeps() {
        let eventbridge_rule = json!({
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-23T10:00:00Z",
            "region": "eu-central-1",
            "resources": ["arn:aws:events:eu-central-1:123456789012:rule/portal-sweep"],
            "detail": {}
        });

        // What template.yaml's ScheduleV2 event sends.
        let scheduler: Value = serde_json::from_str(r#"{"source":"portal.mailer.sweep"}"#).unwrap();

        assert_eq!(Job::from_event(&eventbridge_rule).unwrap(), Job::Sweep);
        assert_eq!(Job::from_event(&scheduler).unwrap(), Job::Sweep);
        assert_eq!(Job::from_event(&json!({})).unwrap(), Job::Sweep);
    }

    #[test]
    fn a_payload_that_is_no_event_is_a_clear_error() {
        let error = Job::from_event(&json!("sweep")).unwrap_err();
        assert_eq!(
            error,
            "expected a DynamoDB stream batch or a scheduled event (a JSON object), got a string"
        );

        let error = Job::from_event(&json!({ "Records": "OUTBOX#m1" })).unwrap_err();
        assert_eq!(
            error,
            "`Records` must be a list of stream records, got a string"
        );
    }
}
