//! Absence periods of professionals (leave, courses, illness) with an optional named
//! deputy. Signals are routed around an absent coordinator to their deputy, so an
//! absence is a whole-day period and two periods of one person never overlap: the
//! router must find exactly one answer to "who stands in for them today".

use crate::ids::{AbsenceId, ProfessionalId};
use crate::text::{self, DateWindow, LONG};
use crate::ValidationErrors;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub id: AbsenceId,
    pub professional_id: ProfessionalId,
    /// First and last day away (inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Who stands in: another professional, used by the router only while they are an
    /// active member of the patient's team and not away themselves.
    pub deputy: Option<ProfessionalId>,
    pub note: Option<String>,
    /// Ended early: back on this day (the absence then covers `from` up to the day
    /// before; nothing if that is before `from`).
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Absence {
    /// The last day actually away, or `None` when it was ended before it began.
    pub fn last_day(&self) -> Option<NaiveDate> {
        match self.ended_on {
            Some(back) => {
                let last = back.pred_opt()?.min(self.to);
                (last >= self.from).then_some(last)
            }
            None => Some(self.to),
        }
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.last_day()
            .is_some_and(|last| self.from <= day && day <= last)
    }

    fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.last_day()
            .is_some_and(|last| self.from <= to && from <= last)
    }

    /// Ends the absence early: the person is back `today`. Refused for one that is
    /// over already (nothing to end).
    pub fn end_early(&self, today: NaiveDate) -> Result<Absence, ValidationErrors> {
        match self.last_day() {
            Some(last) if last >= today => {
                let mut next = self.clone();
                next.ended_on = Some(today);
                Ok(next)
            }
            _ => Err(ValidationErrors::single(
                "to",
                "already_over",
                "this absence is already over",
            )),
        }
    }
}

/// The absence covering `day` for `professional`, if any (at most one: periods of one
/// person never overlap).
pub fn absent_on(
    absences: &[Absence],
    professional: ProfessionalId,
    day: NaiveDate,
) -> Option<&Absence> {
    absences
        .iter()
        .find(|a| a.professional_id == professional && a.covers(day))
}

/// Raw input for a new absence, as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbsenceInput {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub deputy: Option<ProfessionalId>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceFields {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub deputy: Option<ProfessionalId>,
    pub note: Option<String>,
}

impl AbsenceInput {
    /// Checks the period for `who` against their other absences (`existing`): dates
    /// within the planning window, `to` not before `from` nor in the past, a deputy
    /// who is someone else and an active professional (`is_active`), no overlap.
    pub fn parse(
        &self,
        who: ProfessionalId,
        today: NaiveDate,
        existing: &[Absence],
        is_active: &dyn Fn(ProfessionalId) -> bool,
    ) -> Result<AbsenceFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let window = DateWindow::planning(today);
        let from = e.take(text::date("from", &self.from, window));
        let to = e.take(text::date("to", &self.to, window));
        let note = e
            .take(text::optional("note", self.note.as_deref(), LONG))
            .flatten();
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add(
                    "to",
                    "before_from",
                    "the last day cannot be before the first",
                );
            } else if t < today {
                e.add(
                    "to",
                    "in_the_past",
                    "an absence that is over cannot be recorded",
                );
            } else if let Some(other) = existing
                .iter()
                .find(|a| a.professional_id == who && a.overlaps(f, t))
            {
                e.add(
                    "from",
                    "overlaps",
                    format!(
                        "overlaps another absence ({} – {})",
                        other.from,
                        other.last_day().unwrap_or(other.to)
                    ),
                );
            }
        }
        match self.deputy {
            Some(d) if d == who => e.add("deputy", "self", "the deputy must be someone else"),
            Some(d) if !is_active(d) => e.add(
                "deputy",
                "not_active",
                "the deputy must be an active professional",
            ),
            _ => {}
        }
        match (from, to) {
            (Some(from), Some(to)) if e.is_empty() => Ok(AbsenceFields {
                from,
                to,
                deputy: self.deputy,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn absence(who: ProfessionalId, from: &str, to: &str) -> Absence {
        Absence {
            id: AbsenceId::new(),
            professional_id: who,
            from: d(from),
            to: d(to),
            deputy: None,
            note: None,
            ended_on: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            version: 1,
        }
    }

    fn input(from: &str, to: &str, deputy: Option<ProfessionalId>) -> AbsenceInput {
        AbsenceInput {
            from: from.into(),
            to: to.into(),
            deputy,
            note: None,
        }
    }

    #[test]
    fn an_absence_covers_its_days_inclusive_and_ending_early_shortens_it() {
        let me = ProfessionalId::new();
        let a = absence(me, "2026-07-01", "2026-07-21");
        assert!(!a.covers(d("2026-06-30")));
        assert!(a.covers(d("2026-07-01")));
        assert!(a.covers(d("2026-07-21")));
        assert!(!a.covers(d("2026-07-22")));
        let ended = a.end_early(d("2026-07-10")).unwrap();
        assert!(ended.covers(d("2026-07-09")));
        assert!(!ended.covers(d("2026-07-10")));
        assert_eq!(ended.last_day(), Some(d("2026-07-09")));
        // Ended before it began: covers nothing.
        let cancelled = a.end_early(d("2026-06-15")).unwrap();
        assert_eq!(cancelled.last_day(), None);
        assert!(!cancelled.covers(d("2026-07-01")));
        // An absence that is over cannot be ended.
        let err = a.end_early(d("2026-08-01")).unwrap_err();
        assert_eq!(err.errors[0].code, "already_over");
    }

    #[test]
    fn overlapping_periods_of_the_same_person_are_refused_on_from() {
        let me = ProfessionalId::new();
        let other = ProfessionalId::new();
        let existing = vec![
            absence(me, "2026-07-01", "2026-07-21"),
            absence(other, "2026-08-01", "2026-08-10"),
        ];
        let yes = |_| true;
        let today = d("2026-06-01");
        let err = input("2026-07-21", "2026-07-30", None)
            .parse(me, today, &existing, &yes)
            .unwrap_err();
        assert_eq!(err.errors[0].field, "from");
        assert_eq!(err.errors[0].code, "overlaps");
        // Adjacent is fine, and another person's period does not count.
        assert!(input("2026-07-22", "2026-08-05", None)
            .parse(me, today, &existing, &yes)
            .is_ok());
        // Once the first was ended early, its freed days can be booked again.
        let ended = vec![existing[0].end_early(d("2026-07-05")).unwrap()];
        assert!(input("2026-07-10", "2026-07-12", None)
            .parse(me, d("2026-07-05"), &ended, &yes)
            .is_ok());
    }

    #[test]
    fn bad_periods_and_deputies_are_field_errors() {
        let me = ProfessionalId::new();
        let dep = ProfessionalId::new();
        let today = d("2026-06-01");
        let yes = |_| true;
        let no = |_| false;
        let code = |i: AbsenceInput, active: &dyn Fn(ProfessionalId) -> bool| {
            let e = i.parse(me, today, &[], active).unwrap_err();
            (e.errors[0].field.clone(), e.errors[0].code.to_string())
        };
        assert_eq!(
            code(input("2026-06-10", "2026-06-09", None), &yes),
            ("to".into(), "before_from".into())
        );
        assert_eq!(
            code(input("2026-05-01", "2026-05-09", None), &yes),
            ("to".into(), "in_the_past".into())
        );
        assert_eq!(code(input("soon", "2026-06-09", None), &yes).0, "from");
        assert_eq!(
            code(input("2026-06-10", "2026-06-19", Some(me)), &yes),
            ("deputy".into(), "self".into())
        );
        assert_eq!(
            code(input("2026-06-10", "2026-06-19", Some(dep)), &no),
            ("deputy".into(), "not_active".into())
        );
        let ok = input("2026-06-10", "2026-06-19", Some(dep))
            .parse(me, today, &[], &yes)
            .unwrap();
        assert_eq!(ok.deputy, Some(dep));
    }
}
