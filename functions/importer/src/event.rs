//! What an invocation asks for: a batch from the table's stream names new jobs; anything
//! else is the schedule's tick.

use portal_domain::ids::ImportId;
use serde_json::Value;

/// A job item's partition key is `IMPORT#<id>` and its sort key `IMPORT` (its chunks
/// share the partition with other sort keys).
const IMPORT_PREFIX: &str = "IMPORT#";
const JOB_SORT_KEY: &str = "IMPORT";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Run these new jobs, in stream order.
    Run(Vec<ImportId>),
    /// Run every open job, oldest first.
    Sweep,
}

impl Job {
    /// Reads an invocation payload. Only a payload that is no event at all is an error:
    /// records of another kind are ignored (the trigger's filter should have dropped
    /// them, and failing a stream batch would stall its shard).
    pub fn from_event(event: &Value) -> Result<Self, String> {
        let Some(object) = event.as_object() else {
            return Err(format!(
                "expected a DynamoDB stream batch or a scheduled event (a JSON object), got {event}"
            ));
        };
        let Some(records) = object.get("Records") else {
            return Ok(Self::Sweep);
        };
        let Some(records) = records.as_array() else {
            return Err("`Records` must be a list of stream records".into());
        };
        Ok(Self::Run(records.iter().filter_map(new_job_id).collect()))
    }
}

/// The id of the job a stream record inserted, if it is one.
fn new_job_id(record: &Value) -> Option<ImportId> {
    if record.get("eventName")?.as_str()? != "INSERT" {
        return None;
    }
    if record.pointer("/dynamodb/Keys/sk/S")?.as_str()? != JOB_SORT_KEY {
        return None;
    }
    let pk = record.pointer("/dynamodb/Keys/pk/S")?.as_str()?;
    ImportId::parse(pk.strip_prefix(IMPORT_PREFIX)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(event: &str, pk: &str, sk: &str) -> Value {
        json!({ "eventName": event, "dynamodb": { "Keys": { "pk": { "S": pk }, "sk": { "S": sk } } } })
    }

    #[test]
    fn a_stream_batch_names_the_new_jobs_only() {
        let id = portal_domain::testing::id_text("i1");
        let batch = json!({ "Records": [
            record("INSERT", &format!("IMPORT#{id}"), "IMPORT"),
            record("INSERT", &format!("IMPORT#{id}"), "CHUNK0000000001"),
            record("MODIFY", &format!("IMPORT#{id}"), "IMPORT"),
            record("INSERT", "OUTBOX#x", "OUTBOX"),
            record("INSERT", "IMPORT#not-an-id", "IMPORT"),
        ] });
        assert_eq!(
            Job::from_event(&batch).unwrap(),
            Job::Run(vec![ImportId::parse(&id).unwrap()])
        );
    }

    #[test]
    fn anything_else_is_a_sweep_and_no_object_is_an_error() {
        assert_eq!(Job::from_event(&json!({})).unwrap(), Job::Sweep);
        assert_eq!(
            Job::from_event(&json!({ "source": "portal.importer.sweep" })).unwrap(),
            Job::Sweep
        );
        assert!(Job::from_event(&json!([1])).is_err());
        assert!(Job::from_event(&json!({ "Records": 1 })).is_err());
    }
}
