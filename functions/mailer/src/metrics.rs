//! The run's counts as CloudWatch metrics, in Embedded Metric Format: one JSON line on
//! stdout that CloudWatch Logs turns into metrics, so the function needs no
//! `PutMetricData` call or permission. The `DeadEmails` alarm in `template.yaml` watches
//! the namespace, name and dimension written here.

use portal_domain::use_cases::DeliveryReport;
use serde_json::json;

pub const NAMESPACE: &str = "PortalOnboarding";
/// The one dimension, so the alarm names exactly this function's metrics.
pub const SERVICE: &str = "mailer";

/// The EMF line for a run that tried to send something; `None` for a run that did not
/// (most sweeps find nothing due): no datapoint then, and the alarm treats missing data
/// as fine.
pub fn emf_line(report: &DeliveryReport, timestamp_millis: u64) -> Option<String> {
    if report.sent + report.retrying + report.dead == 0 {
        return None;
    }
    let line = json!({
        "_aws": {
            "Timestamp": timestamp_millis,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Service"]],
                "Metrics": [
                    { "Name": "SentEmails", "Unit": "Count" },
                    { "Name": "RetryingEmails", "Unit": "Count" },
                    { "Name": "DeadEmails", "Unit": "Count" },
                ],
            }],
        },
        "Service": SERVICE,
        "SentEmails": report.sent,
        "RetryingEmails": report.retrying,
        "DeadEmails": report.dead,
    });
    Some(line.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn a_run_with_a_dead_message_writes_every_count_under_the_alarmed_name() {
        let report = DeliveryReport {
            sent: 3,
            retrying: 2,
            dead: 1,
            skipped: 4,
            left: 5,
        };

        let line = emf_line(&report, 1_763_892_000_000).expect("a line");

        assert!(!line.contains('\n'), "EMF needs one line: {line}");
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            parsed,
            json!({
                "_aws": {
                    "Timestamp": 1_763_892_000_000_u64,
                    "CloudWatchMetrics": [{
                        "Namespace": "PortalOnboarding",
                        "Dimensions": [["Service"]],
                        "Metrics": [
                            { "Name": "SentEmails", "Unit": "Count" },
                            { "Name": "RetryingEmails", "Unit": "Count" },
                            { "Name": "DeadEmails", "Unit": "Count" },
                        ],
                    }],
                },
                "Service": "mailer",
                "SentEmails": 3,
                "RetryingEmails": 2,
                "DeadEmails": 1,
            })
        );
    }

    #[test]
    fn every_declared_metric_has_its_value_at_the_root() {
        let report = DeliveryReport {
            sent: 1,
            ..Default::default()
        };
        let parsed: Value = serde_json::from_str(&emf_line(&report, 0).unwrap()).unwrap();

        let directive = &parsed["_aws"]["CloudWatchMetrics"][0];
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(parsed[name].is_u64(), "{name} has no value");
        }
        for dimension in directive["Dimensions"][0].as_array().unwrap() {
            let name = dimension.as_str().unwrap();
            assert!(parsed[name].is_string(), "{name} has no value");
        }
    }

    #[test]
    fn a_run_that_sent_nothing_writes_no_metrics() {
        let report = DeliveryReport {
            skipped: 2,
            left: 1,
            ..Default::default()
        };

        assert_eq!(emf_line(&report, 0), None);
    }
}
