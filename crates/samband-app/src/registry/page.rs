//! One page of the registry.

use super::Registry;
use crate::kernel::{Facts, TxBox};
use crate::paging::{self, Page, PageParams};
use crate::policy::{Decision, Detail, Membership, Object, Operation, Purpose};
use crate::{AppError, Ctx};
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::consent::Consent;
use samband_domain::ids::PatientId;
use samband_domain::principal::Subject;
use samband_domain::registry::{self, Cutoffs, Filter, Flag, Sort};
use samband_domain::ValidationErrors;
use samband_store::{PageAt, RegistryQuery, RegistryRow};
use serde::Serialize;

/// The registry as asked for in a query string.
#[derive(Debug, Clone, Default)]
pub struct RegistryParams {
    pub sort: Option<String>,
    /// Flags a row must all have (repeatable, or comma-separated).
    pub flags: Vec<String>,
    pub coordinating: Option<String>,
    /// Only the case-review queue.
    pub review: Option<String>,
    pub page: PageParams,
}

impl RegistryParams {
    /// The order and filter, checked; every bad field named.
    pub fn parse(&self) -> Result<(Sort, Filter), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("") => Some(Sort::Name),
            Some(s) => errs.take(Sort::parse("sort", s)),
        };
        let filter = errs.take(Filter::parse_with(
            &self.flags,
            self.coordinating.as_deref(),
            self.review.as_deref(),
        ));
        match (sort, filter) {
            (Some(s), Some(f)) if errs.is_empty() => Ok((s, f)),
            _ => Err(errs),
        }
    }
}

/// One patient's registry row as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryItem {
    pub patient_id: PatientId,
    pub name: String,
    pub my_role: String,
    pub is_coordinator: bool,
    pub enrolled_on: Option<NaiveDate>,
    pub weeks_in_treatment: Option<i64>,
    pub baseline_score: Option<i64>,
    pub latest_score: Option<i64>,
    /// From baseline to latest, in per cent (−50 = halved).
    pub change_percent: Option<i64>,
    /// The latest scores, oldest first, for the sparkline.
    pub recent_scores: Vec<i64>,
    pub last_contact: Option<DateTime<Utc>>,
    pub next_contact: Option<DateTime<Utc>>,
    pub open_actions: i64,
    pub overdue_actions: i64,
    pub open_requests: i64,
    pub pending_receipts: i64,
    pub needs_new_owner: i64,
    /// When the patient was last brought to case review.
    pub last_review: Option<DateTime<Utc>>,
    /// The relapse-prevention plan's state (`none`, `draft`, `agreed`), required before
    /// a collaborative-care episode closes.
    pub relapse_plan: Option<&'static str>,
    pub relapse_agreed_on: Option<NaiveDate>,
    pub flags: Vec<Flag>,
    /// Which kinds of information the reader may not see on this row.
    pub withheld: Vec<&'static str>,
}

/// A page of the registry with what it was asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryPage {
    #[serde(flatten)]
    pub page: Page<RegistryItem>,
    pub sort: Sort,
    pub flags: Vec<Flag>,
    pub coordinating: bool,
    pub review: bool,
    /// Rows of this page left out because the column sorted or filtered by is one the
    /// reader may not see for them.
    pub hidden: i64,
}

/// The cursor of each order is its own list, so one order's cursor cannot be used
/// in another.
pub(super) fn list_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Name => "registry:name",
        Sort::Enrolled => "registry:enrolled",
        Sort::LastContact => "registry:last_contact",
        Sort::Overdue => "registry:overdue",
        Sort::LatestScore => "registry:latest_score",
    }
}

/// Whether the order or the filter rests on self-reports (scores, safety signals).
fn uses_self_reports(sort: Sort, filter: &Filter) -> bool {
    sort == Sort::LatestScore
        || filter.review
        || filter
            .flags
            .iter()
            .any(|f| matches!(f, Flag::NotImproving | Flag::Safety))
}

/// Whether the order or the filter rests on plan information.
fn uses_plan(sort: Sort, filter: &Filter) -> bool {
    matches!(sort, Sort::Enrolled | Sort::LastContact | Sort::Overdue)
        || filter.review
        || filter.flags.iter().any(|f| {
            matches!(
                f,
                Flag::NoContact | Flag::NeedsNewOwner | Flag::Overdue | Flag::New
            )
        })
}

/// What the policy decided for one row.
pub(super) enum RowDecision {
    Hidden,
    Shown(Box<RegistryItem>),
}

impl Registry<'_> {
    /// One page of the signed-in professional's registry.
    pub async fn page(&self, ctx: &Ctx, params: &RegistryParams) -> Result<RegistryPage, AppError> {
        let (sort, filter) = params.parse().map_err(AppError::Validation)?;
        let req = paging::parse::<String>(list_name(sort), &params.page)?;
        let Subject::Professional(pro) = ctx.principal.subject else {
            return Ok(RegistryPage {
                page: req.page(Vec::new(), None, 0),
                sort,
                flags: filter.flags,
                coordinating: filter.coordinating,
                review: filter.review,
                hidden: 0,
            });
        };
        self.authorize_unbound(ctx, Operation::List).await?;
        let mut tx = self.store.begin_read().await?;
        let q = RegistryQuery {
            professional: pro,
            cutoffs: Cutoffs::at(self.clock.now(), self.today()),
            filter: &filter,
            sort,
        };
        let rows = tx.registry_page(&q, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.sort_key.clone(), r.patient_id.as_uuid()));
        let total = tx.count_registry(&q).await?;
        let (items, hidden) = self
            .decide_rows(&mut tx, ctx, rows, sort, &filter, Operation::List)
            .await?;
        tx.commit().await?;
        Ok(RegistryPage {
            page: req.page(items, next, total),
            sort,
            flags: filter.flags,
            coordinating: filter.coordinating,
            review: filter.review,
            hidden,
        })
    }

    /// Puts each row to the policy under `op`, audits those shown, and blanks or
    /// hides what the reader may not see.
    pub(super) async fn decide_rows(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        rows: Vec<RegistryRow>,
        sort: Sort,
        filter: &Filter,
        op: Operation,
    ) -> Result<(Vec<RegistryItem>, i64), AppError> {
        let today = self.today();
        let mut items = Vec::with_capacity(rows.len());
        let mut hidden = 0;
        for row in rows {
            match self
                .decide_row(tx, ctx, row, sort, filter, op, today)
                .await?
            {
                RowDecision::Shown(item) => items.push(*item),
                RowDecision::Hidden => hidden += 1,
            }
        }
        // The relapse plans' states of the rows that may show them, in one statement.
        let ids: Vec<PatientId> = items
            .iter()
            .filter(|i| !i.withheld.contains(&"relapse_plan"))
            .map(|i| i.patient_id)
            .collect();
        if !ids.is_empty() {
            let states = self.plan().relapse_states_in(tx, &ids).await?;
            for (patient, state) in states {
                if let Some(item) = items.iter_mut().find(|i| i.patient_id == patient) {
                    item.relapse_plan = Some(state.as_str());
                    if let samband_domain::relapse::RelapseState::Agreed { on } = state {
                        item.relapse_agreed_on = Some(on);
                    }
                }
            }
        }
        Ok((items, hidden))
    }

    #[allow(clippy::too_many_arguments)]
    async fn decide_row(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        row: RegistryRow,
        sort: Sort,
        filter: &Filter,
        op: Operation,
        today: NaiveDate,
    ) -> Result<RowDecision, AppError> {
        let consent = tx
            .get_consent(row.patient_id)
            .await?
            .unwrap_or_else(|| Consent::empty(row.patient_id));
        let facts = Facts {
            membership: Some(Membership {
                member_id: row.member_id,
                organisation: row.my_organisation,
                sector: row.my_sector,
            }),
            consent,
            emergency: false,
        };
        let purpose: Purpose = match self.decide(
            ctx,
            row.patient_id,
            &facts,
            op,
            Object::Patient,
            Detail::None,
        ) {
            Decision::Permit(p) => p,
            Decision::Deny(_) => return Ok(RowDecision::Hidden),
        };
        let plan = self
            .permits(
                ctx,
                row.patient_id,
                &facts,
                op,
                Object::Action,
                Detail::None,
            )
            .is_some();
        if !plan && uses_plan(sort, filter) {
            return Ok(RowDecision::Hidden);
        }
        let reports = self.permits(
            ctx,
            row.patient_id,
            &facts,
            op,
            Object::SelfReport,
            Detail::None,
        );
        if reports.is_none() && uses_self_reports(sort, filter) {
            return Ok(RowDecision::Hidden);
        }
        self.audit(tx, ctx, row.patient_id, Object::Patient, None, op, purpose)
            .await?;
        let mut item = item(row, plan, reports.is_some(), today);
        match self.permits(
            ctx,
            item.patient_id,
            &facts,
            op,
            Object::RelapsePlan,
            Detail::None,
        ) {
            Some(p) => {
                self.audit(tx, ctx, item.patient_id, Object::RelapsePlan, None, op, p)
                    .await?
            }
            None => item.withheld.push("relapse_plan"),
        }
        if let Some(p) = reports {
            // The scores are self-reports: their reading is audited as such.
            item.recent_scores = recent_phq9(tx, item.patient_id).await?;
            self.audit(tx, ctx, item.patient_id, Object::SelfReport, None, op, p)
                .await?;
        }
        Ok(RowDecision::Shown(Box::new(item)))
    }
}

/// How many of the latest PHQ-9 totals the sparkline draws.
const SPARK_POINTS: i64 = 8;

/// The latest PHQ-9 totals, oldest first.
async fn recent_phq9(tx: &mut TxBox, patient: PatientId) -> Result<Vec<i64>, AppError> {
    let page = tx
        .responses_page(
            patient,
            Some(samband_domain::instrument::InstrumentKey::Phq9),
            &PageAt::first(SPARK_POINTS),
        )
        .await?;
    let mut totals: Vec<i64> = page
        .iter()
        .filter_map(|r| r.scores.total.map(i64::from))
        .collect();
    totals.reverse();
    Ok(totals)
}

fn item(row: RegistryRow, plan: bool, reports: bool, today: NaiveDate) -> RegistryItem {
    let mut flags = Vec::new();
    let mut withheld = Vec::new();
    if reports {
        if row.safety {
            flags.push(Flag::Safety);
        }
        if row.not_improving {
            flags.push(Flag::NotImproving);
        }
    } else {
        withheld.push("self_reports");
    }
    if plan {
        if row.no_contact {
            flags.push(Flag::NoContact);
        }
        if row.overdue_actions > 0 {
            flags.push(Flag::Overdue);
        }
        if row.needs_new_owner > 0 {
            flags.push(Flag::NeedsNewOwner);
        }
        if row.is_new {
            flags.push(Flag::New);
        }
    } else {
        withheld.push("plan");
    }
    let shown = |v: i64| if plan { v } else { 0 };
    RegistryItem {
        patient_id: row.patient_id,
        name: row.name,
        my_role: row.my_role,
        is_coordinator: row.is_coordinator,
        enrolled_on: plan.then_some(row.enrolled_on),
        weeks_in_treatment: plan.then(|| registry::weeks_in_treatment(row.enrolled_on, today)),
        baseline_score: row.baseline_score.filter(|_| reports),
        latest_score: row.latest_score.filter(|_| reports),
        change_percent: registry::percent_change(row.baseline_score, row.latest_score)
            .filter(|_| reports),
        recent_scores: Vec::new(),
        last_contact: row.last_contact.filter(|_| plan),
        next_contact: row.next_contact.filter(|_| plan),
        open_actions: shown(row.open_actions),
        overdue_actions: shown(row.overdue_actions),
        open_requests: shown(row.open_requests),
        pending_receipts: shown(row.pending_receipts),
        needs_new_owner: shown(row.needs_new_owner),
        last_review: row.last_review.filter(|_| plan),
        relapse_plan: None,
        relapse_agreed_on: None,
        flags,
        withheld,
    }
}

/// Reads the whole filtered registry in the store's order, `chunk` rows at a time.
pub(super) async fn all_rows(
    tx: &mut TxBox,
    q: &RegistryQuery<'_>,
    chunk: i64,
) -> Result<Vec<RegistryRow>, AppError> {
    let mut out: Vec<RegistryRow> = Vec::new();
    let mut at = PageAt::first(chunk);
    loop {
        let rows = tx.registry_page(q, &at).await?;
        let full = rows.len() as i64 == chunk;
        out.extend(rows);
        match out.last() {
            Some(last) if full => {
                at = PageAt::after(last.sort_key.clone(), last.patient_id.as_uuid(), chunk)
            }
            _ => return Ok(out),
        }
    }
}
