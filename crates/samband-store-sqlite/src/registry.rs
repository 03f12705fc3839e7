//! The coordinator's caseload registry: every fact of a row computed by one query
//! over the professional's memberships, then filtered, ordered and cut to a page.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::case_review::CaseReview;
use samband_domain::ids::PatientId;
use samband_domain::organisation::Sector;
use samband_domain::registry::{Flag, Sort};
use samband_store::*;

/// The rows with every fact and flag, numbered parameters: ?1 professional, ?2 today,
/// ?3 now, ?4 no contact before, ?5 judged if enrolled by, ?6 uncontacted if enrolled
/// before, ?7 new if enrolled from. Scores are the first and latest PHQ-9 with a total;
/// `safety` an open safety alert.
fn rows_sql(q: &RegistryQuery<'_>) -> String {
    let coordinating = if q.filter.coordinating {
        "AND m.is_coordinator = 1"
    } else {
        ""
    };
    let sort = match q.sort {
        Sort::Name => "name",
        Sort::Enrolled => "enrolled_on",
        Sort::LastContact => "COALESCE(last_contact, '')",
        Sort::Overdue => "printf('%09d', 999999999 - overdue_actions)",
        Sort::LatestScore => {
            "CASE WHEN latest_score IS NULL THEN 'z' ELSE printf('%09d', 999999999 - latest_score) END"
        }
    };
    format!(
        "WITH mine AS ( \
           SELECT m.patient_id AS pid, m.patient_name AS name, m.id AS member_id, m.organisation_id AS my_org, \
                  o.sector AS my_sector, m.role AS my_role, m.is_coordinator AS coord, m.active_from AS member_from \
           FROM team_members m LEFT JOIN organisations o ON o.id = m.organisation_id \
           WHERE m.professional_id = ?1 AND m.active_from <= ?2 AND (m.active_to IS NULL OR m.active_to >= ?2) {coordinating} \
         ), facts AS ( \
           SELECT mine.*, \
             COALESCE((SELECT MIN(e.anchor_date) FROM enrolments e WHERE e.patient_id = pid AND e.ended_on IS NULL), member_from) AS enrolled_on, \
             (SELECT COUNT(*) FROM actions a WHERE a.patient_id = pid AND a.status IN ('planned','in_progress')) AS open_actions, \
             (SELECT COUNT(*) FROM actions a WHERE a.patient_id = pid AND a.status IN ('planned','in_progress') AND a.due_date < ?2) AS overdue_actions, \
             (SELECT COUNT(*) FROM requests r WHERE r.patient_id = pid AND r.status IN ('requested','accepted')) AS open_requests, \
             (SELECT COUNT(*) FROM threads t JOIN message_recipients mr ON mr.thread_id = t.id \
                WHERE t.patient_id = pid AND mr.needs_ack = 1 AND mr.acknowledged_at IS NULL) AS pending_receipts, \
             NULLIF(MAX( \
               COALESCE((SELECT MAX(mt.starts_at) FROM meetings mt WHERE mt.patient_id = pid AND mt.status <> 'cancelled' AND mt.starts_at <= ?3), ''), \
               COALESCE((SELECT MAX(ms.sent_at) FROM threads t JOIN messages ms ON ms.thread_id = t.id \
                  JOIN accounts ac ON ac.id = ms.author_account_id WHERE t.patient_id = pid AND ac.patient_id = pid), ''), \
               COALESCE((SELECT MAX(ms.sent_at) FROM threads t JOIN message_recipients mr ON mr.thread_id = t.id \
                  JOIN accounts ac ON ac.id = mr.account_id JOIN messages ms ON ms.id = mr.message_id \
                  WHERE t.patient_id = pid AND ac.patient_id = pid), '')), '') AS last_contact, \
             (SELECT MIN(mt.starts_at) FROM meetings mt WHERE mt.patient_id = pid AND mt.status = 'planned' AND mt.starts_at > ?3) AS next_contact, \
             (SELECT COUNT(DISTINCT n.kind || n.item_id) FROM needs_new_owner n WHERE n.patient_id = pid AND {holds}) AS needs_new_owner, \
             (SELECT MAX(cr.created_at) FROM case_reviews cr WHERE cr.patient_id = pid) AS last_review, \
             (SELECT q.total FROM questionnaire_responses q WHERE q.patient_id = pid AND q.instrument = 'phq9' \
                AND q.total IS NOT NULL ORDER BY q.answered_at, q.id LIMIT 1) AS baseline_score, \
             (SELECT q.total FROM questionnaire_responses q WHERE q.patient_id = pid AND q.instrument = 'phq9' \
                AND q.total IS NOT NULL ORDER BY q.answered_at DESC, q.id DESC LIMIT 1) AS latest_score, \
             EXISTS (SELECT 1 FROM alerts al WHERE al.patient_id = pid AND al.class = 'safety' AND al.status = 'open') AS safety \
           FROM mine \
         ), flagged AS ( \
           SELECT facts.*, \
             CASE WHEN baseline_score IS NOT NULL AND latest_score IS NOT NULL AND enrolled_on <= ?5 \
                  AND latest_score * 2 > baseline_score THEN 1 ELSE 0 END AS not_improving, \
             CASE WHEN (last_contact IS NULL AND enrolled_on < ?6) OR last_contact < ?4 THEN 1 ELSE 0 END AS no_contact, \
             CASE WHEN last_review IS NULL AND enrolled_on >= ?7 THEN 1 ELSE 0 END AS is_new, \
             {sort} AS sort_key \
           FROM facts \
         ) SELECT * FROM flagged WHERE 1 = 1 {flags}",
        holds = crate::succession::FLAG_HOLDS,
        flags = flag_sql(q),
    )
}

fn flag_sql(q: &RegistryQuery<'_>) -> String {
    let review = if q.filter.review {
        " AND (is_new = 1 OR not_improving = 1 OR safety = 1)"
    } else {
        ""
    };
    let flags: String = q
        .filter
        .flags
        .iter()
        .map(|f| match f {
            Flag::NotImproving => " AND not_improving = 1",
            Flag::NoContact => " AND no_contact = 1",
            Flag::Safety => " AND safety = 1",
            Flag::NeedsNewOwner => " AND needs_new_owner > 0",
            Flag::Overdue => " AND overdue_actions > 0",
            Flag::New => " AND is_new = 1",
        })
        .collect();
    flags + review
}

fn bind_cutoffs<'q>(sql: &'q str, q: &RegistryQuery<'_>) -> Query<'q> {
    let c = &q.cutoffs;
    query(sql)
        .bind(q.professional.to_string())
        .bind(date(&c.today))
        .bind(ts(&c.now))
        .bind(ts(&c.no_contact_before))
        .bind(date(&c.judged_if_enrolled_by))
        .bind(date(&c.uncontacted_if_enrolled_before))
        .bind(date(&c.new_if_enrolled_from))
}

fn registry_row(r: &Row) -> StoreResult<RegistryRow> {
    let opt_ts = |col: &str| -> StoreResult<_> {
        get::<Option<String>>(r, col)?
            .map(|s| parse_ts(&s))
            .transpose()
    };
    Ok(RegistryRow {
        patient_id: id(&get::<String>(r, "pid")?)?,
        name: get(r, "name")?,
        member_id: id(&get::<String>(r, "member_id")?)?,
        my_organisation: opt_id(get(r, "my_org")?)?,
        my_sector: get::<Option<String>>(r, "my_sector")?
            .map(|s| Sector::parse("sector", &s).map_err(|_| corrupt("sector")))
            .transpose()?,
        my_role: get(r, "my_role")?,
        is_coordinator: get::<i64>(r, "coord")? != 0,
        enrolled_on: parse_date(&get::<String>(r, "enrolled_on")?)?,
        open_actions: get(r, "open_actions")?,
        overdue_actions: get(r, "overdue_actions")?,
        open_requests: get(r, "open_requests")?,
        pending_receipts: get(r, "pending_receipts")?,
        last_contact: opt_ts("last_contact")?,
        next_contact: opt_ts("next_contact")?,
        needs_new_owner: get(r, "needs_new_owner")?,
        baseline_score: get(r, "baseline_score")?,
        latest_score: get(r, "latest_score")?,
        safety: get::<i64>(r, "safety")? != 0,
        not_improving: get::<i64>(r, "not_improving")? != 0,
        no_contact: get::<i64>(r, "no_contact")? != 0,
        is_new: get::<i64>(r, "is_new")? != 0,
        last_review: opt_ts("last_review")?,
        sort_key: get(r, "sort_key")?,
    })
}

#[async_trait]
impl RegistryRepo for SqliteTx {
    async fn registry_page(
        &mut self,
        q: &RegistryQuery<'_>,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<RegistryRow>> {
        let sql = format!(
            "{} AND (?8 IS NULL OR (sort_key, pid) > (?8, ?9)) ORDER BY sort_key, pid LIMIT ?10",
            rows_sql(q)
        );
        let (key, after) = match &page.after {
            Some(a) => (Some(a.key.clone()), Some(a.id.to_string())),
            None => (None, None),
        };
        let rows = bind_cutoffs(&sql, q)
            .bind(key)
            .bind(after)
            .bind(page.limit)
            .fetch_all(&self.tx)?;
        rows.iter().map(registry_row).collect()
    }

    async fn count_registry(&mut self, q: &RegistryQuery<'_>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM ({})", rows_sql(q));
        let rows = bind_cutoffs(&sql, q).fetch_all(&self.tx)?;
        rows.first().map_or(Ok(0), |r| get(r, "n"))
    }

    async fn insert_case_review(&mut self, r: &CaseReview) -> StoreResult<()> {
        query(
            "INSERT INTO case_reviews (id, patient_id, reviewer_member_id, recommendation, to_member_id, due_date, action_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.id.to_string())
        .bind(r.patient_id.to_string())
        .bind(r.reviewer.to_string())
        .bind(r.recommendation.clone())
        .bind(r.to_member.to_string())
        .bind(date(&r.due))
        .bind(r.action_id.to_string())
        .bind(ts(&r.created_at))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_case_reviews(&mut self, patient: PatientId) -> StoreResult<Vec<CaseReview>> {
        let rows = query(
            "SELECT * FROM case_reviews WHERE patient_id = ? ORDER BY created_at DESC, id DESC",
        )
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok(CaseReview {
                    id: uuid::Uuid::parse_str(&get::<String>(r, "id")?)
                        .map_err(|_| corrupt("id"))?,
                    patient_id: id(&get::<String>(r, "patient_id")?)?,
                    reviewer: id(&get::<String>(r, "reviewer_member_id")?)?,
                    recommendation: get(r, "recommendation")?,
                    to_member: id(&get::<String>(r, "to_member_id")?)?,
                    due: parse_date(&get::<String>(r, "due_date")?)?,
                    action_id: id(&get::<String>(r, "action_id")?)?,
                    created_at: parse_ts(&get::<String>(r, "created_at")?)?,
                })
            })
            .collect()
    }
}
