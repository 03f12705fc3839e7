//! PostgreSQL backend: the scale option. Several Samband instances may share one
//! database; migrations take an advisory lock so concurrent starts apply each once.
//! PostgreSQL's defaults (fsync on, synchronous_commit on) give durable commits.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod codec;
mod consent;
mod directory;
mod jobs;
mod meetings;
mod messages;
mod migrate;
mod plan;
mod records;
mod team;

use async_trait::async_trait;
use samband_store::{Store, StoreError, StoreResult, Tx};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub struct PgStore {
    pool: PgPool,
    /// The NOTIFY channel for live updates: per schema, so stores sharing a database
    /// but not a schema (tests) do not hear each other.
    channel: String,
}

pub(crate) struct PgTx {
    pub(crate) tx: Transaction<'static, Postgres>,
}

impl PgStore {
    /// Connects and migrates. `schema`, when given, is created if missing and used as the
    /// search path for every connection (tests give each test its own schema).
    pub async fn open(url: &str, schema: Option<&str>, max_connections: u32) -> StoreResult<Self> {
        let mut opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?
            .application_name("samband");
        if let Some(schema) = schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(StoreError::Other("schema name must be alphanumeric".into()));
            }
            let setup = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await
                .map_err(codec::db_err)?;
            sqlx::raw_sql(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&setup)
                .await
                .map_err(codec::db_err)?;
            setup.close().await;
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(codec::db_err)?;
        migrate::run(&pool).await?;
        let channel = match schema {
            Some(s) => format!("samband_live_{s}"),
            None => "samband_live".to_owned(),
        };
        Ok(Self { pool, channel })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(codec::db_err)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(codec::db_err)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn broadcast(&self, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(payload)
            .execute(&self.pool)
            .await
            .map_err(codec::db_err)?;
        Ok(())
    }

    async fn listen(&self, sink: Box<dyn Fn(String) + Send + Sync>) -> StoreResult<()> {
        // PgListener reconnects by itself; a signal missed while it does is covered by
        // clients re-reading when their stream reconnects.
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool)
            .await
            .map_err(codec::db_err)?;
        listener
            .listen(&self.channel)
            .await
            .map_err(codec::db_err)?;
        loop {
            match listener.recv().await {
                Ok(n) => sink(n.payload().to_owned()),
                Err(sqlx::Error::PoolClosed) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "live-update listener lost its connection");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(codec::db_err)
    }
}

/// The database URL the tests use: `SAMBAND_TEST_DATABASE_URL`, else the local server.
pub fn test_database_url() -> String {
    std::env::var("SAMBAND_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SubsecRound;
    use std::sync::Arc;

    async fn fresh(name: &str) -> PgStore {
        let schema = format!("t_{name}_{}", uuid::Uuid::now_v7().simple());
        PgStore::open(&test_database_url(), Some(&schema), 4)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL at {} must be reachable for tests: {e}",
                    test_database_url()
                )
            })
    }

    /// A request dropped while its transaction begins must leave the pool usable.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_begin_cancelled_at_any_point_leaves_the_store_usable() {
        let store = fresh("cancel").await;
        for polls in 1..40usize {
            for _ in 0..5 {
                let mut begin = store.begin();
                let mut n = 0;
                std::future::poll_fn(|cx| {
                    if n == polls {
                        return std::task::Poll::Ready(());
                    }
                    n += 1;
                    begin.as_mut().poll(cx).map(|_| ())
                })
                .await;
                drop(begin);
                let tx = tokio::time::timeout(std::time::Duration::from_secs(20), store.begin())
                    .await
                    .unwrap_or_else(|_| panic!("begin hung after a drop at poll {polls}"))
                    .unwrap_or_else(|e| panic!("begin failed after a drop at poll {polls}: {e}"));
                tx.commit()
                    .await
                    .unwrap_or_else(|e| panic!("commit after a drop at poll {polls}: {e}"));
            }
        }
    }

    #[tokio::test]
    async fn conformance() {
        let store = fresh("conf").await;
        let store: Arc<dyn samband_store::Store> = Arc::new(store);
        assert_eq!(
            samband_store::conformance::run_all(store.clone()).await,
            samband_store::conformance::SCENARIOS
        );
        // Everything the scenarios audited must still form an intact hash chain.
        let verified = samband_store::chain::verify_chain(&*store, 7).await;
        assert!(
            matches!(verified, Ok(n) if n > 0),
            "audit chain after conformance: {verified:?}"
        );
    }

    #[tokio::test]
    async fn audit_chain_verifies_and_every_tampering_is_found() {
        use samband_store::chain::{verify_chain, VerifyError};
        use samband_store::conformance::{append_entries, tamper_cases};
        for (name, sql, expect_seq) in tamper_cases() {
            let store = fresh(&format!("chain_{name}")).await;
            append_entries(&store, 5).await;
            assert_eq!(
                verify_chain(&store, 2).await.ok(),
                Some(5),
                "intact chain verifies"
            );
            sqlx::raw_sql("DROP TRIGGER audit_log_no_change ON audit_log")
                .execute(store.pool())
                .await
                .unwrap_or_else(|e| panic!("drop trigger: {e}"));
            // PostgreSQL's ids are UUIDs: the forged row gets a fresh one.
            let sql = sql.replace("id || '-forged'", "gen_random_uuid()");
            sqlx::raw_sql(&sql)
                .execute(store.pool())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            match verify_chain(&store, 2).await {
                Err(VerifyError::Broken(b)) => {
                    assert_eq!(b.seq, expect_seq, "{name}: {}", b.reason)
                }
                other => panic!("{name}: tampering not detected: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn audit_log_refuses_updates_and_deletes() {
        let store = fresh("audit").await;
        sqlx::query("INSERT INTO audit_log (id, at, object_type, action, purpose) VALUES (gen_random_uuid(), now(), 'x', 'read', 'p')")
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("insert: {e}"));
        assert!(sqlx::query("UPDATE audit_log SET action = 'none'")
            .execute(store.pool())
            .await
            .is_err());
        assert!(sqlx::query("DELETE FROM audit_log")
            .execute(store.pool())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn migrations_apply_once_when_reopened() {
        let schema = format!("t_mig_{}", uuid::Uuid::now_v7().simple());
        let url = test_database_url();
        let a = PgStore::open(&url, Some(&schema), 2)
            .await
            .unwrap_or_else(|e| panic!("open: {e}"));
        let b = PgStore::open(&url, Some(&schema), 2)
            .await
            .unwrap_or_else(|e| panic!("reopen: {e}"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(b.pool())
            .await
            .unwrap_or_else(|e| panic!("count: {e}"));
        assert_eq!(n, migrate::MIGRATIONS.len() as i64);
        drop(a);
    }

    fn job(now: chrono::DateTime<chrono::Utc>) -> samband_store::Job {
        samband_store::Job::new("test", serde_json::json!({"n": 1}), now, now)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn jobs_are_claimed_once_by_concurrent_runners() {
        use std::collections::HashSet;
        let store = Arc::new(fresh("claim").await);
        // PostgreSQL keeps microseconds.
        let now = chrono::Utc::now().trunc_subsecs(6);
        let mut enqueued = HashSet::new();
        let mut tx = store.begin().await.unwrap();
        for _ in 0..200 {
            let j = job(now);
            assert!(tx.enqueue_job(&j).await.unwrap());
            enqueued.insert(j.id);
        }
        tx.commit().await.unwrap();

        let lease = now + chrono::Duration::hours(1);
        let mut runners = Vec::new();
        for _ in 0..4 {
            let store = store.clone();
            runners.push(tokio::spawn(async move {
                let mut claimed = Vec::new();
                loop {
                    let mut tx = store.begin().await.unwrap();
                    let j = tx.claim_job(now, lease).await.unwrap();
                    tx.commit().await.unwrap();
                    match j {
                        Some(j) => {
                            assert_eq!(j.status, "running");
                            assert_eq!(j.attempts, 1);
                            assert_eq!(j.lease_until, Some(lease));
                            claimed.push(j.id);
                        }
                        None => break claimed,
                    }
                }
            }));
        }
        let mut all = Vec::new();
        let mut per_runner = Vec::new();
        for r in runners {
            let claimed = r.await.unwrap();
            per_runner.push(claimed.len());
            all.extend(claimed);
        }
        let unique: HashSet<_> = all.iter().copied().collect();
        assert_eq!(all.len(), 200, "claims per runner: {per_runner:?}");
        assert_eq!(unique.len(), 200, "a job was claimed twice");
        assert_eq!(unique, enqueued, "every job claimed");
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.count_jobs("running").await.unwrap(), 200);
        assert_eq!(tx.count_jobs("pending").await.unwrap(), 0);
        assert_eq!(tx.next_job_at().await.unwrap(), None);
    }

    #[tokio::test]
    async fn dedupe_key_enqueues_once() {
        let store = fresh("dedupe").await;
        let now = chrono::Utc::now();
        let mut tx = store.begin().await.unwrap();
        let first = job(now).dedupe("digest:2026-11-02");
        assert!(tx.enqueue_job(&first).await.unwrap());
        // The repeat is refused without poisoning the transaction.
        assert!(!tx
            .enqueue_job(&job(now).dedupe("digest:2026-11-02"))
            .await
            .unwrap());
        // Jobs without a key never clash.
        assert!(tx.enqueue_job(&job(now)).await.unwrap());
        assert!(tx.enqueue_job(&job(now)).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(!tx
            .enqueue_job(&job(now).dedupe("digest:2026-11-02"))
            .await
            .unwrap());
        assert_eq!(tx.count_jobs("pending").await.unwrap(), 3);
        let stored = tx.get_job(first.id).await.unwrap().unwrap();
        assert_eq!(stored.dedupe_key.as_deref(), Some("digest:2026-11-02"));
        assert_eq!(stored.payload, serde_json::json!({"n": 1}));
    }

    #[tokio::test]
    async fn expired_lease_is_claimed_again() {
        use chrono::Duration;
        let store = fresh("lease").await;
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let j = job(now);
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_job(&j).await.unwrap();
        // Not due yet: nothing to claim before run_at.
        assert_eq!(
            tx.claim_job(now - Duration::seconds(1), now).await.unwrap(),
            None
        );
        let first = tx
            .claim_job(now, now + Duration::seconds(1))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((first.id, first.attempts), (j.id, 1));

        let mut tx = store.begin().await.unwrap();
        // The lease still holds.
        assert_eq!(
            tx.claim_job(
                now + Duration::milliseconds(500),
                now + Duration::seconds(60)
            )
            .await
            .unwrap(),
            None
        );
        // The runner died: once the lease has run out another runner takes the job.
        let second = tx
            .claim_job(now + Duration::seconds(2), now + Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.id, j.id);
        assert_eq!(second.attempts, 2);
        assert_eq!(second.status, "running");
        assert_eq!(second.lease_until, Some(now + Duration::seconds(60)));

        // Retry, bury and revive.
        let later = now + Duration::seconds(30);
        tx.retry_job(j.id, later, "smtp timeout").await.unwrap();
        assert_eq!(tx.next_job_at().await.unwrap(), Some(later));
        let r = tx.get_job(j.id).await.unwrap().unwrap();
        assert_eq!((r.status.as_str(), r.lease_until), ("pending", None));
        assert_eq!(r.last_error.as_deref(), Some("smtp timeout"));
        assert!(
            !tx.revive_job(j.id, later).await.unwrap(),
            "only dead jobs revive"
        );
        tx.bury_job(j.id, later, "gave up").await.unwrap();
        assert_eq!(tx.count_jobs("dead").await.unwrap(), 1);
        assert_eq!(tx.list_jobs(Some("dead"), 10).await.unwrap().len(), 1);
        assert!(tx.revive_job(j.id, later).await.unwrap());
        let r = tx.get_job(j.id).await.unwrap().unwrap();
        assert_eq!(
            (r.status.as_str(), r.attempts, r.finished_at),
            ("pending", 0, None)
        );
        assert_eq!(r.last_error.as_deref(), Some("gave up"));
        let c = tx
            .claim_job(later, later + Duration::seconds(5))
            .await
            .unwrap()
            .unwrap();
        tx.finish_job(c.id, later).await.unwrap();
        let r = tx.get_job(j.id).await.unwrap().unwrap();
        assert_eq!(
            (r.status.as_str(), r.finished_at, r.lease_until),
            ("done", Some(later), None)
        );
        assert_eq!(tx.list_jobs(None, 10).await.unwrap(), vec![r]);
    }

    #[tokio::test]
    async fn messages_receipts_requests_and_notifications_round_trip() {
        use chrono::{Duration, NaiveDate, TimeZone, Utc};
        use samband_domain::consent::Category;
        use samband_domain::ids::*;
        use samband_domain::message::*;
        use samband_domain::organisation::{Organisation, Sector};
        use samband_domain::patient::{ContactChannel, Patient};
        use samband_domain::plan::{Action, ActionStatus};
        use samband_domain::principal::AccountRole;
        use samband_domain::professional::Professional;
        use samband_domain::team::{CareTeam, MemberKind, TeamMember};
        use samband_store::*;

        let store = fresh("msg").await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let org = Organisation {
            id: OrganisationId::new(),
            name: "Fjordby legekontor".into(),
            sector: Sector::Primary,
            country: None,
            version: 1,
        };
        let gp = Professional {
            id: ProfessionalId::new(),
            name: "Dr. Test Lege".into(),
            title: "GP".into(),
            organisation_ids: vec![org.id],
            phone: None,
            email: None,
            availability: None,
            version: 1,
        };
        let patient = Patient {
            id: PatientId::new(),
            name: "Test Pasient".into(),
            birth_date: day("1980-05-17"),
            national_id: None,
            preferred_contact: ContactChannel::InApp,
            phone: None,
            email: None,
            version: 1,
        };
        let gp_member = TeamMember {
            id: MemberId::new(),
            kind: MemberKind::Professional,
            professional_id: Some(gp.id),
            name: None,
            organisation_id: Some(org.id),
            role: "GP".into(),
            responsibility: "Medication".into(),
            phone: None,
            is_coordinator: true,
            active_from: day("2026-01-01"),
            active_to: None,
        };
        let team = CareTeam {
            patient_id: patient.id,
            members: vec![gp_member.clone()],
            version: 0,
        };
        let account = |username: &str, role: AccountRole| Account {
            id: AccountId::new(),
            username: username.into(),
            password_hash: "$argon2id$fake".into(),
            role,
            professional_id: None,
            patient_id: None,
            display_name: username.into(),
            locale: None,
            disabled: false,
            created_at: t0,
            totp_secret: None,
            totp_last_step: None,
            privacy_officer: false,
            proxy_may_consent: false,
        };
        let gp_acc = Account {
            professional_id: Some(gp.id),
            ..account("gp", AccountRole::Professional)
        };
        let pat_acc = Account {
            patient_id: Some(patient.id),
            ..account("patient", AccountRole::Patient)
        };
        let proxy_acc = Account {
            patient_id: Some(patient.id),
            ..account("proxy", AccountRole::Proxy)
        };
        let old_proxy = Account {
            patient_id: Some(patient.id),
            disabled: true,
            ..account("old.proxy", AccountRole::Proxy)
        };
        let action = Action {
            id: ActionId::new(),
            patient_id: patient.id,
            title: "Status report".into(),
            owner_member_id: gp_member.id,
            sector: Sector::Primary,
            due_date: day("2026-11-09"),
            status: ActionStatus::Planned,
            goal_id: None,
            created_at: t0,
            version: 1,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_organisation(&org).await.unwrap();
        tx.insert_professional(&gp).await.unwrap();
        tx.insert_patient(&patient).await.unwrap();
        tx.save_team(&team, 0).await.unwrap();
        tx.insert_action(&action).await.unwrap();
        for a in [&gp_acc, &pat_acc, &proxy_acc, &old_proxy] {
            tx.insert_account(a).await.unwrap();
        }
        assert_eq!(
            tx.account_for_professional(gp.id).await.unwrap().as_ref(),
            Some(&gp_acc)
        );
        assert_eq!(
            tx.account_for_professional(ProfessionalId::new())
                .await
                .unwrap(),
            None
        );
        let mut for_patient = tx.accounts_for_patient(patient.id).await.unwrap();
        for_patient.sort_by(|a, b| a.username.cmp(&b.username));
        assert_eq!(for_patient, vec![pat_acc.clone(), proxy_acc.clone()]);

        // A thread from the GP to the patient and proxy; the message wants a receipt.
        let thread = Thread {
            id: ThreadId::new(),
            patient_id: patient.id,
            subject: "Blood test".into(),
            category: Category::ClinicalNotes,
            created_by: gp_acc.id,
            created_at: t0,
            last_message_at: t0,
        };
        tx.insert_thread(&thread).await.unwrap();
        for a in [&gp_acc, &pat_acc, &proxy_acc] {
            tx.add_participant(thread.id, a.id).await.unwrap();
        }
        tx.add_participant(thread.id, pat_acc.id).await.unwrap();
        assert!(tx.is_participant(thread.id, pat_acc.id).await.unwrap());
        assert!(!tx.is_participant(thread.id, old_proxy.id).await.unwrap());
        let sent = t0 + Duration::minutes(5);
        let msg = Message {
            id: MessageId::new(),
            thread_id: thread.id,
            patient_id: patient.id,
            author_account_id: gp_acc.id,
            author_name: "Dr. Test Lege".into(),
            kind: MessageKind::Message,
            body: "Please come in for a blood test.".into(),
            sent_at: sent,
            needs_ack: true,
            urgent: false,
            ack_due: Some(day("2026-11-04")),
        };
        let to = |a: &Account| Recipient {
            message_id: msg.id,
            account_id: a.id,
            name: a.display_name.clone(),
            delivered_at: None,
            read_at: None,
            acknowledged_at: None,
            escalated_at: None,
        };
        tx.insert_message(&msg, &[to(&pat_acc), to(&proxy_acc)])
            .await
            .unwrap();
        let attachment = Attachment {
            id: AttachmentId::new(),
            message_id: msg.id,
            file_name: "referral.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 9,
            sha256: "abc".into(),
        };
        tx.insert_attachment(&attachment, b"%PDF-1.7\n")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let stored = tx.get_thread(thread.id).await.unwrap().unwrap();
        assert_eq!(
            stored.last_message_at, sent,
            "the thread moves with its messages"
        );
        assert_eq!(
            tx.list_threads(patient.id).await.unwrap(),
            vec![stored.clone()]
        );
        assert_eq!(tx.get_message(msg.id).await.unwrap().as_ref(), Some(&msg));
        assert_eq!(
            tx.list_messages(thread.id).await.unwrap(),
            vec![msg.clone()]
        );
        let inbox = tx.inbox_threads(pat_acc.id, 10).await.unwrap();
        assert_eq!(
            inbox,
            vec![InboxThread {
                thread: stored.clone(),
                unread: 1,
                awaiting_ack: 1
            }]
        );
        let gp_inbox = tx.inbox_threads(gp_acc.id, 10).await.unwrap();
        assert_eq!((gp_inbox[0].unread, gp_inbox[0].awaiting_ack), (0, 0));
        assert!(tx.inbox_threads(old_proxy.id, 10).await.unwrap().is_empty());
        assert_eq!(tx.unread_messages(pat_acc.id).await.unwrap(), 1);
        assert_eq!(
            tx.list_attachments(thread.id).await.unwrap(),
            vec![attachment.clone()]
        );
        assert_eq!(
            tx.get_attachment(attachment.id).await.unwrap(),
            Some((attachment.clone(), thread.id, b"%PDF-1.7\n".to_vec()))
        );

        // Receipts: delivered, read, acknowledged, each once.
        let t1 = t0 + Duration::hours(1);
        assert_eq!(tx.mark_delivered(pat_acc.id, t1).await.unwrap(), 1);
        assert_eq!(tx.mark_delivered(pat_acc.id, t1).await.unwrap(), 0);
        let t2 = t0 + Duration::hours(2);
        assert_eq!(
            tx.mark_thread_read(thread.id, pat_acc.id, t2)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            tx.mark_thread_read(thread.id, pat_acc.id, t2)
                .await
                .unwrap(),
            0
        );
        assert_eq!(tx.unread_messages(pat_acc.id).await.unwrap(), 0);
        let t3 = t0 + Duration::hours(3);
        assert!(tx.acknowledge(msg.id, pat_acc.id, t3).await.unwrap());
        assert!(!tx.acknowledge(msg.id, pat_acc.id, t3).await.unwrap());
        assert!(
            !tx.acknowledge(msg.id, gp_acc.id, t3).await.unwrap(),
            "not a recipient"
        );
        let inbox = tx.inbox_threads(pat_acc.id, 10).await.unwrap();
        assert_eq!((inbox[0].unread, inbox[0].awaiting_ack), (0, 0));

        // The proxy never answered: escalated once.
        let t4 = t0 + Duration::days(3);
        let escalated = tx.escalate_unacknowledged(msg.id, t4).await.unwrap();
        assert_eq!(
            escalated,
            vec![Recipient {
                escalated_at: Some(t4),
                ..to(&proxy_acc)
            }]
        );
        assert!(tx
            .escalate_unacknowledged(msg.id, t4)
            .await
            .unwrap()
            .is_empty());
        let recipients = tx.list_recipients(thread.id).await.unwrap();
        let mut expect = vec![
            Recipient {
                delivered_at: Some(t1),
                read_at: Some(t2),
                acknowledged_at: Some(t3),
                ..to(&pat_acc)
            },
            Recipient {
                escalated_at: Some(t4),
                ..to(&proxy_acc)
            },
        ];
        expect.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(recipients, expect);
        tx.commit().await.unwrap();

        // A request rides on its own thread.
        let mut tx = store.begin().await.unwrap();
        let rthread = Thread {
            id: ThreadId::new(),
            subject: "Status report".into(),
            category: Category::WorkCapacity,
            ..thread.clone()
        };
        tx.insert_thread(&rthread).await.unwrap();
        let req = Request {
            id: RequestId::new(),
            thread_id: rthread.id,
            patient_id: patient.id,
            kind: RequestKind::StatusReport,
            status: RequestStatus::Requested,
            questions: vec!["How is work going?".into(), "Any sick leave?".into()],
            answers: vec![],
            answer_note: None,
            decline_reason: None,
            requester_account_id: pat_acc.id,
            requester_name: "Test Pasient".into(),
            addressee_account_id: gp_acc.id,
            addressee_member_id: gp_member.id,
            addressee_name: "Dr. Test Lege".into(),
            action_id: action.id,
            due_date: day("2026-11-09"),
            created_at: t0,
            answered_at: None,
            version: 1,
        };
        tx.insert_request(&req).await.unwrap();
        assert_eq!(tx.get_request(req.id).await.unwrap().as_ref(), Some(&req));
        assert_eq!(
            tx.request_for_thread(rthread.id).await.unwrap().as_ref(),
            Some(&req)
        );
        assert_eq!(tx.request_for_thread(thread.id).await.unwrap(), None);
        let answered = Request {
            status: RequestStatus::Answered,
            answers: vec!["Well".into(), "No".into()],
            answer_note: Some("Doing fine".into()),
            answered_at: Some(t1),
            ..req.clone()
        };
        assert_eq!(tx.update_request(&answered, 1).await.unwrap(), 2);
        assert!(matches!(
            tx.update_request(&answered, 1).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            tx.list_requests(patient.id).await.unwrap(),
            vec![Request {
                version: 2,
                ..answered
            }]
        );
        tx.commit().await.unwrap();

        // Notifications, the digest, preferences and follows.
        let mut tx = store.begin().await.unwrap();
        let note = |kind: &str, at, email: &str| Notification {
            id: NotificationId::new(),
            account_id: gp_acc.id,
            patient_id: Some(patient.id),
            kind: kind.into(),
            thread_id: Some(thread.id),
            actor_name: Some("Test Pasient".into()),
            detail: None,
            created_at: at,
            read_at: None,
            email_status: email.into(),
        };
        let n1 = note("message", t2, "digest");
        let n2 = note("request", t1, "digest");
        let n3 = note("ongoing", t3, "none");
        for n in [&n1, &n2, &n3] {
            tx.insert_notification(n).await.unwrap();
        }
        assert_eq!(
            tx.list_notifications(gp_acc.id, 2).await.unwrap(),
            vec![n3.clone(), n1.clone()]
        );
        assert_eq!(tx.unread_notifications(gp_acc.id).await.unwrap(), 3);
        assert_eq!(tx.digest_accounts().await.unwrap(), vec![gp_acc.id]);
        let digested = |n: &Notification| Notification {
            email_status: "digested".into(),
            ..n.clone()
        };
        assert_eq!(
            tx.take_digest(gp_acc.id).await.unwrap(),
            vec![digested(&n2), digested(&n1)]
        );
        assert!(tx.take_digest(gp_acc.id).await.unwrap().is_empty());
        assert!(tx.digest_accounts().await.unwrap().is_empty());
        assert_eq!(tx.mark_notifications_read(gp_acc.id, t4).await.unwrap(), 3);
        assert_eq!(tx.unread_notifications(gp_acc.id).await.unwrap(), 0);

        assert_eq!(tx.get_prefs(gp_acc.id).await.unwrap(), None);
        let mut prefs = NotificationPrefs {
            account_id: gp_acc.id,
            email: Some("gp@example.org".into()),
            mode: "immediate".into(),
        };
        tx.save_prefs(&prefs).await.unwrap();
        prefs.mode = "digest".into();
        prefs.email = None;
        tx.save_prefs(&prefs).await.unwrap();
        assert_eq!(tx.get_prefs(gp_acc.id).await.unwrap(), Some(prefs));

        let f = Follow {
            account_id: gp_acc.id,
            patient_id: patient.id,
            since: t0,
            digested_until: t0,
        };
        tx.follow(&f).await.unwrap();
        tx.follow(&f).await.unwrap();
        tx.set_digested_until(gp_acc.id, patient.id, t4)
            .await
            .unwrap();
        let moved = Follow {
            digested_until: t4,
            ..f.clone()
        };
        assert_eq!(tx.list_follows(None).await.unwrap(), vec![moved.clone()]);
        assert_eq!(tx.list_follows(Some(gp_acc.id)).await.unwrap(), vec![moved]);
        assert!(tx.list_follows(Some(pat_acc.id)).await.unwrap().is_empty());
        assert!(tx.unfollow(gp_acc.id, patient.id).await.unwrap());
        assert!(!tx.unfollow(gp_acc.id, patient.id).await.unwrap());
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn meetings_round_trip() {
        use chrono::{Duration, NaiveDate, TimeZone, Utc};
        use samband_domain::consent::Category;
        use samband_domain::ids::*;
        use samband_domain::meeting::*;
        use samband_domain::organisation::{Organisation, Sector};
        use samband_domain::patient::{ContactChannel, Patient};
        use samband_domain::plan::{Action, ActionStatus};
        use samband_domain::principal::AccountRole;
        use samband_domain::professional::Professional;
        use samband_domain::team::{CareTeam, MemberKind, TeamMember};
        use samband_store::*;

        let store = fresh("meet").await;
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let org = Organisation {
            id: OrganisationId::new(),
            name: "Fjordby legekontor".into(),
            sector: Sector::Primary,
            country: None,
            version: 1,
        };
        let gp = Professional {
            id: ProfessionalId::new(),
            name: "Dr. Test Lege".into(),
            title: "GP".into(),
            organisation_ids: vec![org.id],
            phone: None,
            email: None,
            availability: None,
            version: 1,
        };
        let patient = Patient {
            id: PatientId::new(),
            name: "Test Pasient".into(),
            birth_date: day("1980-05-17"),
            national_id: None,
            preferred_contact: ContactChannel::InApp,
            phone: None,
            email: None,
            version: 1,
        };
        let gp_member = TeamMember {
            id: MemberId::new(),
            kind: MemberKind::Professional,
            professional_id: Some(gp.id),
            name: None,
            organisation_id: Some(org.id),
            role: "GP".into(),
            responsibility: "Medication".into(),
            phone: None,
            is_coordinator: true,
            active_from: day("2026-01-01"),
            active_to: None,
        };
        let team = CareTeam {
            patient_id: patient.id,
            members: vec![gp_member.clone()],
            version: 0,
        };
        let account = |username: &str, role: AccountRole| Account {
            id: AccountId::new(),
            username: username.into(),
            password_hash: "$argon2id$fake".into(),
            role,
            professional_id: None,
            patient_id: None,
            display_name: username.into(),
            locale: None,
            disabled: false,
            created_at: t0,
            totp_secret: None,
            totp_last_step: None,
            privacy_officer: false,
            proxy_may_consent: false,
        };
        let gp_acc = Account {
            professional_id: Some(gp.id),
            ..account("gp", AccountRole::Professional)
        };
        let pat_acc = Account {
            patient_id: Some(patient.id),
            ..account("patient", AccountRole::Patient)
        };
        let action = Action {
            id: ActionId::new(),
            patient_id: patient.id,
            title: "Adjust medication".into(),
            owner_member_id: gp_member.id,
            sector: Sector::Primary,
            due_date: day("2026-12-15"),
            status: ActionStatus::Planned,
            goal_id: None,
            created_at: t0,
            version: 1,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_organisation(&org).await.unwrap();
        tx.insert_professional(&gp).await.unwrap();
        tx.insert_patient(&patient).await.unwrap();
        tx.save_team(&team, 0).await.unwrap();
        tx.insert_action(&action).await.unwrap();
        tx.insert_account(&gp_acc).await.unwrap();
        tx.insert_account(&pat_acc).await.unwrap();

        // Two meetings; the one inserted second is sooner.
        let meeting = Meeting {
            id: MeetingId::new(),
            patient_id: patient.id,
            kind: MeetingKind::CollaborationAfterAssessment,
            mode: MeetingMode::Hybrid,
            title: "Collaboration meeting".into(),
            starts_at: t0 + Duration::days(14),
            duration_minutes: 60,
            video_link: Some("https://video.example/abc".into()),
            place: Some("Room 2".into()),
            organiser_account_id: gp_acc.id,
            organiser_name: "Dr. Test Lege".into(),
            pre_read_policy: PreReadPolicy::DaysBefore,
            pre_read_days: 3,
            follow_up_date: Some(day("2026-12-30")),
            summary: None,
            status: MeetingStatus::Planned,
            sequence: 0,
            created_at: t0,
            version: 1,
        };
        let sooner = Meeting {
            id: MeetingId::new(),
            kind: MeetingKind::Coordination,
            mode: MeetingMode::InPerson,
            title: "Coordination".into(),
            starts_at: t0 + Duration::days(7),
            video_link: None,
            pre_read_policy: PreReadPolicy::ProfessionalsOnly,
            follow_up_date: None,
            ..meeting.clone()
        };
        tx.insert_meeting(&meeting).await.unwrap();
        tx.insert_meeting(&sooner).await.unwrap();
        assert_eq!(
            tx.get_meeting(meeting.id).await.unwrap().as_ref(),
            Some(&meeting)
        );
        assert_eq!(tx.get_meeting(MeetingId::new()).await.unwrap(), None);
        assert_eq!(
            tx.list_meetings(patient.id).await.unwrap(),
            vec![sooner.clone(), meeting.clone()]
        );

        // The GP (a team member) and a guest.
        let member = Participant {
            id: ParticipantId::new(),
            meeting_id: meeting.id,
            kind: ParticipantKind::Member,
            member_id: Some(gp_member.id),
            account_id: Some(gp_acc.id),
            name: "Dr. Test Lege".into(),
            organisation: Some("Fjordby legekontor".into()),
            email: None,
            reply: Reply::Pending,
            raise: None,
            pre_reads_read_at: None,
            version: 1,
        };
        let guest = Participant {
            id: ParticipantId::new(),
            meeting_id: meeting.id,
            kind: ParticipantKind::Guest,
            member_id: None,
            account_id: None,
            name: "Ola Arbeidsgiver".into(),
            organisation: Some("Bakeriet AS".into()),
            email: Some("ola@bakeriet.example".into()),
            reply: Reply::Pending,
            raise: None,
            pre_reads_read_at: None,
            version: 1,
        };
        tx.insert_participant(&member).await.unwrap();
        tx.insert_participant(&guest).await.unwrap();
        // The patient has neither a member id nor an address: NULLs never clash.
        let pat = Participant {
            id: ParticipantId::new(),
            kind: ParticipantKind::Patient,
            member_id: None,
            account_id: Some(pat_acc.id),
            name: "Test Pasient".into(),
            organisation: None,
            email: None,
            ..guest.clone()
        };
        tx.insert_participant(&pat).await.unwrap();
        // The same member again, and the same address again: refused...
        let again = Participant {
            id: ParticipantId::new(),
            name: "Someone else".into(),
            ..member.clone()
        };
        assert!(matches!(
            tx.insert_participant(&again).await,
            Err(StoreError::Conflict(_))
        ));
        let same_email = Participant {
            id: ParticipantId::new(),
            name: "Ola again".into(),
            ..guest.clone()
        };
        assert!(matches!(
            tx.insert_participant(&same_email).await,
            Err(StoreError::Conflict(_))
        ));
        // ...but the same member and address are welcome at another meeting.
        let elsewhere = Participant {
            id: ParticipantId::new(),
            meeting_id: sooner.id,
            ..member.clone()
        };
        tx.insert_participant(&elsewhere).await.unwrap();
        // ...and the transaction is still usable after the refusals.
        assert_eq!(
            tx.list_participants(meeting.id).await.unwrap(),
            vec![member.clone(), guest.clone(), pat.clone()]
        );
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.meetings_for_account(gp_acc.id).await.unwrap(),
            vec![sooner.clone(), meeting.clone()]
        );
        assert_eq!(
            tx.meetings_for_account(pat_acc.id).await.unwrap(),
            vec![meeting.clone()]
        );
        assert!(tx
            .meetings_for_account(AccountId::new())
            .await
            .unwrap()
            .is_empty());

        // The meeting moves: every mutable column saved, a stale save refused.
        let moved = Meeting {
            kind: MeetingKind::DischargePlanning,
            mode: MeetingMode::Digital,
            title: "Discharge planning".into(),
            starts_at: t0 + Duration::days(15),
            duration_minutes: 90,
            place: None,
            pre_read_policy: PreReadPolicy::AtMeeting,
            pre_read_days: 0,
            follow_up_date: None,
            summary: Some("We agreed on a plan.".into()),
            status: MeetingStatus::Held,
            sequence: 1,
            ..meeting.clone()
        };
        assert_eq!(tx.update_meeting(&moved, 1).await.unwrap(), 2);
        assert!(matches!(
            tx.update_meeting(&moved, 1).await,
            Err(StoreError::Conflict(_))
        ));
        let moved = Meeting {
            version: 2,
            ..moved
        };
        assert_eq!(tx.get_meeting(meeting.id).await.unwrap(), Some(moved));

        // The guest replies and reads the pre-reads.
        let replied = Participant {
            reply: Reply::Accepted,
            raise: Some("Working hours".into()),
            pre_reads_read_at: Some(t0 + Duration::days(1)),
            name: "Ola Nordmann".into(),
            organisation: None,
            email: Some("ola@nordmann.example".into()),
            ..guest.clone()
        };
        assert_eq!(tx.update_participant(&replied, 1).await.unwrap(), 2);
        assert!(matches!(
            tx.update_participant(&replied, 1).await,
            Err(StoreError::Conflict(_))
        ));
        let replied = Participant {
            version: 2,
            ..replied
        };

        // Guest link tokens are found by their hash.
        tx.set_guest_token(guest.id, "hash-of-token").await.unwrap();
        assert_eq!(
            tx.participant_by_guest_token("hash-of-token")
                .await
                .unwrap(),
            Some(replied.clone())
        );
        assert_eq!(tx.participant_by_guest_token("other").await.unwrap(), None);

        // Agenda items come back in slot order with their participants' order kept.
        let second = AgendaItem {
            id: AgendaItemId::new(),
            meeting_id: meeting.id,
            title: "Work".into(),
            start_offset: 30,
            duration_minutes: 30,
            responsible: guest.id,
            participants: vec![pat.id, member.id, guest.id],
            patient_present: true,
            patient_request: None,
            minutes: String::new(),
            version: 1,
        };
        let first = AgendaItem {
            id: AgendaItemId::new(),
            title: "Medication".into(),
            start_offset: 0,
            responsible: member.id,
            participants: vec![member.id],
            patient_present: false,
            ..second.clone()
        };
        tx.insert_agenda_item(&second).await.unwrap();
        tx.insert_agenda_item(&first).await.unwrap();
        assert_eq!(
            tx.list_agenda(meeting.id).await.unwrap(),
            vec![first.clone(), second.clone()]
        );
        let edited = AgendaItem {
            title: "Medication review".into(),
            start_offset: 5,
            duration_minutes: 20,
            responsible: guest.id,
            participants: vec![guest.id, pat.id, member.id],
            patient_present: true,
            patient_request: Some("I would like to be there".into()),
            minutes: "Dose unchanged.".into(),
            ..first.clone()
        };
        assert_eq!(tx.update_agenda_item(&edited, 1).await.unwrap(), 2);
        assert!(matches!(
            tx.update_agenda_item(&edited, 1).await,
            Err(StoreError::Conflict(_))
        ));
        let edited = AgendaItem {
            version: 2,
            ..edited
        };
        assert_eq!(
            tx.list_agenda(meeting.id).await.unwrap(),
            vec![edited.clone(), second.clone()]
        );

        // Pre-reads and decisions, oldest first.
        let later_read = PreRead {
            id: PreReadId::new(),
            meeting_id: meeting.id,
            kind: PreReadKind::SuggestedActions,
            title: "Suggested actions".into(),
            body: "Adjust the dose.".into(),
            category: Category::PlanAndActions,
            author_name: "Dr. Test Lege".into(),
            created_at: t0 + Duration::hours(2),
        };
        let earlier_read = PreRead {
            id: PreReadId::new(),
            kind: PreReadKind::Assessment,
            title: "Assessment".into(),
            body: "Summary of the assessment.".into(),
            category: Category::MeetingPreReads,
            created_at: t0 + Duration::hours(1),
            ..later_read.clone()
        };
        tx.insert_pre_read(&later_read).await.unwrap();
        tx.insert_pre_read(&earlier_read).await.unwrap();
        assert_eq!(
            tx.list_pre_reads(meeting.id).await.unwrap(),
            vec![earlier_read, later_read]
        );
        assert!(tx.list_pre_reads(sooner.id).await.unwrap().is_empty());

        let later_decision = Decision {
            id: DecisionId::new(),
            meeting_id: meeting.id,
            item_id: edited.id,
            text: "Adjust the dose".into(),
            owner_member_id: gp_member.id,
            due_date: day("2026-12-15"),
            goal_id: Some(GoalId::new()),
            action_id: action.id,
            created_at: t0 + Duration::days(15) + Duration::minutes(30),
        };
        let earlier_decision = Decision {
            id: DecisionId::new(),
            item_id: second.id,
            text: "Try part-time work".into(),
            goal_id: None,
            created_at: t0 + Duration::days(15) + Duration::minutes(10),
            ..later_decision.clone()
        };
        tx.insert_decision(&later_decision).await.unwrap();
        tx.insert_decision(&earlier_decision).await.unwrap();
        assert_eq!(
            tx.list_decisions(meeting.id).await.unwrap(),
            vec![earlier_decision, later_decision]
        );
        tx.commit().await.unwrap();

        // Everything committed.
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.list_participants(meeting.id).await.unwrap(),
            vec![member, replied, pat]
        );
        assert_eq!(
            tx.list_agenda(meeting.id).await.unwrap(),
            vec![edited, second]
        );
    }
}
