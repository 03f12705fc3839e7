//! Meetings, participants, agenda items, pre-reads and decisions.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_store::*;

fn opt_ts(s: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn meeting_row(r: &Row) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        kind: MeetingKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("meeting kind"))?,
        mode: MeetingMode::parse("mode", &get::<String>(r, "mode")?)
            .map_err(|_| corrupt("meeting mode"))?,
        title: get(r, "title")?,
        starts_at: parse_ts(&get::<String>(r, "starts_at")?)?,
        duration_minutes: get(r, "duration_minutes")?,
        video_link: get(r, "video_link")?,
        place: get(r, "place")?,
        organiser_account_id: id(&get::<String>(r, "organiser_account_id")?)?,
        organiser_name: get(r, "organiser_name")?,
        pre_read_policy: PreReadPolicy::parse("policy", &get::<String>(r, "pre_read_policy")?)
            .map_err(|_| corrupt("pre-read policy"))?,
        pre_read_days: get(r, "pre_read_days")?,
        follow_up_date: get::<Option<String>>(r, "follow_up_date")?
            .as_deref()
            .map(parse_date)
            .transpose()?,
        summary: get(r, "summary")?,
        status: MeetingStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("meeting status"))?,
        sequence: get(r, "sequence")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        version: get(r, "version")?,
    })
}

fn participant_row(r: &Row) -> StoreResult<Participant> {
    Ok(Participant {
        id: id(&get::<String>(r, "id")?)?,
        meeting_id: id(&get::<String>(r, "meeting_id")?)?,
        kind: ParticipantKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("participant kind"))?,
        member_id: opt_id(get(r, "member_id")?)?,
        account_id: opt_id(get(r, "account_id")?)?,
        name: get(r, "name")?,
        organisation: get(r, "organisation")?,
        email: get(r, "email")?,
        reply: Reply::parse("reply", &get::<String>(r, "reply")?).map_err(|_| corrupt("reply"))?,
        raise: get(r, "raise")?,
        pre_reads_read_at: opt_ts(get(r, "pre_reads_read_at")?)?,
        version: get(r, "version")?,
    })
}

fn item_row(r: &Row) -> StoreResult<AgendaItem> {
    Ok(AgendaItem {
        id: id(&get::<String>(r, "id")?)?,
        meeting_id: id(&get::<String>(r, "meeting_id")?)?,
        title: get(r, "title")?,
        start_offset: get(r, "start_offset")?,
        duration_minutes: get(r, "duration_minutes")?,
        responsible: id(&get::<String>(r, "responsible")?)?,
        participants: serde_json::from_str(&get::<String>(r, "participants")?)
            .map_err(|_| corrupt("agenda participants"))?,
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

fn pre_read_row(r: &Row) -> StoreResult<PreRead> {
    Ok(PreRead {
        id: id(&get::<String>(r, "id")?)?,
        meeting_id: id(&get::<String>(r, "meeting_id")?)?,
        kind: PreReadKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("pre-read kind"))?,
        title: get(r, "title")?,
        body: get(r, "body")?,
        category: Category::parse("category", &get::<String>(r, "category")?)
            .map_err(|_| corrupt("category"))?,
        author_name: get(r, "author_name")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
    })
}

fn decision_row(r: &Row) -> StoreResult<Decision> {
    Ok(Decision {
        id: id(&get::<String>(r, "id")?)?,
        meeting_id: id(&get::<String>(r, "meeting_id")?)?,
        item_id: id(&get::<String>(r, "item_id")?)?,
        text: get(r, "text")?,
        owner_member_id: id(&get::<String>(r, "owner_member_id")?)?,
        due_date: parse_date(&get::<String>(r, "due_date")?)?,
        goal_id: opt_id(get(r, "goal_id")?)?,
        action_id: id(&get::<String>(r, "action_id")?)?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
    })
}

fn ids_json(v: &[ParticipantId]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

#[async_trait]
impl MeetingRepo for SqliteTx {
    async fn insert_meeting(&mut self, m: &Meeting) -> StoreResult<()> {
        query("INSERT INTO meetings (id, patient_id, kind, mode, title, starts_at, duration_minutes, video_link, place, organiser_account_id, organiser_name, pre_read_policy, pre_read_days, follow_up_date, summary, status, sequence, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(m.id.to_string())
            .bind(m.patient_id.to_string())
            .bind(m.kind.as_str())
            .bind(m.mode.as_str())
            .bind(&m.title)
            .bind(ts(&m.starts_at))
            .bind(m.duration_minutes)
            .bind(&m.video_link)
            .bind(&m.place)
            .bind(m.organiser_account_id.to_string())
            .bind(&m.organiser_name)
            .bind(m.pre_read_policy.as_str())
            .bind(m.pre_read_days)
            .bind(m.follow_up_date.as_ref().map(date))
            .bind(&m.summary)
            .bind(m.status.as_str())
            .bind(m.sequence)
            .bind(ts(&m.created_at))
            .bind(m.version)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn get_meeting(&mut self, mid: MeetingId) -> StoreResult<Option<Meeting>> {
        let row = query("SELECT * FROM meetings WHERE id = ?")
            .bind(mid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(meeting_row).transpose()
    }

    async fn update_meeting(&mut self, m: &Meeting, expected: i64) -> StoreResult<i64> {
        let r = query("UPDATE meetings SET kind = ?, mode = ?, title = ?, starts_at = ?, duration_minutes = ?, video_link = ?, place = ?, pre_read_policy = ?, pre_read_days = ?, follow_up_date = ?, summary = ?, status = ?, sequence = ?, version = ? WHERE id = ? AND version = ?")
            .bind(m.kind.as_str())
            .bind(m.mode.as_str())
            .bind(&m.title)
            .bind(ts(&m.starts_at))
            .bind(m.duration_minutes)
            .bind(&m.video_link)
            .bind(&m.place)
            .bind(m.pre_read_policy.as_str())
            .bind(m.pre_read_days)
            .bind(m.follow_up_date.as_ref().map(date))
            .bind(&m.summary)
            .bind(m.status.as_str())
            .bind(m.sequence)
            .bind(expected + 1)
            .bind(m.id.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_meetings(
        &mut self,
        patient: PatientId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>> {
        let seek = if page.after.is_some() {
            "AND (starts_at, id) > (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM meetings WHERE patient_id = ? {seek}ORDER BY starts_at, id LIMIT ?"
        );
        let mut q = query(&sql).bind(patient.to_string());
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(meeting_row).collect()
    }

    async fn count_meetings(&mut self, patient: PatientId) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM meetings WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_one(&self.tx)
    }

    async fn meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Meeting>> {
        let seek = if page.after.is_some() {
            "AND (m.starts_at, m.id) > (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.* FROM meetings m WHERE {MINE_FROM} {seek}ORDER BY m.starts_at, m.id LIMIT ?"
        );
        let mut q = query(&sql).bind(account.to_string()).bind(end_key(&from));
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(meeting_row).collect()
    }

    async fn count_meetings_for_account(
        &mut self,
        account: AccountId,
        from: DateTime<Utc>,
    ) -> StoreResult<i64> {
        query_scalar(&format!(
            "SELECT COUNT(*) FROM meetings m WHERE {MINE_FROM}"
        ))
        .bind(account.to_string())
        .bind(end_key(&from))
        .fetch_one(&self.tx)
    }

    async fn insert_participant(&mut self, p: &Participant) -> StoreResult<()> {
        let r = query("INSERT INTO meeting_participants (id, meeting_id, kind, member_id, account_id, name, organisation, email, reply, raise, pre_reads_read_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(p.id.to_string())
            .bind(p.meeting_id.to_string())
            .bind(p.kind.as_str())
            .bind(p.member_id.map(|m| m.to_string()))
            .bind(p.account_id.map(|a| a.to_string()))
            .bind(&p.name)
            .bind(&p.organisation)
            .bind(&p.email)
            .bind(p.reply.as_str())
            .bind(&p.raise)
            .bind(p.pre_reads_read_at.as_ref().map(ts))
            .bind(p.version)
            .execute(&self.tx)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict("already invited".into()));
        }
        Ok(())
    }

    async fn list_participants(&mut self, meeting: MeetingId) -> StoreResult<Vec<Participant>> {
        let rows =
            query("SELECT * FROM meeting_participants WHERE meeting_id = ? ORDER BY name, id")
                .bind(meeting.to_string())
                .fetch_all(&self.tx)?;
        rows.iter().map(participant_row).collect()
    }

    async fn update_participant(&mut self, p: &Participant, expected: i64) -> StoreResult<i64> {
        let r = query("UPDATE meeting_participants SET reply = ?, raise = ?, pre_reads_read_at = ?, name = ?, organisation = ?, email = ?, version = ? WHERE id = ? AND version = ?")
            .bind(p.reply.as_str())
            .bind(&p.raise)
            .bind(p.pre_reads_read_at.as_ref().map(ts))
            .bind(&p.name)
            .bind(&p.organisation)
            .bind(&p.email)
            .bind(expected + 1)
            .bind(p.id.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn set_guest_token(&mut self, participant: ParticipantId, hash: &str) -> StoreResult<()> {
        query("UPDATE meeting_participants SET guest_token_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(participant.to_string())
            .execute(&self.tx)?;
        Ok(())
    }

    async fn participant_by_guest_token(&mut self, hash: &str) -> StoreResult<Option<Participant>> {
        let row = query("SELECT * FROM meeting_participants WHERE guest_token_hash = ?")
            .bind(hash)
            .fetch_optional(&self.tx)?;
        row.as_ref().map(participant_row).transpose()
    }

    async fn insert_agenda_item(&mut self, i: &AgendaItem) -> StoreResult<()> {
        query("INSERT INTO agenda_items (id, meeting_id, title, start_offset, duration_minutes, responsible, participants, patient_present, patient_request, minutes, minutes_category, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(i.id.to_string())
            .bind(i.meeting_id.to_string())
            .bind(&i.title)
            .bind(i.start_offset)
            .bind(i.duration_minutes)
            .bind(i.responsible.to_string())
            .bind(ids_json(&i.participants))
            .bind(i.patient_present)
            .bind(&i.patient_request)
            .bind(&i.minutes)
            .bind(i.minutes_category.as_str())
            .bind(i.version)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn list_agenda(&mut self, meeting: MeetingId) -> StoreResult<Vec<AgendaItem>> {
        let rows =
            query("SELECT * FROM agenda_items WHERE meeting_id = ? ORDER BY start_offset, id")
                .bind(meeting.to_string())
                .fetch_all(&self.tx)?;
        rows.iter().map(item_row).collect()
    }

    async fn update_agenda_item(&mut self, i: &AgendaItem, expected: i64) -> StoreResult<i64> {
        let r = query("UPDATE agenda_items SET title = ?, start_offset = ?, duration_minutes = ?, responsible = ?, participants = ?, patient_present = ?, patient_request = ?, minutes = ?, minutes_category = ?, version = ? WHERE id = ? AND version = ?")
            .bind(&i.title)
            .bind(i.start_offset)
            .bind(i.duration_minutes)
            .bind(i.responsible.to_string())
            .bind(ids_json(&i.participants))
            .bind(i.patient_present)
            .bind(&i.patient_request)
            .bind(&i.minutes)
            .bind(i.minutes_category.as_str())
            .bind(expected + 1)
            .bind(i.id.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn insert_pre_read(&mut self, r: &PreRead) -> StoreResult<()> {
        query("INSERT INTO pre_reads (id, meeting_id, kind, title, body, category, author_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(r.id.to_string())
            .bind(r.meeting_id.to_string())
            .bind(r.kind.as_str())
            .bind(&r.title)
            .bind(&r.body)
            .bind(r.category.as_str())
            .bind(&r.author_name)
            .bind(ts(&r.created_at))
            .execute(&self.tx)?;
        Ok(())
    }

    async fn list_pre_reads(&mut self, meeting: MeetingId) -> StoreResult<Vec<PreRead>> {
        let rows = query("SELECT * FROM pre_reads WHERE meeting_id = ? ORDER BY created_at, id")
            .bind(meeting.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(pre_read_row).collect()
    }

    async fn insert_decision(&mut self, d: &Decision) -> StoreResult<()> {
        query("INSERT INTO decisions (id, meeting_id, item_id, text, owner_member_id, due_date, goal_id, action_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(d.id.to_string())
            .bind(d.meeting_id.to_string())
            .bind(d.item_id.to_string())
            .bind(&d.text)
            .bind(d.owner_member_id.to_string())
            .bind(date(&d.due_date))
            .bind(d.goal_id.map(|g| g.to_string()))
            .bind(d.action_id.to_string())
            .bind(ts(&d.created_at))
            .execute(&self.tx)?;
        Ok(())
    }

    async fn list_decisions(&mut self, meeting: MeetingId) -> StoreResult<Vec<Decision>> {
        let rows = query("SELECT * FROM decisions WHERE meeting_id = ? ORDER BY created_at, id")
            .bind(meeting.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(decision_row).collect()
    }
}

/// A meeting `m` the account (first parameter) is invited to, not cancelled, ending at
/// or after the second parameter (an [`end_key`]).
const MINE_FROM: &str =
    "EXISTS (SELECT 1 FROM meeting_participants p WHERE p.meeting_id = m.id AND p.account_id = ?) \
     AND m.status <> 'cancelled' \
     AND strftime('%Y-%m-%dT%H:%M:%fZ', m.starts_at, '+' || m.duration_minutes || ' minutes') >= ?";

/// A time as SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ', …)` writes it (milliseconds).
fn end_key(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
