//! Threads, messages with per-recipient receipts, attachments and typed requests.

use crate::codec::*;
#[allow(unused_imports)]
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)]
use uuid::Uuid;

use crate::records::account_row;
use crate::PgTx;
use async_trait::async_trait;
use samband_domain::consent::Category;
use samband_domain::ids::*;
use samband_domain::message::*;
use samband_store::*;
use sqlx::postgres::PgRow;
use sqlx::types::Json;

fn thread_row(r: &PgRow) -> StoreResult<Thread> {
    Ok(Thread {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        subject: get(r, "subject")?,
        category: Category::parse("category", &get::<String>(r, "category")?)
            .map_err(|_| corrupt("thread category"))?,
        created_by: uid(r, "created_by")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        last_message_at: get::<DateTime<Utc>>(r, "last_message_at")?,
    })
}

fn message_row(r: &PgRow) -> StoreResult<Message> {
    Ok(Message {
        id: uid(r, "id")?,
        thread_id: uid(r, "thread_id")?,
        patient_id: uid(r, "patient_id")?,
        author_account_id: uid(r, "author_account_id")?,
        author_name: get(r, "author_name")?,
        kind: MessageKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("message kind"))?,
        body: get(r, "body")?,
        sent_at: get::<DateTime<Utc>>(r, "sent_at")?,
        needs_ack: get(r, "needs_ack")?,
        urgent: get(r, "urgent")?,
        ack_due: get::<Option<NaiveDate>>(r, "ack_due")?,
    })
}

fn recipient_row(r: &PgRow) -> StoreResult<Recipient> {
    Ok(Recipient {
        message_id: uid(r, "message_id")?,
        account_id: uid(r, "account_id")?,
        name: get(r, "name")?,
        delivered_at: get::<Option<DateTime<Utc>>>(r, "delivered_at")?,
        read_at: get::<Option<DateTime<Utc>>>(r, "read_at")?,
        acknowledged_at: get::<Option<DateTime<Utc>>>(r, "acknowledged_at")?,
        escalated_at: get::<Option<DateTime<Utc>>>(r, "escalated_at")?,
    })
}

fn attachment_row(r: &PgRow) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: uid(r, "id")?,
        message_id: uid(r, "message_id")?,
        file_name: get(r, "file_name")?,
        content_type: get(r, "content_type")?,
        size_bytes: get(r, "size_bytes")?,
        sha256: get(r, "sha256")?,
    })
}

fn request_row(r: &PgRow) -> StoreResult<Request> {
    Ok(Request {
        id: uid(r, "id")?,
        thread_id: uid(r, "thread_id")?,
        patient_id: uid(r, "patient_id")?,
        kind: RequestKind::parse("kind", &get::<String>(r, "kind")?)
            .map_err(|_| corrupt("request kind"))?,
        status: RequestStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("request status"))?,
        questions: get::<Json<Vec<String>>>(r, "questions")
            .map_err(|_| corrupt("request questions"))?
            .0,
        answers: get::<Json<Vec<String>>>(r, "answers")
            .map_err(|_| corrupt("request answers"))?
            .0,
        answer_note: get(r, "answer_note")?,
        decline_reason: get(r, "decline_reason")?,
        requester_account_id: uid(r, "requester_account_id")?,
        requester_name: get(r, "requester_name")?,
        addressee_account_id: uid(r, "addressee_account_id")?,
        addressee_member_id: uid(r, "addressee_member_id")?,
        addressee_name: get(r, "addressee_name")?,
        action_id: uid(r, "action_id")?,
        due_date: get::<NaiveDate>(r, "due_date")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        answered_at: get::<Option<DateTime<Utc>>>(r, "answered_at")?,
        version: get(r, "version")?,
    })
}

#[async_trait]
impl MessageRepo for PgTx {
    async fn insert_thread(&mut self, t: &Thread) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO threads (id, patient_id, subject, category, created_by, created_at, last_message_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(t.id.as_uuid())
        .bind(t.patient_id.as_uuid())
        .bind(&t.subject)
        .bind(t.category.as_str())
        .bind(t.created_by.as_uuid())
        .bind(t.created_at)
        .bind(t.last_message_at)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_thread(&mut self, id: ThreadId) -> StoreResult<Option<Thread>> {
        let row = sqlx::query("SELECT * FROM threads WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(thread_row).transpose()
    }

    async fn list_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Thread>> {
        let seek = if page.after.is_some() {
            "AND (t.last_message_at, t.id) < ($6, $7) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.* FROM threads t WHERE t.patient_id = $1 AND {VISIBLE_THREAD} {seek}\
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT $5"
        );
        let mut q =
            bind_thread_filter(sqlx::query(&sql).bind(patient.as_uuid()), filter).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(thread_row).collect()
    }

    async fn count_threads(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64> {
        let sql =
            format!("SELECT COUNT(*) FROM threads t WHERE t.patient_id = $1 AND {VISIBLE_THREAD}");
        sqlx::query_scalar(&sql)
            .bind(patient.as_uuid())
            .bind(filter.reader.as_uuid())
            .bind(categories(filter.participant_categories))
            .bind(categories(filter.other_categories))
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn add_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<()> {
        // ON CONFLICT, not a caught unique violation: that would abort the transaction.
        sqlx::query(
            "INSERT INTO thread_participants (thread_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(thread.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn is_participant(&mut self, thread: ThreadId, account: AccountId) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM thread_participants WHERE thread_id = $1 AND account_id = $2)",
        )
        .bind(thread.as_uuid())
        .bind(account.as_uuid())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn inbox_threads(
        &mut self,
        account: AccountId,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<InboxThread>> {
        let seek = if page.after.is_some() {
            "AND (t.last_message_at, t.id) < ($3, $4) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.*, \
               (SELECT COUNT(*) FROM message_recipients r \
                 WHERE r.thread_id = t.id AND r.account_id = $1 AND r.read_at IS NULL) AS unread, \
               (SELECT COUNT(*) FROM message_recipients r \
                 WHERE r.thread_id = t.id AND r.account_id = $1 AND r.needs_ack AND r.acknowledged_at IS NULL) AS awaiting_ack \
             FROM threads t JOIN thread_participants p ON p.thread_id = t.id \
             WHERE p.account_id = $1 {seek}\
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2"
        );
        let mut q = sqlx::query(&sql).bind(account.as_uuid()).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
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
        sqlx::query_scalar("SELECT COUNT(*) FROM thread_participants WHERE account_id = $1")
            .bind(account.as_uuid())
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }

    async fn insert_message(&mut self, m: &Message, recipients: &[Recipient]) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO messages (id, thread_id, patient_id, author_account_id, author_name, kind, body, sent_at, needs_ack, urgent, ack_due) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(m.id.as_uuid())
        .bind(m.thread_id.as_uuid())
        .bind(m.patient_id.as_uuid())
        .bind(m.author_account_id.as_uuid())
        .bind(&m.author_name)
        .bind(m.kind.as_str())
        .bind(&m.body)
        .bind(m.sent_at)
        .bind(m.needs_ack)
        .bind(m.urgent)
        .bind(m.ack_due)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        for r in recipients {
            sqlx::query(
                "INSERT INTO message_recipients (message_id, account_id, thread_id, name, needs_ack, delivered_at, read_at, acknowledged_at, escalated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(m.id.as_uuid())
            .bind(r.account_id.as_uuid())
            .bind(m.thread_id.as_uuid())
            .bind(&r.name)
            .bind(m.needs_ack)
            .bind(r.delivered_at)
            .bind(r.read_at)
            .bind(r.acknowledged_at)
            .bind(r.escalated_at)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query("UPDATE threads SET last_message_at = $1 WHERE id = $2")
            .bind(m.sent_at)
            .bind(m.thread_id.as_uuid())
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn get_message(&mut self, id: MessageId) -> StoreResult<Option<Message>> {
        let row = sqlx::query("SELECT * FROM messages WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(message_row).transpose()
    }

    async fn list_messages(&mut self, thread: ThreadId) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query("SELECT * FROM messages WHERE thread_id = $1 ORDER BY sent_at, id")
            .bind(thread.as_uuid())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(message_row).collect()
    }

    async fn list_recipients(&mut self, thread: ThreadId) -> StoreResult<Vec<Recipient>> {
        let rows = sqlx::query(
            "SELECT * FROM message_recipients WHERE thread_id = $1 ORDER BY message_id, name, account_id",
        )
        .bind(thread.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(recipient_row).collect()
    }

    async fn mark_delivered(&mut self, account: AccountId, at: DateTime<Utc>) -> StoreResult<u64> {
        let r = sqlx::query(
            "UPDATE message_recipients SET delivered_at = $1 WHERE account_id = $2 AND delivered_at IS NULL",
        )
        .bind(at)
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn mark_thread_read(
        &mut self,
        thread: ThreadId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let r = sqlx::query(
            "UPDATE message_recipients SET read_at = $1, delivered_at = COALESCE(delivered_at, $1) \
             WHERE thread_id = $2 AND account_id = $3 AND read_at IS NULL",
        )
        .bind(at)
        .bind(thread.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn acknowledge(
        &mut self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE message_recipients SET acknowledged_at = $1, read_at = COALESCE(read_at, $1), delivered_at = COALESCE(delivered_at, $1) \
             WHERE message_id = $2 AND account_id = $3 AND acknowledged_at IS NULL",
        )
        .bind(at)
        .bind(message.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn escalate_unacknowledged(
        &mut self,
        message: MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Recipient>> {
        let rows = sqlx::query(
            "UPDATE message_recipients SET escalated_at = $2 \
             WHERE message_id = $1 AND acknowledged_at IS NULL AND escalated_at IS NULL RETURNING *",
        )
        .bind(message.as_uuid())
        .bind(at)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let mut out = rows
            .iter()
            .map(recipient_row)
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING has no order; give callers the same one list_recipients does.
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.account_id.cmp(&b.account_id)));
        Ok(out)
    }

    async fn unread_messages(&mut self, account: AccountId) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM message_recipients WHERE account_id = $1 AND read_at IS NULL",
        )
        .bind(account.as_uuid())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }

    async fn insert_attachment(&mut self, a: &Attachment, data: &[u8]) -> StoreResult<()> {
        // The thread is the message's; taking it from there keeps the two consistent.
        let r = sqlx::query(
            "INSERT INTO attachments (id, message_id, thread_id, file_name, content_type, size_bytes, sha256, data) \
             SELECT $1, m.id, m.thread_id, $3, $4, $5, $6, $7 FROM messages m WHERE m.id = $2",
        )
        .bind(a.id.as_uuid())
        .bind(a.message_id.as_uuid())
        .bind(&a.file_name)
        .bind(&a.content_type)
        .bind(a.size_bytes)
        .bind(&a.sha256)
        .bind(data)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn list_attachments(&mut self, thread: ThreadId) -> StoreResult<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT id, message_id, file_name, content_type, size_bytes, sha256 FROM attachments WHERE thread_id = $1 ORDER BY id",
        )
        .bind(thread.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(attachment_row).collect()
    }

    async fn get_attachment(
        &mut self,
        id: AttachmentId,
    ) -> StoreResult<Option<(Attachment, ThreadId, Vec<u8>)>> {
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok((
                attachment_row(&r)?,
                uid(&r, "thread_id")?,
                get::<Vec<u8>>(&r, "data")?,
            ))
        })
        .transpose()
    }

    async fn account_for_professional(
        &mut self,
        professional: ProfessionalId,
    ) -> StoreResult<Option<Account>> {
        let row = sqlx::query(
            "SELECT * FROM accounts WHERE professional_id = $1 AND NOT disabled ORDER BY created_at, id LIMIT 1",
        )
        .bind(professional.as_uuid())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(account_row).transpose()
    }

    async fn accounts_for_patient(&mut self, patient: PatientId) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query(
            "SELECT * FROM accounts WHERE patient_id = $1 AND role IN ('patient', 'proxy') AND NOT disabled \
             ORDER BY role, username",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(account_row).collect()
    }
}

#[async_trait]
impl RequestRepo for PgTx {
    async fn insert_request(&mut self, r: &Request) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO requests (id, thread_id, patient_id, kind, status, questions, answers, answer_note, decline_reason, \
               requester_account_id, requester_name, addressee_account_id, addressee_member_id, addressee_name, action_id, \
               due_date, created_at, answered_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(r.id.as_uuid())
        .bind(r.thread_id.as_uuid())
        .bind(r.patient_id.as_uuid())
        .bind(r.kind.as_str())
        .bind(r.status.as_str())
        .bind(Json(&r.questions))
        .bind(Json(&r.answers))
        .bind(&r.answer_note)
        .bind(&r.decline_reason)
        .bind(r.requester_account_id.as_uuid())
        .bind(&r.requester_name)
        .bind(r.addressee_account_id.as_uuid())
        .bind(r.addressee_member_id.as_uuid())
        .bind(&r.addressee_name)
        .bind(r.action_id.as_uuid())
        .bind(r.due_date)
        .bind(r.created_at)
        .bind(r.answered_at)
        .bind(r.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_request(&mut self, id: RequestId) -> StoreResult<Option<Request>> {
        let row = sqlx::query("SELECT * FROM requests WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(request_row).transpose()
    }

    async fn request_for_thread(&mut self, thread: ThreadId) -> StoreResult<Option<Request>> {
        let row = sqlx::query("SELECT * FROM requests WHERE thread_id = $1")
            .bind(thread.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(request_row).transpose()
    }

    async fn update_request(&mut self, r: &Request, expected: i64) -> StoreResult<i64> {
        let res = sqlx::query(
            "UPDATE requests SET status = $1, answers = $2, answer_note = $3, decline_reason = $4, answered_at = $5, \
               due_date = $6, version = $7, addressee_account_id = $10, addressee_member_id = $11, \
               addressee_name = $12 \
             WHERE id = $8 AND version = $9",
        )
        .bind(r.status.as_str())
        .bind(Json(&r.answers))
        .bind(&r.answer_note)
        .bind(&r.decline_reason)
        .bind(r.answered_at)
        .bind(r.due_date)
        .bind(expected + 1)
        .bind(r.id.as_uuid())
        .bind(expected)
        .bind(r.addressee_account_id.as_uuid())
        .bind(r.addressee_member_id.as_uuid())
        .bind(&r.addressee_name)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(res.rows_affected(), expected)
    }

    async fn list_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
        page: &PageAt<DateTime<Utc>>,
    ) -> StoreResult<Vec<Request>> {
        let seek = if page.after.is_some() {
            "AND (r.created_at, r.id) < ($6, $7) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT r.* FROM requests r JOIN threads t ON t.id = r.thread_id \
             WHERE r.patient_id = $1 AND {VISIBLE_THREAD} {seek}\
             ORDER BY r.created_at DESC, r.id DESC LIMIT $5"
        );
        let mut q =
            bind_thread_filter(sqlx::query(&sql).bind(patient.as_uuid()), filter).bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter().map(request_row).collect()
    }

    async fn count_requests(
        &mut self,
        patient: PatientId,
        filter: &ThreadFilter<'_>,
    ) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM requests r JOIN threads t ON t.id = r.thread_id \
             WHERE r.patient_id = $1 AND {VISIBLE_THREAD}"
        );
        sqlx::query_scalar(&sql)
            .bind(patient.as_uuid())
            .bind(filter.reader.as_uuid())
            .bind(categories(filter.participant_categories))
            .bind(categories(filter.other_categories))
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }
}

/// A thread `t` the filter lets through ($2 the reader, $3 and $4 the participant and
/// the other categories).
const VISIBLE_THREAD: &str = "(CASE WHEN EXISTS (SELECT 1 FROM thread_participants tp WHERE tp.thread_id = t.id AND tp.account_id = $2) \
     THEN t.category = ANY($3) ELSE t.category = ANY($4) END)";

fn categories(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

fn bind_thread_filter<'q>(
    q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    filter: &ThreadFilter<'_>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    q.bind(filter.reader.as_uuid())
        .bind(categories(filter.participant_categories))
        .bind(categories(filter.other_categories))
}
