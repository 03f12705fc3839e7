//! Pathway templates of the deployment, enrolments with their completions, and
//! structured hand-overs.

use crate::codec::*;
use crate::PgTx;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::handover::{Handover, HandoverContent, HandoverStatus};
use samband_domain::ids::*;
use samband_domain::pathway::{CompletedBy, Completion, Enrolment};
use samband_store::*;
use sqlx::postgres::PgRow;
use std::collections::HashMap;

fn template_row(r: &PgRow) -> StoreResult<StoredTemplate> {
    Ok(StoredTemplate {
        key: get(r, "key")?,
        version: u32::try_from(get::<i64>(r, "version")?)
            .map_err(|_| corrupt("template version"))?,
        source: get(r, "source")?,
        created_by: uid(r, "created_by_account_id")?,
        created_at: get(r, "created_at")?,
    })
}

fn enrolment_row(r: &PgRow) -> StoreResult<Enrolment> {
    Ok(Enrolment {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        template_key: get(r, "template_key")?,
        template_version: u32::try_from(get::<i64>(r, "template_version")?)
            .map_err(|_| corrupt("enrolment template version"))?,
        anchor_date: get(r, "anchor_date")?,
        enrolled_by: uid(r, "enrolled_by_member_id")?,
        ended_on: get(r, "ended_on")?,
        completions: Vec::new(),
        version: get(r, "version")?,
    })
}

fn completion_row(r: &PgRow) -> StoreResult<(EnrolmentId, Completion)> {
    let by = match get::<String>(r, "by_kind")?.as_str() {
        "evidence" => CompletedBy::Evidence {
            reference: get::<Option<String>>(r, "reference")?
                .ok_or_else(|| corrupt("reference"))?,
        },
        "manual" => CompletedBy::Manual {
            member: opt_uid(r, "member_id")?.ok_or_else(|| corrupt("completion member"))?,
            note: get::<Option<String>>(r, "note")?.ok_or_else(|| corrupt("completion note"))?,
        },
        _ => return Err(corrupt("completion kind")),
    };
    Ok((
        uid(r, "enrolment_id")?,
        Completion {
            milestone: get(r, "milestone")?,
            occurrence: u32::try_from(get::<i64>(r, "occurrence")?)
                .map_err(|_| corrupt("occurrence"))?,
            on: get(r, "completed_on")?,
            by,
        },
    ))
}

fn handover_row(r: &PgRow) -> StoreResult<Handover> {
    let content: HandoverContent = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("hand-over content"))?;
    Ok(Handover {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        sender: uid(r, "sender_member_id")?,
        content,
        status: HandoverStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("hand-over status"))?,
        sent_at: get(r, "sent_at")?,
        ack_due: get(r, "ack_due")?,
        acknowledged_at: get(r, "acknowledged_at")?,
        version: get(r, "version")?,
    })
}

fn content_json(h: &Handover) -> StoreResult<String> {
    serde_json::to_string(&h.content).map_err(|e| StoreError::Other(e.to_string()))
}

impl PgTx {
    /// Attaches the completions of `list` in one statement (not one per enrolment).
    async fn with_completions(&mut self, mut list: Vec<Enrolment>) -> StoreResult<Vec<Enrolment>> {
        if list.is_empty() {
            return Ok(list);
        }
        let ids: Vec<uuid::Uuid> = list.iter().map(|e| e.id.as_uuid()).collect();
        let rows = sqlx::query(
            "SELECT * FROM milestone_completions WHERE enrolment_id = ANY($1) \
             ORDER BY completed_on, milestone, occurrence",
        )
        .bind(&ids)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut by: HashMap<EnrolmentId, Vec<Completion>> = HashMap::new();
        for r in &rows {
            let (id, c) = completion_row(r)?;
            by.entry(id).or_default().push(c);
        }
        for e in &mut list {
            e.completions = by.remove(&e.id).unwrap_or_default();
        }
        Ok(list)
    }
}

#[async_trait]
impl PathwayRepo for PgTx {
    async fn list_stored_templates(&mut self) -> StoreResult<Vec<StoredTemplate>> {
        let rows = sqlx::query("SELECT * FROM pathway_templates ORDER BY key, version")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(template_row).collect()
    }

    async fn insert_stored_template(&mut self, t: &StoredTemplate) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pathway_templates (key, version, source, created_by_account_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.key)
        .bind(i64::from(t.version))
        .bind(&t.source)
        .bind(t.created_by.as_uuid())
        .bind(t.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_enrolments(&mut self, patient: PatientId) -> StoreResult<Vec<Enrolment>> {
        let rows =
            sqlx::query("SELECT * FROM enrolments WHERE patient_id = $1 ORDER BY created_at, id")
                .bind(patient.as_uuid())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        let list = rows
            .iter()
            .map(enrolment_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.with_completions(list).await
    }

    async fn get_enrolment(
        &mut self,
        patient: PatientId,
        id: EnrolmentId,
    ) -> StoreResult<Option<Enrolment>> {
        let row = sqlx::query("SELECT * FROM enrolments WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let Some(e) = row.as_ref().map(enrolment_row).transpose()? else {
            return Ok(None);
        };
        Ok(self.with_completions(vec![e]).await?.pop())
    }

    async fn insert_enrolment(&mut self, e: &Enrolment, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO enrolments (id, patient_id, template_key, template_version, anchor_date, \
             enrolled_by_member_id, ended_on, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id.as_uuid())
        .bind(e.patient_id.as_uuid())
        .bind(&e.template_key)
        .bind(i64::from(e.template_version))
        .bind(e.anchor_date)
        .bind(e.enrolled_by.as_uuid())
        .bind(e.ended_on)
        .bind(at)
        .bind(e.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_enrolment(&mut self, e: &Enrolment, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE enrolments SET ended_on = $1, version = version + 1 \
             WHERE id = $2 AND patient_id = $3 AND version = $4",
        )
        .bind(e.ended_on)
        .bind(e.id.as_uuid())
        .bind(e.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn complete_milestone(
        &mut self,
        enrolment: EnrolmentId,
        c: &Completion,
        expected: i64,
    ) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE enrolments SET version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(enrolment.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let v = versioned(r.rows_affected(), expected)?;
        let (kind, reference, member, note) = match &c.by {
            CompletedBy::Evidence { reference } => {
                ("evidence", Some(reference.as_str()), None, None)
            }
            CompletedBy::Manual { member, note } => {
                ("manual", None, Some(member.as_uuid()), Some(note.as_str()))
            }
        };
        sqlx::query(
            "INSERT INTO milestone_completions (enrolment_id, milestone, occurrence, completed_on, \
             by_kind, reference, member_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(enrolment.as_uuid())
        .bind(&c.milestone)
        .bind(i64::from(c.occurrence))
        .bind(c.on)
        .bind(kind)
        .bind(reference)
        .bind(member)
        .bind(note)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(v)
    }
}

#[async_trait]
impl HandoverRepo for PgTx {
    async fn insert_handover(&mut self, h: &Handover, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO handovers (id, patient_id, sender_member_id, receiver_member_id, status, \
             content, sent_at, ack_due, acknowledged_at, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(h.id.as_uuid())
        .bind(h.patient_id.as_uuid())
        .bind(h.sender.as_uuid())
        .bind(h.content.receiver.as_uuid())
        .bind(h.status.as_str())
        .bind(content_json(h)?)
        .bind(h.sent_at)
        .bind(h.ack_due)
        .bind(h.acknowledged_at)
        .bind(at)
        .bind(h.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_handover(
        &mut self,
        patient: PatientId,
        id: HandoverId,
    ) -> StoreResult<Option<Handover>> {
        let row = sqlx::query("SELECT * FROM handovers WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(handover_row).transpose()
    }

    async fn update_handover(&mut self, h: &Handover, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE handovers SET receiver_member_id = $1, status = $2, content = $3, sent_at = $4, \
             ack_due = $5, acknowledged_at = $6, version = version + 1 \
             WHERE id = $7 AND patient_id = $8 AND version = $9",
        )
        .bind(h.content.receiver.as_uuid())
        .bind(h.status.as_str())
        .bind(content_json(h)?)
        .bind(h.sent_at)
        .bind(h.ack_due)
        .bind(h.acknowledged_at)
        .bind(h.id.as_uuid())
        .bind(h.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_handovers(&mut self, patient: PatientId) -> StoreResult<Vec<Handover>> {
        let rows = sqlx::query(
            "SELECT * FROM handovers WHERE patient_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(handover_row).collect()
    }

    async fn handovers_overdue(
        &mut self,
        day: NaiveDate,
        limit: i64,
    ) -> StoreResult<Vec<Handover>> {
        let rows = sqlx::query(
            "SELECT * FROM handovers WHERE status = 'sent' AND ack_due < $1 \
             ORDER BY ack_due, id LIMIT $2",
        )
        .bind(day)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(handover_row).collect()
    }
}
