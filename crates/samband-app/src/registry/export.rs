//! The registry as CSV, for the coordinator's own follow-up or a data manager: the
//! whole filtered list in its order, every row put to the policy as an export and
//! audited as one (an export leaves the system).

use super::page::{all_rows, RegistryParams};
use super::Registry;
use crate::policy::Operation;
use crate::{AppError, Ctx};
use samband_domain::principal::Subject;
use samband_domain::registry::Cutoffs;
use samband_store::RegistryQuery;

/// The file's columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "patient_id",
    "name",
    "my_role",
    "coordinator",
    "enrolled_on",
    "weeks_in_treatment",
    "baseline_score",
    "latest_score",
    "change_percent",
    "last_contact",
    "next_contact",
    "open_actions",
    "overdue_actions",
    "open_requests",
    "pending_receipts",
    "needs_new_owner",
    "last_review",
    "relapse_plan",
    "flags",
    "withheld",
];

/// Rows read from the store at a time.
const CHUNK: i64 = 1000;

impl Registry<'_> {
    /// The whole registry (as filtered and sorted) as CSV text.
    pub async fn export_csv(&self, ctx: &Ctx, params: &RegistryParams) -> Result<String, AppError> {
        let (sort, filter) = params.parse().map_err(AppError::Validation)?;
        let Subject::Professional(pro) = ctx.principal.subject else {
            // Only a professional has a caseload to export.
            return Err(AppError::Forbidden);
        };
        self.authorize_unbound(ctx, Operation::List).await?;
        let mut tx = self.store.begin_read().await?;
        let q = RegistryQuery {
            professional: pro,
            cutoffs: Cutoffs::at(self.clock.now(), self.today()),
            filter: &filter,
            sort,
        };
        let rows = all_rows(&mut tx, &q, CHUNK).await?;
        let (items, _hidden) = self
            .decide_rows(&mut tx, ctx, rows, sort, &filter, Operation::Export)
            .await?;
        tx.commit().await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
        w.write_record(CSV_COLUMNS).map_err(io)?;
        let opt = |v: Option<String>| v.unwrap_or_default();
        for i in items {
            let flags: Vec<&str> = i.flags.iter().map(|f| f.as_str()).collect();
            w.write_record([
                i.patient_id.to_string(),
                // A spreadsheet must not run a name as a formula.
                defuse(&i.name),
                defuse(&i.my_role),
                i.is_coordinator.to_string(),
                opt(i.enrolled_on.map(|d| d.to_string())),
                opt(i.weeks_in_treatment.map(|n| n.to_string())),
                opt(i.baseline_score.map(|n| n.to_string())),
                opt(i.latest_score.map(|n| n.to_string())),
                opt(i.change_percent.map(|n| n.to_string())),
                opt(i.last_contact.map(|t| t.to_rfc3339())),
                opt(i.next_contact.map(|t| t.to_rfc3339())),
                i.open_actions.to_string(),
                i.overdue_actions.to_string(),
                i.open_requests.to_string(),
                i.pending_receipts.to_string(),
                i.needs_new_owner.to_string(),
                opt(i.last_review.map(|t| t.to_rfc3339())),
                i.relapse_plan.unwrap_or_default().to_owned(),
                flags.join(" "),
                i.withheld.join(" "),
            ])
            .map_err(io)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("csv: {e}")))
    }
}

/// A cell that a spreadsheet would read as a formula gets a leading apostrophe
/// (OWASP's advice for CSV injection).
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_cells_are_defused_and_plain_ones_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+47 22"), "'+47 22");
        assert_eq!(defuse("@SUM"), "'@SUM");
        assert_eq!(defuse("Kari Nordmann"), "Kari Nordmann");
    }
}
