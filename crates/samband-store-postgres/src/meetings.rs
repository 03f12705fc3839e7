//! Collaboration meetings: participants (with guests' hashed link tokens), agenda
//! items, pre-reads and decisions.

use crate::codec::*;
use chrono::{DateTime, NaiveDate, Utc};

use crate::PgTx;
use async_trait::async_trait;
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_store::*;
use sqlx::postgres::PgRow;
use sqlx::types::Json;

fn meeting_row(r: &PgRow) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        kind: MeetingKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("meeting kind"))?,
        mode: MeetingMode::parse("mode", &get::<String>(r, "mode")?)
            .map_err(|_| corrupt("meeting mode"))?,
        title: get(r, "title")?,
        starts_at: get::<DateTime<Utc>>(r, "starts_at")?,
        duration_minutes: get(r, "duration_minutes")?,
        video_link: get(r, "video_link")?,
        place: get(r, "place")?,
        organiser_account_id: uid(r, "organiser_account_id")?,
        organiser_name: get(r, "organiser_name")?,
        pre_read_policy: PreReadPolicy::parse(
            "pre_read_policy",
            &get::<String>(r, "pre_read_policy")?,
        )
        .map_err(|_| corrupt("meeting pre-read policy"))?,
        pre_read_days: get(r, "pre_read_days")?,
        follow_up_date: get::<Option<NaiveDate>>(r, "follow_up_date")?,
        summary: get(r, "summary")?,
        status: MeetingStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("meeting status"))?,
        sequence: get(r, "sequence")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        version: get(r, "version")?,
    })
}

fn participant_row(r: &PgRow) -> StoreResult<Participant> {
    Ok(Participant {
        id: uid(r, "id")?,
        meeting_id: uid(r, "meeting_id")?,
        kind: ParticipantKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("participant kind"))?,
        member_id: opt_uid(r, "member_id")?,
        account_id: opt_uid(r, "account_id")?,
        name: get(r, "name")?,
        organisation: get(r, "organisation")?,
        email: get(r, "email")?,
        reply: Reply::parse("reply", &get::<String>(r, "reply")?)
            .map_err(|_| corrupt("participant reply"))?,
        raise: get(r, "raise")?,
        pre_reads_read_at: get::<Option<DateTime<Utc>>>(r, "pre_reads_read_at")?,
        version: get(r, "version")?,
    })
}

fn agenda_row(r: &PgRow) -> StoreResult<AgendaItem> {
    Ok(AgendaItem {
        id: uid(r, "id")?,
        meeting_id: uid(r, "meeting_id")?,
        title: get(r, "title")?,
        start_offset: get(r, "start_offset")?,
        duration_minutes: get(r, "duration_minutes")?,
        responsible: uid(r, "responsible")?,
        participants: get::<Json<Vec<ParticipantId>>>(r, "participants")
            .map_err(|_| corrupt("agenda item participants"))?
            .0,
        patient_present: get(r, "patient_present")?,
        patient_request: get(r, "patient_request")?,
        minutes: get(r, "minutes")?,
        minutes_category: Category::parse(
            "minutes_category",
            &get::<String>(r, "minutes_category")?,
        )
        .map_err(|_| corrupt("minutes category"))?,
        version: get(r, "version")?,
    })
}

fn pre_read_row(r: &PgRow) -> StoreResult<PreRead> {
    Ok(PreRead {
        id: uid(r, "id")?,
        meeting_id: uid(r, "meeting_id")?,
        kind: PreReadKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("pre-read kind"))?,
        title: get(r, "title")?,
        body: get(r, "body")?,
        category: Category::parse("category", &get::<String>(r, "category")?)
            .map_err(|_| corrupt("pre-read category"))?,
        author_name: get(r, "author_name")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
    })
}

fn decision_row(r: &PgRow) -> StoreResult<Decision> {
    Ok(Decision {
        id: uid(r, "id")?,
        meeting_id: uid(r, "meeting_id")?,
        item_id: uid(r, "item_id")?,
        text: get(r, "text")?,
        owner_member_id: uid(r, "owner_member_id")?,
        due_date: get::<NaiveDate>(r, "due_date")?,
        goal_id: opt_uid(r, "goal_id")?,
        action_id: uid(r, "action_id")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
    })
}

#[async_trait]
impl MeetingRepo for PgTx {
    async fn insert_meeting(&mut self, m: &Meeting) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO meetings (id, patient_id, kind, mode, title, starts_at, duration_minutes, video_link, place, \
               organiser_account_id, organiser_name, pre_read_policy, pre_read_days, follow_up_date, summary, status, \
               sequence, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(m.id.as_uuid())
        .bind(m.patient_id.as_uuid())
        .bind(m.kind.as_str())
        .bind(m.mode.as_str())
        .bind(&m.title)
        .bind(m.starts_at)
        .bind(m.duration_minutes)
        .bind(&m.video_link)
        .bind(&m.place)
        .bind(m.organiser_account_id.as_uuid())
        .bind(&m.organiser_name)
        .bind(m.pre_read_policy.as_str())
        .bind(m.pre_read_days)
        .bind(m.follow_up_date)
        .bind(&m.summary)
        .bind(m.status.as_str())
        .bind(m.sequence)
        .bind(m.created_at)
        .bind(m.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_meeting(&mut self, id: MeetingId) -> StoreResult<Option<Meeting>> {
        let row = sqlx::query("SELECT * FROM meetings WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(meeting_row).transpose()
    }

    async fn update_meeting(&mut self, m: &Meeting, expected: i64) -> StoreResult<i64> {
        let res = sqlx::query(
            "UPDATE meetings SET kind = $1, mode = $2, title = $3, starts_at = $4, duration_minutes = $5, \
               video_link = $6, place = $7, pre_read_policy = $8, pre_read_days = $9, follow_up_date = $10, \
               summary = $11, status = $12, sequence = $13, version = $14 \
             WHERE id = $15 AND version = $16",
        )
        .bind(m.kind.as_str())
        .bind(m.mode.as_str())
        .bind(&m.title)
        .bind(m.starts_at)
        .bind(m.duration_minutes)
        .bind(&m.video_link)
        .bind(&m.place)
        .bind(m.pre_read_policy.as_str())
        .bind(m.pre_read_days)
        .bind(m.follow_up_date)
        .bind(&m.summary)
        .bind(m.status.as_str())
        .bind(m.sequence)
        .bind(expected + 1)
        .bind(m.id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(res.rows_affected(), expected)
    }

    async fn list_meetings(
        &mut self,
        patient: PatientId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>> {
        let seek = if page.after.is_some() {
            "AND (starts_at, id) > ($3, $4) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM meetings WHERE patient_id = $1 {seek}ORDER BY starts_at, id LIMIT $2"
        );
        let mut q = sqlx::query(&sql).bind(patient.as_uuid()).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(meeting_row).collect()
    }

    async fn count_meetings(&mut self, patient: PatientId) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM meetings WHERE patient_id = $1")
            .bind(patient.as_uuid())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>> {
        // EXISTS, not a join: one row per meeting even if the account were listed twice.
        let seek = if page.after.is_some() {
            "AND (m.starts_at, m.id) > ($4, $5) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.* FROM meetings m WHERE {MINE_FROM} {seek}ORDER BY m.starts_at, m.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(account.as_uuid())
            .bind(from)
            .bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(meeting_row).collect()
    }

    async fn count_meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM meetings m WHERE {MINE_FROM}"
        ))
        .bind(account.as_uuid())
        .bind(from)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn insert_participant(&mut self, p: &Participant) -> StoreResult<()> {
        // ON CONFLICT (every unique index), not a caught unique violation: that would
        // abort the transaction, and the caller goes on to re-render its form.
        let r = sqlx::query(
            "INSERT INTO meeting_participants (id, meeting_id, kind, member_id, account_id, name, organisation, email, \
               reply, raise, pre_reads_read_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        )
        .bind(p.id.as_uuid())
        .bind(p.meeting_id.as_uuid())
        .bind(p.kind.as_str())
        .bind(p.member_id.map(|m| m.as_uuid()))
        .bind(p.account_id.map(|a| a.as_uuid()))
        .bind(&p.name)
        .bind(&p.organisation)
        .bind(&p.email)
        .bind(p.reply.as_str())
        .bind(&p.raise)
        .bind(p.pre_reads_read_at)
        .bind(p.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict("already invited".into()))
        }
    }

    async fn list_participants(&mut self, meeting: MeetingId) -> StoreResult<Vec<Participant>> {
        let rows = sqlx::query(
            "SELECT * FROM meeting_participants WHERE meeting_id = $1 ORDER BY name, id",
        )
        .bind(meeting.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(participant_row).collect()
    }

    async fn update_participant(&mut self, p: &Participant, expected: i64) -> StoreResult<i64> {
        let res = sqlx::query(
            "UPDATE meeting_participants SET reply = $1, raise = $2, pre_reads_read_at = $3, name = $4, \
               organisation = $5, email = $6, version = $7 \
             WHERE id = $8 AND version = $9",
        )
        .bind(p.reply.as_str())
        .bind(&p.raise)
        .bind(p.pre_reads_read_at)
        .bind(&p.name)
        .bind(&p.organisation)
        .bind(&p.email)
        .bind(expected + 1)
        .bind(p.id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(res.rows_affected(), expected)
    }

    async fn set_guest_token(&mut self, participant: ParticipantId, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE meeting_participants SET guest_token_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(participant.as_uuid())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn participant_by_guest_token(&mut self, hash: &str) -> StoreResult<Option<Participant>> {
        let row = sqlx::query("SELECT * FROM meeting_participants WHERE guest_token_hash = $1")
            .bind(hash)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(participant_row).transpose()
    }

    async fn insert_agenda_item(&mut self, i: &AgendaItem) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agenda_items (id, meeting_id, title, start_offset, duration_minutes, responsible, participants, \
               patient_present, patient_request, minutes, minutes_category, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(i.id.as_uuid())
        .bind(i.meeting_id.as_uuid())
        .bind(&i.title)
        .bind(i.start_offset)
        .bind(i.duration_minutes)
        .bind(i.responsible.as_uuid())
        .bind(Json(&i.participants))
        .bind(i.patient_present)
        .bind(&i.patient_request)
        .bind(&i.minutes)
        .bind(i.minutes_category.as_str())
        .bind(i.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_agenda(&mut self, meeting: MeetingId) -> StoreResult<Vec<AgendaItem>> {
        let rows = sqlx::query(
            "SELECT * FROM agenda_items WHERE meeting_id = $1 ORDER BY start_offset, id",
        )
        .bind(meeting.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(agenda_row).collect()
    }

    async fn update_agenda_item(&mut self, i: &AgendaItem, expected: i64) -> StoreResult<i64> {
        let res = sqlx::query(
            "UPDATE agenda_items SET title = $1, start_offset = $2, duration_minutes = $3, responsible = $4, \
               participants = $5, patient_present = $6, patient_request = $7, minutes = $8, minutes_category = $9, \
               version = $10 WHERE id = $11 AND version = $12",
        )
        .bind(&i.title)
        .bind(i.start_offset)
        .bind(i.duration_minutes)
        .bind(i.responsible.as_uuid())
        .bind(Json(&i.participants))
        .bind(i.patient_present)
        .bind(&i.patient_request)
        .bind(&i.minutes)
        .bind(i.minutes_category.as_str())
        .bind(expected + 1)
        .bind(i.id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(res.rows_affected(), expected)
    }

    async fn insert_pre_read(&mut self, r: &PreRead) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pre_reads (id, meeting_id, kind, title, body, category, author_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.id.as_uuid())
        .bind(r.meeting_id.as_uuid())
        .bind(r.kind.as_str())
        .bind(&r.title)
        .bind(&r.body)
        .bind(r.category.as_str())
        .bind(&r.author_name)
        .bind(r.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_pre_reads(&mut self, meeting: MeetingId) -> StoreResult<Vec<PreRead>> {
        let rows =
            sqlx::query("SELECT * FROM pre_reads WHERE meeting_id = $1 ORDER BY created_at, id")
                .bind(meeting.as_uuid())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        rows.iter().map(pre_read_row).collect()
    }

    async fn insert_decision(&mut self, d: &Decision) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO decisions (id, meeting_id, item_id, text, owner_member_id, due_date, goal_id, action_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.id.as_uuid())
        .bind(d.meeting_id.as_uuid())
        .bind(d.item_id.as_uuid())
        .bind(&d.text)
        .bind(d.owner_member_id.as_uuid())
        .bind(d.due_date)
        .bind(d.goal_id.map(|g| g.as_uuid()))
        .bind(d.action_id.as_uuid())
        .bind(d.created_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_decisions(&mut self, meeting: MeetingId) -> StoreResult<Vec<Decision>> {
        let rows =
            sqlx::query("SELECT * FROM decisions WHERE meeting_id = $1 ORDER BY created_at, id")
                .bind(meeting.as_uuid())
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_err)?;
        rows.iter().map(decision_row).collect()
    }
}

/// A meeting `m` the account ($1) is invited to, not cancelled, ending at or after $2.
const MINE_FROM: &str = "EXISTS (SELECT 1 FROM meeting_participants p WHERE p.meeting_id = m.id AND p.account_id = $1) \
     AND m.status <> 'cancelled' \
     AND m.starts_at + m.duration_minutes * interval '1 minute' >= $2";
