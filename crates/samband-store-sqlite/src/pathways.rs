//! Pathway templates of the deployment, enrolments with their completions, and
//! structured hand-overs.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use samband_domain::handover::{Handover, HandoverContent, HandoverStatus};
use samband_domain::ids::*;
use samband_domain::pathway::{CompletedBy, Completion, Enrolment};
use samband_store::*;
use std::collections::HashMap;

fn small(v: i64, what: &str) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| corrupt(what))
}

fn opt_date(r: &Row, col: &str) -> StoreResult<Option<NaiveDate>> {
    get::<Option<String>>(r, col)?
        .as_deref()
        .map(parse_date)
        .transpose()
}

fn opt_ts(r: &Row, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    get::<Option<String>>(r, col)?
        .as_deref()
        .map(parse_ts)
        .transpose()
}

fn template_row(r: &Row) -> StoreResult<StoredTemplate> {
    Ok(StoredTemplate {
        key: get(r, "key")?,
        version: small(get(r, "version")?, "template version")?,
        source: get(r, "source")?,
        created_by: id(&get::<String>(r, "created_by_account_id")?)?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
    })
}

fn enrolment_row(r: &Row) -> StoreResult<Enrolment> {
    Ok(Enrolment {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        template_key: get(r, "template_key")?,
        template_version: small(get(r, "template_version")?, "enrolment template version")?,
        anchor_date: parse_date(&get::<String>(r, "anchor_date")?)?,
        enrolled_by: id(&get::<String>(r, "enrolled_by_member_id")?)?,
        ended_on: opt_date(r, "ended_on")?,
        completions: Vec::new(),
        version: get(r, "version")?,
    })
}

fn completion_row(r: &Row) -> StoreResult<(EnrolmentId, Completion)> {
    let by = match get::<String>(r, "by_kind")?.as_str() {
        "evidence" => CompletedBy::Evidence {
            reference: get::<Option<String>>(r, "reference")?
                .ok_or_else(|| corrupt("reference"))?,
        },
        "manual" => CompletedBy::Manual {
            member: opt_id(get(r, "member_id")?)?.ok_or_else(|| corrupt("completion member"))?,
            note: get::<Option<String>>(r, "note")?.ok_or_else(|| corrupt("completion note"))?,
        },
        _ => return Err(corrupt("completion kind")),
    };
    Ok((
        id(&get::<String>(r, "enrolment_id")?)?,
        Completion {
            milestone: get(r, "milestone")?,
            occurrence: small(get(r, "occurrence")?, "occurrence")?,
            on: parse_date(&get::<String>(r, "completed_on")?)?,
            by,
        },
    ))
}

fn handover_row(r: &Row) -> StoreResult<Handover> {
    let content: HandoverContent = serde_json::from_str(&get::<String>(r, "content")?)
        .map_err(|_| corrupt("hand-over content"))?;
    Ok(Handover {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        sender: id(&get::<String>(r, "sender_member_id")?)?,
        content,
        status: HandoverStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("hand-over status"))?,
        sent_at: opt_ts(r, "sent_at")?,
        ack_due: opt_date(r, "ack_due")?,
        acknowledged_at: opt_ts(r, "acknowledged_at")?,
        version: get(r, "version")?,
    })
}

fn content_json(h: &Handover) -> StoreResult<String> {
    serde_json::to_string(&h.content).map_err(|e| StoreError::Other(e.to_string()))
}

impl SqliteTx {
    /// Attaches the completions of `list` in one statement (not one per enrolment).
    fn with_completions(&mut self, mut list: Vec<Enrolment>) -> StoreResult<Vec<Enrolment>> {
        if list.is_empty() {
            return Ok(list);
        }
        let ids: Vec<String> = list.iter().map(|e| e.id.to_string()).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let rows = query(
            "SELECT * FROM milestone_completions \
             WHERE enrolment_id IN (SELECT value FROM json_each(?)) \
             ORDER BY completed_on, milestone, occurrence",
        )
        .bind(ids)
        .fetch_all(&self.tx)?;
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
impl PathwayRepo for SqliteTx {
    async fn list_stored_templates(&mut self) -> StoreResult<Vec<StoredTemplate>> {
        let rows =
            query("SELECT * FROM pathway_templates ORDER BY key, version").fetch_all(&self.tx)?;
        rows.iter().map(template_row).collect()
    }

    async fn insert_stored_template(&mut self, t: &StoredTemplate) -> StoreResult<()> {
        query(
            "INSERT INTO pathway_templates (key, version, source, created_by_account_id, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(t.key.clone())
        .bind(i64::from(t.version))
        .bind(t.source.clone())
        .bind(t.created_by.to_string())
        .bind(ts(&t.created_at))
        .execute(&self.tx)?;
        Ok(())
    }

    async fn list_enrolments(&mut self, patient: PatientId) -> StoreResult<Vec<Enrolment>> {
        let rows = query("SELECT * FROM enrolments WHERE patient_id = ? ORDER BY created_at, id")
            .bind(patient.to_string())
            .fetch_all(&self.tx)?;
        let list = rows
            .iter()
            .map(enrolment_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.with_completions(list)
    }

    async fn get_enrolment(
        &mut self,
        patient: PatientId,
        id: EnrolmentId,
    ) -> StoreResult<Option<Enrolment>> {
        let row = query("SELECT * FROM enrolments WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        let Some(e) = row.as_ref().map(enrolment_row).transpose()? else {
            return Ok(None);
        };
        Ok(self.with_completions(vec![e])?.pop())
    }

    async fn insert_enrolment(&mut self, e: &Enrolment, at: DateTime<Utc>) -> StoreResult<()> {
        query(
            "INSERT INTO enrolments (id, patient_id, template_key, template_version, anchor_date, \
             enrolled_by_member_id, ended_on, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.id.to_string())
        .bind(e.patient_id.to_string())
        .bind(e.template_key.clone())
        .bind(i64::from(e.template_version))
        .bind(date(&e.anchor_date))
        .bind(e.enrolled_by.to_string())
        .bind(e.ended_on.as_ref().map(date))
        .bind(ts(&at))
        .bind(e.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn update_enrolment(&mut self, e: &Enrolment, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE enrolments SET ended_on = ?, version = version + 1 \
             WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(e.ended_on.as_ref().map(date))
        .bind(e.id.to_string())
        .bind(e.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn complete_milestone(
        &mut self,
        enrolment: EnrolmentId,
        c: &Completion,
        expected: i64,
    ) -> StoreResult<i64> {
        let r = query("UPDATE enrolments SET version = version + 1 WHERE id = ? AND version = ?")
            .bind(enrolment.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        let v = versioned(r.rows_affected(), expected)?;
        let (kind, reference, member, note) = match &c.by {
            CompletedBy::Evidence { reference } => {
                ("evidence", Some(reference.clone()), None, None)
            }
            CompletedBy::Manual { member, note } => {
                ("manual", None, Some(member.to_string()), Some(note.clone()))
            }
        };
        query(
            "INSERT INTO milestone_completions (enrolment_id, milestone, occurrence, completed_on, \
             by_kind, reference, member_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(enrolment.to_string())
        .bind(c.milestone.clone())
        .bind(i64::from(c.occurrence))
        .bind(date(&c.on))
        .bind(kind)
        .bind(reference)
        .bind(member)
        .bind(note)
        .execute(&self.tx)?;
        Ok(v)
    }
}

#[async_trait]
impl HandoverRepo for SqliteTx {
    async fn insert_handover(&mut self, h: &Handover, at: DateTime<Utc>) -> StoreResult<()> {
        query(
            "INSERT INTO handovers (id, patient_id, sender_member_id, receiver_member_id, status, \
             content, sent_at, ack_due, acknowledged_at, created_at, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(h.id.to_string())
        .bind(h.patient_id.to_string())
        .bind(h.sender.to_string())
        .bind(h.content.receiver.to_string())
        .bind(h.status.as_str())
        .bind(content_json(h)?)
        .bind(h.sent_at.as_ref().map(ts))
        .bind(h.ack_due.as_ref().map(date))
        .bind(h.acknowledged_at.as_ref().map(ts))
        .bind(ts(&at))
        .bind(h.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_handover(
        &mut self,
        patient: PatientId,
        id: HandoverId,
    ) -> StoreResult<Option<Handover>> {
        let row = query("SELECT * FROM handovers WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(handover_row).transpose()
    }

    async fn update_handover(&mut self, h: &Handover, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE handovers SET receiver_member_id = ?, status = ?, content = ?, sent_at = ?, \
             ack_due = ?, acknowledged_at = ?, version = version + 1 \
             WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(h.content.receiver.to_string())
        .bind(h.status.as_str())
        .bind(content_json(h)?)
        .bind(h.sent_at.as_ref().map(ts))
        .bind(h.ack_due.as_ref().map(date))
        .bind(h.acknowledged_at.as_ref().map(ts))
        .bind(h.id.to_string())
        .bind(h.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_handovers(&mut self, patient: PatientId) -> StoreResult<Vec<Handover>> {
        let rows =
            query("SELECT * FROM handovers WHERE patient_id = ? ORDER BY created_at DESC, id DESC")
                .bind(patient.to_string())
                .fetch_all(&self.tx)?;
        rows.iter().map(handover_row).collect()
    }

    async fn handovers_overdue(
        &mut self,
        day: NaiveDate,
        limit: i64,
    ) -> StoreResult<Vec<Handover>> {
        let rows = query(
            "SELECT * FROM handovers WHERE status = 'sent' AND ack_due < ? ORDER BY ack_due, id LIMIT ?",
        )
        .bind(date(&day))
        .bind(limit)
        .fetch_all(&self.tx)?;
        rows.iter().map(handover_row).collect()
    }
}
