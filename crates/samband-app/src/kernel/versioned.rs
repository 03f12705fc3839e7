//! Versioned aggregates: a change says which version it started from, is written only
//! if that is still the stored one, and leaves a history row (who, when, old → new,
//! why) and an audit entry in the same transaction.
//!
//! A stale change is answered, in one place, with the current state and who changed it
//! last ([`App::check_version`] before any rule runs, [`App::versioned_save`] when the
//! store's write finds the version moved since). That answer is patient data leaving
//! the system, so it is audited as a read and committed before the 409 goes out.

use super::TxBox;
use crate::error::ConflictInfo;
use crate::policy::{Object, Operation, Purpose};
use crate::{App, AppError, Ctx};
use futures_util::future::BoxFuture;
use samband_domain::ids::PatientId;
use samband_domain::text::{self, LONG};
use samband_store::{Account, HistoryEntry, HistoryFilter, PageAt, StoreError, StoreResult};
use serde::Serialize;
use uuid::Uuid;

/// One change to record: what changed (old → new), why, and how to audit it.
pub(crate) struct Change<'a, T> {
    pub object: Object,
    pub id: String,
    pub version: i64,
    pub old: Option<&'a T>,
    pub new: &'a T,
    pub reason: Option<String>,
    pub audit_id: Option<String>,
    pub op: Operation,
    pub purpose: Purpose,
}

/// The versioned object a use case changes, and the purpose the policy allowed it
/// for: where a conflict answer points (its history is keyed by `id`) and how its read
/// of the current state is audited.
pub(crate) struct Versioned {
    pub patient: PatientId,
    pub object: Object,
    pub id: String,
    pub purpose: Purpose,
}

/// An aggregate with an optimistic version (each domain type keeps its own field).
pub(crate) trait HasVersion: Serialize {
    fn version(&self) -> i64;
}

macro_rules! has_version {
    ($($t:ty),* $(,)?) => {
        $(impl HasVersion for $t {
            fn version(&self) -> i64 {
                self.version
            }
        })*
    };
}

has_version!(
    samband_domain::plan::Goal,
    samband_domain::plan::Action,
    samband_domain::plan::Service,
    samband_domain::plan::CrisisPlan,
    samband_domain::relapse::RelapsePlan,
    samband_domain::plan::PlanHeader,
    samband_domain::team::CareTeam,
    samband_domain::consent::Consent,
    samband_domain::meeting::Meeting,
    samband_domain::meeting::AgendaItem,
    samband_domain::message::Request,
    samband_domain::pathway::Enrolment,
    samband_domain::instrument::schedule::Schedule,
);

/// A reason given for a change ("patient asked", "after meeting 12 May").
pub(crate) fn parse_reason(reason: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(text::optional("reason", reason, LONG)?)
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl App {
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_change<T: Serialize>(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        object_id: String,
        version: i64,
        old: Option<&T>,
        new: &T,
        reason: Option<String>,
    ) -> Result<(), AppError> {
        tx.append_history(&HistoryEntry {
            id: Uuid::now_v7(),
            patient_id: patient,
            object_type: object.as_str().into(),
            object_id,
            version,
            actor_account_id: ctx.principal.account_id,
            actor_name: ctx.principal.display_name.clone(),
            at: self.clock.now(),
            reason,
            old_value: old.map(to_json),
            new_value: to_json(new),
        })
        .await?;
        Ok(())
    }

    /// Finishes a change: its history row, its audit entry, and the commit.
    pub(crate) async fn commit_change<T: Serialize>(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        c: Change<'_, T>,
    ) -> Result<(), AppError> {
        self.record_change(
            &mut tx, ctx, patient, c.object, c.id, c.version, c.old, c.new, c.reason,
        )
        .await?;
        self.audit(&mut tx, ctx, patient, c.object, c.audit_id, c.op, c.purpose)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// History and audit for a change Samband made by itself (a deadline passing), in
    /// the name of the person it acts for.
    pub(crate) async fn system_history<T: Serialize>(
        &self,
        tx: &mut TxBox,
        on_behalf: &Account,
        patient: PatientId,
        object: Object,
        object_id: String,
        value: &T,
    ) -> Result<(), AppError> {
        tx.append_history(&samband_store::HistoryEntry {
            id: uuid::Uuid::now_v7(),
            patient_id: patient,
            object_type: object.as_str().into(),
            object_id: object_id.clone(),
            version: 1,
            actor_account_id: on_behalf.id,
            actor_name: format!("Samband (for {})", on_behalf.display_name),
            at: self.clock.now(),
            reason: Some("deadline passed".into()),
            old_value: None,
            new_value: serde_json::to_value(value).unwrap_or_default(),
        })
        .await?;
        tx.append_audit(&samband_store::AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: None,
            patient_id: Some(patient),
            object_type: object.as_str().into(),
            object_id: Some(object_id),
            action: "create".into(),
            purpose: "system".into(),
            request_id: None,
        })
        .await?;
        Ok(())
    }

    /// The first step of a versioned change: the version the caller started from must
    /// be the stored one, before any rule runs on input written against another. Gives
    /// the transaction back when it is; otherwise ends it with the conflict answer.
    pub(crate) async fn check_version<T: HasVersion + Sync>(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        at: &Versioned,
        stored: &T,
        expected: i64,
    ) -> Result<TxBox, AppError> {
        if stored.version() == expected {
            return Ok(tx);
        }
        Err(self.conflict(tx, ctx, at, stored).await)
    }

    /// The store's answer to a versioned write (`update_*`/`save_*` with the expected
    /// version): the new version with the transaction given back, or — when someone
    /// saved between the check and the write — the current state, reloaded by `reload`
    /// in the same transaction, as the conflict answer. Other store errors pass through.
    ///
    /// `reload` reads the current state inside the transaction:
    /// `|tx| Box::pin(async move { tx.get_goal(patient, id).await?.ok_or(AppError::NotFound) })`.
    pub(crate) async fn versioned_save<T, R>(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        at: &Versioned,
        saved: StoreResult<i64>,
        reload: R,
    ) -> Result<(TxBox, i64), AppError>
    where
        T: HasVersion + Send + Sync,
        R: for<'t> FnOnce(&'t mut TxBox) -> BoxFuture<'t, Result<T, AppError>> + Send,
    {
        match saved {
            Ok(version) => Ok((tx, version)),
            Err(StoreError::Conflict(_)) => {
                let current = reload(&mut tx).await?;
                Err(self.conflict(tx, ctx, at, &current).await)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Builds the 409 answer: the current state and who changed it last. The current
    /// state is patient data leaving the system, so it is audited as a read and the
    /// transaction committed (nothing else in it was written).
    async fn conflict<T: HasVersion + Sync>(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        at: &Versioned,
        current: &T,
    ) -> AppError {
        let last = tx
            .list_history(
                at.patient,
                &HistoryFilter {
                    object_id: Some(&at.id),
                    object_types: None,
                },
                &PageAt::first(1),
            )
            .await
            .ok()
            .and_then(|mut v| v.pop());
        let result = async {
            self.audit(
                &mut tx,
                ctx,
                at.patient,
                at.object,
                Some(at.id.clone()),
                Operation::Read,
                at.purpose,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(e) = result {
            return e;
        }
        AppError::Conflict(Box::new(ConflictInfo {
            current_version: current.version(),
            current: to_json(current),
            changed_by: last.as_ref().map(|h| h.actor_name.clone()),
            changed_at: last.map(|h| h.at),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use samband_domain::ids::{AccountId, GoalId};
    use samband_domain::patient::{ContactChannel, Patient};
    use samband_domain::plan::{Goal, GoalAuthor};
    use samband_domain::principal::{Principal, Scopes, Subject};

    struct World {
        app: App,
        ctx: Ctx,
        patient: PatientId,
        goal: Goal,
    }

    /// A fresh SQLite store with one patient and one goal at version 1, whose history
    /// row names "Kari Nordmann" as the last to change it.
    async fn world() -> World {
        let (app, _clock) = crate::kernel::testing::app().await;
        let ctx = Ctx {
            principal: Principal {
                account_id: AccountId::new(),
                display_name: "Kari Nordmann".into(),
                subject: Subject::Professional(Default::default()),
                scopes: Scopes::ALL,
                locale: None,
            },
            request_id: Some("test".into()),
        };
        let patient = Patient {
            id: PatientId::new(),
            name: "Test Patient".into(),
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
            national_id: None,
            preferred_contact: ContactChannel::InApp,
            phone: None,
            email: None,
            version: 1,
        };
        let goal = Goal {
            id: GoalId::new(),
            patient_id: patient.id,
            author: GoalAuthor::Patient,
            owner_member_id: None,
            text: "Back to work".into(),
            achieved: false,
            created_at: app.clock.now(),
            version: 1,
        };
        let mut tx = app.store.begin().await.unwrap();
        tx.insert_patient(&patient).await.unwrap();
        tx.insert_goal(&goal).await.unwrap();
        app.record_change(
            &mut tx,
            &ctx,
            patient.id,
            Object::Goal,
            goal.id.to_string(),
            1,
            None::<&Goal>,
            &goal,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        World {
            app,
            ctx,
            patient: patient.id,
            goal,
        }
    }

    fn at(w: &World) -> Versioned {
        Versioned {
            patient: w.patient,
            object: Object::Goal,
            id: w.goal.id.to_string(),
            purpose: Purpose::Care,
        }
    }

    /// The audit entries about the patient, as (object id, action, purpose).
    async fn audited(w: &World) -> Vec<(Option<String>, String, String)> {
        let mut tx = w.app.store.begin_read().await.unwrap();
        let entries = tx.list_audit(Some(w.patient), 100).await.unwrap();
        tx.commit().await.unwrap();
        entries
            .into_iter()
            .map(|e| (e.object_id, e.action, e.purpose))
            .collect()
    }

    fn conflict_info(e: AppError) -> ConflictInfo {
        match e {
            AppError::Conflict(info) => *info,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_expected_version_passes_and_records_nothing() {
        let w = world().await;
        let tx = w.app.store.begin().await.unwrap();
        let tx = w
            .app
            .check_version(tx, &w.ctx, &at(&w), &w.goal, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(audited(&w).await.is_empty());
    }

    #[tokio::test]
    async fn a_stale_version_is_answered_with_the_stored_state_and_audited_as_a_read() {
        let w = world().await;
        let tx = w.app.store.begin().await.unwrap();
        let e = w
            .app
            .check_version(tx, &w.ctx, &at(&w), &w.goal, 7)
            .await
            .err()
            .unwrap();
        let info = conflict_info(e);
        assert_eq!(info.current_version, 1);
        assert_eq!(info.current["text"], "Back to work");
        assert_eq!(info.changed_by.as_deref(), Some("Kari Nordmann"));
        assert_eq!(info.changed_at, Some(w.app.clock.now()));
        // The answer's read of the record was committed before the 409 went out.
        assert_eq!(
            audited(&w).await,
            vec![(Some(w.goal.id.to_string()), "read".into(), "care".into())]
        );
    }

    #[tokio::test]
    async fn a_write_that_lost_the_race_answers_with_the_reloaded_current_version() {
        let w = world().await;
        // Someone else saves version 2 after this use case checked version 1.
        let mut theirs = w.goal.clone();
        theirs.text = "Part-time first".into();
        let mut tx = w.app.store.begin().await.unwrap();
        assert_eq!(tx.update_goal(&theirs, 1).await.unwrap(), 2);
        tx.commit().await.unwrap();

        let mut tx = w.app.store.begin().await.unwrap();
        let mut mine = w.goal.clone();
        mine.text = "Full-time".into();
        let saved = tx.update_goal(&mine, 1).await;
        assert!(matches!(saved, Err(StoreError::Conflict(_))));
        let (patient, id) = (w.patient, w.goal.id);
        let e = w
            .app
            .versioned_save(tx, &w.ctx, &at(&w), saved, move |tx| {
                Box::pin(async move { tx.get_goal(patient, id).await?.ok_or(AppError::NotFound) })
            })
            .await
            .err()
            .unwrap();
        let info = conflict_info(e);
        assert_eq!(info.current_version, 2, "the current state is read again");
        assert_eq!(info.current["text"], "Part-time first");
        assert_eq!(audited(&w).await.len(), 1);
        // Nothing of the losing write was kept.
        let mut tx = w.app.store.begin_read().await.unwrap();
        let stored = tx.get_goal(patient, id).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stored.text, "Part-time first");
    }

    #[tokio::test]
    async fn a_saved_write_gives_the_transaction_back_with_its_new_version() {
        let w = world().await;
        let mut tx = w.app.store.begin().await.unwrap();
        let mut next = w.goal.clone();
        next.achieved = true;
        let saved = tx.update_goal(&next, 1).await;
        let (tx, version) = w
            .app
            .versioned_save(
                tx,
                &w.ctx,
                &at(&w),
                saved,
                |_tx| -> BoxFuture<'_, Result<Goal, AppError>> {
                    panic!("no reload after a successful write")
                },
            )
            .await
            .unwrap();
        assert_eq!(version, 2);
        tx.commit().await.unwrap();
        assert!(audited(&w).await.is_empty());
    }

    #[tokio::test]
    async fn other_store_errors_pass_through_without_a_reload() {
        let w = world().await;
        let tx = w.app.store.begin().await.unwrap();
        let e = w
            .app
            .versioned_save(
                tx,
                &w.ctx,
                &at(&w),
                Err(StoreError::NotFound),
                |_tx| -> BoxFuture<'_, Result<Goal, AppError>> { panic!("no reload") },
            )
            .await
            .err()
            .unwrap();
        assert!(matches!(e, AppError::NotFound));
        assert!(audited(&w).await.is_empty());
    }
}
