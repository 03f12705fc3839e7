//! Threads, messages with per-recipient receipts, attachments and typed requests.

use crate::codec::*;
use crate::db::*;
use crate::records::account_row;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_store::*;

fn opt_ts(s: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn thread_row(r: &Row) -> StoreResult<Thread> {
    Ok(Thread {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        subject: get(r, "subject")?,
        category: Category::parse("category", &get::<String>(r, "category")?)
            .map_err(|_| corrupt("category"))?,
        created_by: id(&get::<String>(r, "created_by")?)?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        last_message_at: parse_ts(&get::<String>(r, "last_message_at")?)?,
    })
}

fn message_row(r: &Row) -> StoreResult<Message> {
    Ok(Message {
        id: id(&get::<String>(r, "id")?)?,
        thread_id: id(&get::<String>(r, "thread_id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        author_account_id: id(&get::<String>(r, "author_account_id")?)?,
        author_name: get(r, "author_name")?,
        kind: MessageKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("message kind"))?,
        body: get(r, "body")?,
        sent_at: parse_ts(&get::<String>(r, "sent_at")?)?,
        needs_ack: get(r, "needs_ack")?,
        urgent: get(r, "urgent")?,
        ack_due: get::<Option<String>>(r, "ack_due")?
            .as_deref()
            .map(parse_date)
            .transpose()?,
    })
}

fn recipient_row(r: &Row) -> StoreResult<Recipient> {
    Ok(Recipient {
        message_id: id(&get::<String>(r, "message_id")?)?,
        account_id: id(&get::<String>(r, "account_id")?)?,
        name: get(r, "name")?,
        delivered_at: opt_ts(get(r, "delivered_at")?)?,
        read_at: opt_ts(get(r, "read_at")?)?,
        acknowledged_at: opt_ts(get(r, "acknowledged_at")?)?,
        escalated_at: opt_ts(get(r, "escalated_at")?)?,
    })
}

fn attachment_row(r: &Row) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: id(&get::<String>(r, "id")?)?,
        message_id: id(&get::<String>(r, "message_id")?)?,
        file_name: get(r, "file_name")?,
        content_type: get(r, "content_type")?,
        size_bytes: get(r, "size_bytes")?,
        sha256: get(r, "sha256")?,
    })
}

fn strings(r: &Row, col: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(&get::<String>(r, col)?).map_err(|_| corrupt(col))
}

fn request_row(r: &Row) -> StoreResult<Request> {
    Ok(Request {
        id: id(&get::<String>(r, "id")?)?,
        thread_id: id(&get::<String>(r, "thread_id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        kind: RequestKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("request kind"))?,
        status: RequestStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("request status"))?,
        questions: strings(r, "questions")?,
        answers: strings(r, "answers")?,
        answer_note: get(r, "answer_note")?,
        decline_reason: get(r, "decline_reason")?,
        requester_account_id: id(&get::<String>(r, "requester_account_id")?)?,
        requester_name: get(r, "requester_name")?,
        addressee_account_id: id(&get::<String>(r, "addressee_account_id")?)?,
        addressee_member_id: id(&get::<String>(r, "addressee_member_id")?)?,
        addressee_name: get(r, "addressee_name")?,
        action_id: id(&get::<String>(r, "action_id")?)?,
        due_date: parse_date(&get::<String>(r, "due_date")?)?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        answered_at: opt_ts(get(r, "answered_at")?)?,
        version: get(r, "version")?,
    })
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

#[async_trait]
impl MessageRepo for SqliteTx {
    async fn insert_thread(&mut self, t: &Thread) -> StoreResult<()> {
        query("INSERT INTO threads (id, patient_id, subject, category, created_by, created_at, last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(t.id.to_string())
            .bind(t.patient_id.to_string())
            .bind(&t.subject)
            .bind(t.category.as_str())
            .bind(t.created_by.to_string())
            .bind(ts(&t.created_at))
            .bind(ts(&t.last_message_at))
            .execute(&self.tx)?;
        Ok(())
    }

    async fn get_thread(&mut self, tid: ThreadId) -> StoreResult<Option<Thread>> {
        let row = query("SELECT * FROM threads WHERE id = ?")
            .bind(tid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(thread_row).transpose()
    }

    async fn list_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Thread>> {
        let seek = if page.after.is_some() {
            "AND (t.last_message_at, t.id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.* FROM threads t WHERE t.patient_id = ? AND {VISIBLE_THREAD} {seek}\
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?"
        );
        let mut q = bind_thread_filter(query(&sql).bind(patient.to_string()), filter);
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(thread_row).collect()
    }

    async fn count_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64> {
        let sql =
            format!("SELECT COUNT(*) FROM threads t WHERE t.patient_id = ? AND {VISIBLE_THREAD}");
        let q = query_scalar(&sql).bind(patient.to_string());
        let q = q
            .bind(filter.reader.to_string())
            .bind(categories(filter.participant_categories))
            .bind(categories(filter.other_categories));
        q.fetch_one(&self.tx)
    }

    async fn add_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<()> {
        query("INSERT INTO thread_participants (thread_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(thread.to_string())
            .bind(account.to_string())
            .execute(&self.tx)?;
        Ok(())
    }

    async fn is_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<bool> {
        let row =
            query("SELECT 1 AS x FROM thread_participants WHERE thread_id = ? AND account_id = ?")
                .bind(thread.to_string())
                .bind(account.to_string())
                .fetch_optional(&self.tx)?;
        Ok(row.is_some())
    }

    async fn inbox_threads(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<InboxThread>> {
        let seek = if page.after.is_some() {
            "AND (t.last_message_at, t.id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.*,
                (SELECT COUNT(*) FROM message_recipients r
                  WHERE r.thread_id = t.id AND r.account_id = p.account_id AND r.read_at IS NULL) AS unread,
                (SELECT COUNT(*) FROM message_recipients r
                  WHERE r.thread_id = t.id AND r.account_id = p.account_id
                    AND r.needs_ack = 1 AND r.acknowledged_at IS NULL) AS awaiting_ack
             FROM thread_participants p JOIN threads t ON t.id = p.thread_id
             WHERE p.account_id = ? {seek}
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?"
        );
        let mut q = query(&sql).bind(account.to_string());
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok(InboxThread {
                    thread: thread_row(r)?,
                    unread: get(r, "unread")?,
                    awaiting_ack: get(r, "awaiting_ack")?,
                })
            })
            .collect()
    }

    async fn count_inbox(&mut self, account: AccountId) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM thread_participants WHERE account_id = ?")
            .bind(account.to_string())
            .fetch_one(&self.tx)
    }

    async fn insert_message(&mut self, m: &Message, recipients: &[Recipient]) -> StoreResult<()> {
        query("INSERT INTO messages (id, thread_id, patient_id, author_account_id, author_name, kind, body, sent_at, needs_ack, urgent, ack_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(m.id.to_string())
            .bind(m.thread_id.to_string())
            .bind(m.patient_id.to_string())
            .bind(m.author_account_id.to_string())
            .bind(&m.author_name)
            .bind(m.kind.as_str())
            .bind(&m.body)
            .bind(ts(&m.sent_at))
            .bind(m.needs_ack)
            .bind(m.urgent)
            .bind(m.ack_due.as_ref().map(date))
            .execute(&self.tx)?;
        for r in recipients {
            query("INSERT INTO message_recipients (message_id, account_id, thread_id, name, needs_ack, delivered_at, read_at, acknowledged_at, escalated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(m.id.to_string())
                .bind(r.account_id.to_string())
                .bind(m.thread_id.to_string())
                .bind(&r.name)
                .bind(m.needs_ack)
                .bind(r.delivered_at.as_ref().map(ts))
                .bind(r.read_at.as_ref().map(ts))
                .bind(r.acknowledged_at.as_ref().map(ts))
                .bind(r.escalated_at.as_ref().map(ts))
                .execute(&self.tx)?;
        }
        query("UPDATE threads SET last_message_at = ? WHERE id = ?")
            .bind(ts(&m.sent_at))
            .bind(m.thread_id.to_string())
            .execute(&self.tx)?;
        Ok(())
    }

    async fn get_message(&mut self, mid: MessageId) -> StoreResult<Option<Message>> {
        let row = query("SELECT * FROM messages WHERE id = ?")
            .bind(mid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(message_row).transpose()
    }

    async fn list_messages(&mut self, thread: ThreadId) -> StoreResult<Vec<Message>> {
        let rows = query("SELECT * FROM messages WHERE thread_id = ? ORDER BY sent_at, id")
            .bind(thread.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(message_row).collect()
    }

    async fn list_recipients(&mut self, thread: ThreadId) -> StoreResult<Vec<Recipient>> {
        let rows = query(
            "SELECT * FROM message_recipients WHERE thread_id = ? ORDER BY message_id, name, account_id",
        )
        .bind(thread.to_string())
        .fetch_all(&self.tx)?;
        rows.iter().map(recipient_row).collect()
    }

    async fn mark_delivered(&mut self, account: AccountId, at: DateTime<Utc>) -> StoreResult<u64> {
        let r = query("UPDATE message_recipients SET delivered_at = ? WHERE account_id = ? AND delivered_at IS NULL")
            .bind(ts(&at))
            .bind(account.to_string())
            .execute(&self.tx)?;
        Ok(r.rows_affected())
    }

    async fn mark_thread_read(
        &mut self,
        thread: ThreadId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let r = query("UPDATE message_recipients SET read_at = ?1, delivered_at = COALESCE(delivered_at, ?1) WHERE thread_id = ?2 AND account_id = ?3 AND read_at IS NULL")
            .bind(ts(&at))
            .bind(thread.to_string())
            .bind(account.to_string())
            .execute(&self.tx)?;
        Ok(r.rows_affected())
    }

    async fn acknowledge(
        &mut self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let r = query("UPDATE message_recipients SET acknowledged_at = ?1, read_at = COALESCE(read_at, ?1), delivered_at = COALESCE(delivered_at, ?1) WHERE message_id = ?2 AND account_id = ?3 AND acknowledged_at IS NULL")
            .bind(ts(&at))
            .bind(message.to_string())
            .bind(account.to_string())
            .execute(&self.tx)?;
        Ok(r.rows_affected() == 1)
    }

    async fn escalate_unacknowledged(
        &mut self,
        message: MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Recipient>> {
        let rows = query("UPDATE message_recipients SET escalated_at = ? WHERE message_id = ? AND acknowledged_at IS NULL AND escalated_at IS NULL RETURNING *")
            .bind(ts(&at))
            .bind(message.to_string())
            .fetch_all(&self.tx)?;
        let mut out = rows
            .iter()
            .map(recipient_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING has no order; give callers the same one list_recipients does.
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.account_id.cmp(&b.account_id)));
        Ok(out)
    }

    async fn unread_messages(&mut self, account: AccountId) -> StoreResult<i64> {
        let row = query(
            "SELECT COUNT(*) AS n FROM message_recipients WHERE account_id = ? AND read_at IS NULL",
        )
        .bind(account.to_string())
        .fetch_one(&self.tx)?;
        get(&row, "n")
    }

    async fn insert_attachment(&mut self, a: &Attachment, data: &[u8]) -> StoreResult<()> {
        // The thread is the message's; taking it from there keeps the two consistent,
        // and an unknown message inserts nothing (NotFound), as on PostgreSQL.
        let r = query("INSERT INTO attachments (id, message_id, thread_id, file_name, content_type, size_bytes, sha256, data) SELECT ?, m.id, m.thread_id, ?, ?, ?, ?, ? FROM messages m WHERE m.id = ?")
            .bind(a.id.to_string())
            .bind(&a.file_name)
            .bind(&a.content_type)
            .bind(a.size_bytes)
            .bind(&a.sha256)
            .bind(data)
            .bind(a.message_id.to_string())
            .execute(&self.tx)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn list_attachments(&mut self, thread: ThreadId) -> StoreResult<Vec<Attachment>> {
        let rows = query("SELECT id, message_id, file_name, content_type, size_bytes, sha256 FROM attachments WHERE thread_id = ? ORDER BY id")
            .bind(thread.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(attachment_row).collect()
    }

    async fn get_attachment(
        &mut self,
        aid: AttachmentId,
    ) -> StoreResult<Option<(Attachment, ThreadId, Vec<u8>)>> {
        let row = query("SELECT * FROM attachments WHERE id = ?")
            .bind(aid.to_string())
            .fetch_optional(&self.tx)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                attachment_row(&r)?,
                id(&get::<String>(&r, "thread_id")?)?,
                get(&r, "data")?,
            ))),
        }
    }

    async fn account_for_professional(
        &mut self,
        professional: ProfessionalId,
    ) -> StoreResult<Option<Account>> {
        let row = query(
            "SELECT * FROM accounts WHERE professional_id = ? AND disabled = 0 ORDER BY created_at, id LIMIT 1",
        )
        .bind(professional.to_string())
        .fetch_optional(&self.tx)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn accounts_for_patient(&mut self, patient: PatientId) -> StoreResult<Vec<Account>> {
        let rows = query(
            "SELECT * FROM accounts WHERE patient_id = ? AND role IN ('patient', 'proxy') AND disabled = 0 ORDER BY role, username",
        )
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        rows.iter().map(account_row).collect()
    }
}

#[async_trait]
impl RequestRepo for SqliteTx {
    async fn insert_request(&mut self, r: &Request) -> StoreResult<()> {
        query("INSERT INTO requests (id, thread_id, patient_id, kind, status, questions, answers, answer_note, decline_reason, requester_account_id, requester_name, addressee_account_id, addressee_member_id, addressee_name, action_id, due_date, created_at, answered_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(r.id.to_string())
            .bind(r.thread_id.to_string())
            .bind(r.patient_id.to_string())
            .bind(r.kind.as_str())
            .bind(r.status.as_str())
            .bind(json_list(&r.questions))
            .bind(json_list(&r.answers))
            .bind(&r.answer_note)
            .bind(&r.decline_reason)
            .bind(r.requester_account_id.to_string())
            .bind(&r.requester_name)
            .bind(r.addressee_account_id.to_string())
            .bind(r.addressee_member_id.to_string())
            .bind(&r.addressee_name)
            .bind(r.action_id.to_string())
            .bind(date(&r.due_date))
            .bind(ts(&r.created_at))
            .bind(r.answered_at.as_ref().map(ts))
            .bind(r.version)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn get_request(&mut self, rid: RequestId) -> StoreResult<Option<Request>> {
        let row = query("SELECT * FROM requests WHERE id = ?")
            .bind(rid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(request_row).transpose()
    }

    async fn request_for_thread(&mut self, thread: ThreadId) -> StoreResult<Option<Request>> {
        let row = query("SELECT * FROM requests WHERE thread_id = ?")
            .bind(thread.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(request_row).transpose()
    }

    async fn update_request(&mut self, r: &Request, expected: i64) -> StoreResult<i64> {
        let res = query("UPDATE requests SET status = ?, answers = ?, answer_note = ?, decline_reason = ?, answered_at = ?, due_date = ?, addressee_account_id = ?, addressee_member_id = ?, addressee_name = ?, version = ? WHERE id = ? AND version = ?")
            .bind(r.status.as_str())
            .bind(json_list(&r.answers))
            .bind(&r.answer_note)
            .bind(&r.decline_reason)
            .bind(r.answered_at.as_ref().map(ts))
            .bind(date(&r.due_date))
            .bind(r.addressee_account_id.to_string())
            .bind(r.addressee_member_id.to_string())
            .bind(&r.addressee_name)
            .bind(expected + 1)
            .bind(r.id.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        versioned(res.rows_affected(), expected)
    }

    async fn list_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Request>> {
        let seek = if page.after.is_some() {
            "AND (r.created_at, r.id) < (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT r.* FROM requests r JOIN threads t ON t.id = r.thread_id \
             WHERE r.patient_id = ? AND {VISIBLE_THREAD} {seek}\
             ORDER BY r.created_at DESC, r.id DESC LIMIT ?"
        );
        let mut q = bind_thread_filter(query(&sql).bind(patient.to_string()), filter);
        if let Some(after) = &page.after {
            q = q.bind(ts(&after.key)).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter().map(request_row).collect()
    }

    async fn count_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM requests r JOIN threads t ON t.id = r.thread_id \
             WHERE r.patient_id = ? AND {VISIBLE_THREAD}"
        );
        query_scalar(&sql)
            .bind(patient.to_string())
            .bind(filter.reader.to_string())
            .bind(categories(filter.participant_categories))
            .bind(categories(filter.other_categories))
            .fetch_one(&self.tx)
    }
}

/// A thread `t` the filter lets through (three parameters: the reader, then the
/// participant and the other categories as JSON arrays).
const VISIBLE_THREAD: &str = "(CASE WHEN EXISTS (SELECT 1 FROM thread_participants tp WHERE tp.thread_id = t.id AND tp.account_id = ?) \
     THEN t.category IN (SELECT value FROM json_each(?)) ELSE t.category IN (SELECT value FROM json_each(?)) END)";

fn categories(c: &[&str]) -> String {
    serde_json::Value::from(c.to_vec()).to_string()
}

fn bind_thread_filter<'q>(q: Query<'q>, filter: &ThreadFilter<'_>) -> Query<'q> {
    q.bind(filter.reader.to_string())
        .bind(categories(filter.participant_categories))
        .bind(categories(filter.other_categories))
}
