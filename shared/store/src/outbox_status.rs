use serde::{Deserialize, Serialize};

/// Where an outbox message is: waiting for delivery (possibly held by a deliverer's
/// claim), delivered, or given up on after its last try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Pending,
    Sent,
    Dead,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Dead]
            .into_iter()
            .find(|status| status.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::OutboxStatus;

    #[test]
    fn a_status_parses_back_from_its_name() {
        for status in [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::Dead,
        ] {
            assert_eq!(OutboxStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OutboxStatus::parse("lost"), None);
    }
}
