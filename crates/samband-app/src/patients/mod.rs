//! The patient's record as a whole: registering a patient, the professional's
//! caseload, the overview, where the patient lives (for emergency numbers), and the
//! change history. Entry point: [`crate::App::patients`].

mod caseload;
mod country;
mod history;
mod overview;
mod register;

crate::kernel::capability!(
    /// Use cases on a patient's record as a whole (`app.patients()`).
    Patients
);
