//! Typed identifiers (UUIDv7, so they sort by creation time and index well). A
//! `PatientId` can never be passed where an `ActionId` is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    OrganisationId,
    ProfessionalId,
    PatientId,
    MemberId,
    GoalId,
    ActionId,
    ServiceId,
    AccountId,
    TokenId,
    ThreadId,
    MessageId,
    RequestId,
    AttachmentId,
    JobId,
    NotificationId,
    MeetingId,
    ParticipantId,
    AgendaItemId,
    DecisionId,
    PreReadId,
    HandoverId,
    EnrolmentId,
    ScheduleId,
    ResponseId,
    AbsenceId,
    AlertId,
);
