//! Signals from self-monitoring (issue 12, item 4): three classes of alert, each
//! landing on a named person with a deadline, escalating until someone acknowledges
//! it with an outcome. Pure rules only: the detectors (`detect.rs`) over small input
//! types of their own (so scored questionnaire responses, patient buttons and check-in
//! schedules all feed them the same way), deadlines on the working-day calendar
//! (`deadline.rs`), who gets an alert and who is next when nobody answers
//! (`routing.rs`), and the alert itself with its acknowledgement (`alert.rs`).

pub mod alert;
pub mod deadline;
pub mod detect;
pub mod routing;

pub use alert::{AckInput, Acknowledgement, Alert, AlertStatus, Outcome};
pub use deadline::{first_deadline, step_deadline, Due};
pub use detect::{detect_engagement, detect_score, Detection, Reason, ScorePoint, Thresholds};
pub use routing::{chain, Route, RouteReason};

crate::string_enum!(
    /// What kind of signal an alert is; at most one open alert per patient and class.
    SignalClass {
        /// Risk to life: PHQ-9 item 9 at or above the threshold, or a patient-reported
        /// crisis. Due the same day, never cleared automatically.
        Safety = "safety",
        /// Getting worse: a score risen by the threshold or a band, or a warning sign
        /// of the patient's own ticked. Reviewed by the next working day.
        Deterioration = "deterioration",
        /// Dropping out: check-ins missed in a row, or no answer for days.
        Engagement = "engagement",
    }
);

crate::string_enum!(
    /// Where the trigger came from.
    SignalSource {
        /// A scored questionnaire response.
        Score = "score",
        /// The patient pressed a button on their own pages.
        Patient = "patient",
        /// A check-in schedule's due dates against its answers.
        Schedule = "schedule",
    }
);
