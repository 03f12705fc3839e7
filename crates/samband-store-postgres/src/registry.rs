//! The coordinator's caseload registry: every fact of a row computed by one query
//! over the professional's memberships, then filtered, ordered and cut to a page.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use samband_domain::case_review::CaseReview;
use samband_domain::ids::PatientId;
use samband_domain::organisation::Sector;
use samband_domain::registry::{Flag, Sort};
use samband_store::*;
use sqlx::postgres::PgRow;

/// The rows with every fact and flag: $1 professional, $2 today, $3 now, $4 no contact
/// before, $5 judged if enrolled by, $6 uncontacted if enrolled before, $7 new if
/// enrolled from. The sort keys
/// are text in the "C" collation so the cursor compares as the order sorts.
fn rows_sql(q: &RegistryQuery<'_>) -> String {
    let coordinating = if q.filter.coordinating {
        "AND m.is_coordinator"
    } else {
        ""
    };
    let sort = match q.sort {
        Sort::Name => "name",
        Sort::Enrolled => "to_char(enrolled_on, 'YYYY-MM-DD') COLLATE \"C\"",
        Sort::LastContact => {
            "COALESCE(to_char(last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '') COLLATE \"C\""
        }
        Sort::Overdue => "lpad((999999999 - overdue_actions)::text, 9, '0') COLLATE \"C\"",
        Sort::LatestScore => {
            "(CASE WHEN latest_score IS NULL THEN 'z' ELSE lpad((999999999 - latest_score)::text, 9, '0') END) COLLATE \"C\""
        }
    };
    format!(
        "WITH mine AS ( \
           SELECT m.patient_id AS pid, m.patient_name AS name, m.id AS member_id, m.organisation_id AS my_org, \
                  o.sector AS my_sector, m.role AS my_role, m.is_coordinator AS coord, m.active_from AS member_from \
           FROM team_members m LEFT JOIN organisations o ON o.id = m.organisation_id \
           WHERE m.professional_id = $1 AND m.active_from <= $2 AND (m.active_to IS NULL OR m.active_to >= $2) {coordinating} \
         ), facts AS ( \
           SELECT mine.*, \
             COALESCE((SELECT MIN(e.anchor_date) FROM enrolments e WHERE e.patient_id = pid AND e.ended_on IS NULL), member_from) AS enrolled_on, \
             (SELECT COUNT(*) FROM actions a WHERE a.patient_id = pid AND a.status IN ('planned','in_progress')) AS open_actions, \
             (SELECT COUNT(*) FROM actions a WHERE a.patient_id = pid AND a.status IN ('planned','in_progress') AND a.due_date < $2) AS overdue_actions, \
             (SELECT COUNT(*) FROM requests r WHERE r.patient_id = pid AND r.status IN ('requested','accepted')) AS open_requests, \
             (SELECT COUNT(*) FROM threads t JOIN message_recipients mr ON mr.thread_id = t.id \
                WHERE t.patient_id = pid AND mr.needs_ack AND mr.acknowledged_at IS NULL) AS pending_receipts, \
             GREATEST( \
               (SELECT MAX(mt.starts_at) FROM meetings mt WHERE mt.patient_id = pid AND mt.status <> 'cancelled' AND mt.starts_at <= $3), \
               (SELECT MAX(ms.sent_at) FROM threads t JOIN messages ms ON ms.thread_id = t.id \
                  JOIN accounts ac ON ac.id = ms.author_account_id WHERE t.patient_id = pid AND ac.patient_id = pid), \
               (SELECT MAX(ms.sent_at) FROM threads t JOIN message_recipients mr ON mr.thread_id = t.id \
                  JOIN accounts ac ON ac.id = mr.account_id JOIN messages ms ON ms.id = mr.message_id \
                  WHERE t.patient_id = pid AND ac.patient_id = pid)) AS last_contact, \
             (SELECT MIN(mt.starts_at) FROM meetings mt WHERE mt.patient_id = pid AND mt.status = 'planned' AND mt.starts_at > $3) AS next_contact, \
             (SELECT COUNT(DISTINCT n.kind || n.item_id::text) FROM needs_new_owner n WHERE n.patient_id = pid AND {holds}) AS needs_new_owner, \
             (SELECT MAX(cr.created_at) FROM case_reviews cr WHERE cr.patient_id = pid) AS last_review, \
             CAST((SELECT q.total FROM questionnaire_responses q WHERE q.patient_id = pid AND q.instrument = 'phq9' \
                AND q.total IS NOT NULL ORDER BY q.answered_at, q.id LIMIT 1) AS BIGINT) AS baseline_score, \
             CAST((SELECT q.total FROM questionnaire_responses q WHERE q.patient_id = pid AND q.instrument = 'phq9' \
                AND q.total IS NOT NULL ORDER BY q.answered_at DESC, q.id DESC LIMIT 1) AS BIGINT) AS latest_score, \
             EXISTS (SELECT 1 FROM alerts al WHERE al.patient_id = pid AND al.class = 'safety' AND al.status = 'open') AS safety \
           FROM mine \
         ), flagged AS ( \
           SELECT facts.*, \
             (baseline_score IS NOT NULL AND latest_score IS NOT NULL AND enrolled_on <= $5 \
                AND latest_score * 2 > baseline_score) AS not_improving, \
             ((last_contact IS NULL AND enrolled_on < $6) OR COALESCE(last_contact < $4, FALSE)) AS no_contact, \
             (last_review IS NULL AND enrolled_on >= $7) AS is_new, \
             {sort} AS sort_key \
           FROM facts \
         ) SELECT * FROM flagged WHERE TRUE {flags}",
        holds = crate::succession::FLAG_HOLDS,
        flags = flag_sql(q),
    )
}

fn flag_sql(q: &RegistryQuery<'_>) -> String {
    let review = if q.filter.review {
        " AND (is_new OR not_improving OR safety)"
    } else {
        ""
    };
    let flags: String = q
        .filter
        .flags
        .iter()
        .map(|f| match f {
            Flag::NotImproving => " AND not_improving",
            Flag::NoContact => " AND no_contact",
            Flag::Safety => " AND safety",
            Flag::NeedsNewOwner => " AND needs_new_owner > 0",
            Flag::Overdue => " AND overdue_actions > 0",
            Flag::New => " AND is_new",
        })
        .collect();
    flags + review
}

fn registry_row(r: &PgRow) -> StoreResult<RegistryRow> {
    Ok(RegistryRow {
        patient_id: uid(r, "pid")?,
        name: get(r, "name")?,
        member_id: uid(r, "member_id")?,
        my_organisation: opt_uid(r, "my_org")?,
        my_sector: get::<Option<String>>(r, "my_sector")?
            .map(|s| Sector::parse("sector", &s).map_err(|_| corrupt("sector")))
            .transpose()?,
        my_role: get(r, "my_role")?,
        is_coordinator: get(r, "coord")?,
        enrolled_on: get(r, "enrolled_on")?,
        open_actions: get(r, "open_actions")?,
        overdue_actions: get(r, "overdue_actions")?,
        open_requests: get(r, "open_requests")?,
        pending_receipts: get(r, "pending_receipts")?,
        last_contact: get(r, "last_contact")?,
        next_contact: get(r, "next_contact")?,
        needs_new_owner: get(r, "needs_new_owner")?,
        baseline_score: get(r, "baseline_score")?,
        latest_score: get(r, "latest_score")?,
        safety: get(r, "safety")?,
        not_improving: get(r, "not_improving")?,
        no_contact: get(r, "no_contact")?,
        is_new: get(r, "is_new")?,
        last_review: get(r, "last_review")?,
        sort_key: get(r, "sort_key")?,
    })
}

macro_rules! bind_cutoffs {
    ($q:expr, $rq:expr) => {{
        let c = &$rq.cutoffs;
        $q.bind($rq.professional.as_uuid())
            .bind(c.today)
            .bind(c.now)
            .bind(c.no_contact_before)
            .bind(c.judged_if_enrolled_by)
            .bind(c.uncontacted_if_enrolled_before)
            .bind(c.new_if_enrolled_from)
    }};
}

#[async_trait]
impl RegistryRepo for PgTx {
    async fn registry_page(
        &mut self,
        q: &RegistryQuery<'_>,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<RegistryRow>> {
        let sql = format!(
            "{} AND ($8::text IS NULL OR (sort_key, pid) > ($8::text, $9::uuid)) \
             ORDER BY sort_key, pid LIMIT $10",
            rows_sql(q)
        );
        let (key, after) = match &page.after {
            Some(a) => (Some(a.key.clone()), Some(a.id)),
            None => (None, None),
        };
        let rows = bind_cutoffs!(sqlx::query(&sql), q)
            .bind(key)
            .bind(after)
            .bind(page.limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(registry_row).collect()
    }

    async fn count_registry(&mut self, q: &RegistryQuery<'_>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM ({}) AS r", rows_sql(q));
        let row = bind_cutoffs!(sqlx::query(&sql), q)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        get(&row, "n")
    }

    async fn insert_case_review(&mut self, r: &CaseReview) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO case_reviews (id, patient_id, reviewer_member_id, recommendation, to_member_id, due_date, action_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.id)
        .bind(r.patient_id.as_uuid())
        .bind(r.reviewer.as_uuid())
        .bind(&r.recommendation)
        .bind(r.to_member.as_uuid())
        .bind(r.due)
        .bind(r.action_id.as_uuid())
        .bind(r.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_case_reviews(&mut self, patient: PatientId) -> StoreResult<Vec<CaseReview>> {
        let rows = sqlx::query(
            "SELECT * FROM case_reviews WHERE patient_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CaseReview {
                    id: get(r, "id")?,
                    patient_id: uid(r, "patient_id")?,
                    reviewer: uid(r, "reviewer_member_id")?,
                    recommendation: get(r, "recommendation")?,
                    to_member: uid(r, "to_member_id")?,
                    due: get(r, "due_date")?,
                    action_id: uid(r, "action_id")?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }
}
