//! Care plan items: header, goals, actions, services and the crisis plan, each with its
//! own version checked on update.

use crate::codec::*;
#[allow(unused_imports)]
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)]
use uuid::Uuid;

use crate::PgTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::plan::*;
use samband_store::*;
use sqlx::postgres::PgRow;

fn goal_row(r: &PgRow) -> StoreResult<Goal> {
    Ok(Goal {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        author: GoalAuthor::parse("author", &get::<String>(r, "author")?)
            .map_err(|_| corrupt("goal author"))?,
        owner_member_id: opt_uid(r, "owner_member_id")?,
        text: get(r, "text")?,
        achieved: get(r, "achieved")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        version: get(r, "version")?,
    })
}

fn action_row(r: &PgRow) -> StoreResult<Action> {
    Ok(Action {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        title: get(r, "title")?,
        owner_member_id: uid(r, "owner_member_id")?,
        sector: Sector::parse("sector", &get::<String>(r, "sector")?)
            .map_err(|_| corrupt("sector"))?,
        due_date: get::<NaiveDate>(r, "due_date")?,
        status: ActionStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("status"))?,
        goal_id: opt_uid(r, "goal_id")?,
        created_at: get::<DateTime<Utc>>(r, "created_at")?,
        version: get(r, "version")?,
    })
}

fn service_row(r: &PgRow) -> StoreResult<Service> {
    Ok(Service {
        id: uid(r, "id")?,
        patient_id: uid(r, "patient_id")?,
        what: get(r, "what")?,
        provider: get(r, "provider")?,
        frequency: get(r, "frequency")?,
        version: get(r, "version")?,
    })
}

#[async_trait]
impl PlanRepo for PgTx {
    async fn get_plan_header(&mut self, patient: PatientId) -> StoreResult<Option<PlanHeader>> {
        let row = sqlx::query("SELECT * FROM care_plans WHERE patient_id = $1")
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(PlanHeader {
                patient_id: patient,
                revision_date: get::<Option<NaiveDate>>(&r, "revision_date")?,
                version: get(&r, "version")?,
            })
        })
        .transpose()
    }

    async fn save_plan_header(&mut self, h: &PlanHeader, expected: i64) -> StoreResult<i64> {
        if expected == 0 {
            let r = sqlx::query("INSERT INTO care_plans (patient_id, revision_date, version) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING")
                .bind(h.patient_id.as_uuid())
                .bind(h.revision_date)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = sqlx::query("UPDATE care_plans SET revision_date = $1, version = version + 1 WHERE patient_id = $2 AND version = $3")
            .bind(h.revision_date)
            .bind(h.patient_id.as_uuid())
            .bind(expected)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_goals(&mut self, patient: PatientId) -> StoreResult<Vec<Goal>> {
        let rows = sqlx::query("SELECT * FROM goals WHERE patient_id = $1 ORDER BY created_at, id")
            .bind(patient.as_uuid())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(goal_row).collect()
    }

    async fn get_goal(&mut self, patient: PatientId, id: GoalId) -> StoreResult<Option<Goal>> {
        let row = sqlx::query("SELECT * FROM goals WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(goal_row).transpose()
    }

    async fn insert_goal(&mut self, g: &Goal) -> StoreResult<()> {
        sqlx::query("INSERT INTO goals (id, patient_id, author, owner_member_id, text, achieved, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(g.id.as_uuid())
            .bind(g.patient_id.as_uuid())
            .bind(g.author.as_str())
            .bind(g.owner_member_id.map(|m| m.as_uuid()))
            .bind(&g.text)
            .bind(g.achieved)
            .bind(g.created_at)
            .bind(g.version)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_goal(&mut self, g: &Goal, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE goals SET author = $1, owner_member_id = $2, text = $3, achieved = $4, version = version + 1 \
             WHERE id = $5 AND patient_id = $6 AND version = $7",
        )
        .bind(g.author.as_str())
        .bind(g.owner_member_id.map(|m| m.as_uuid()))
        .bind(&g.text)
        .bind(g.achieved)
        .bind(g.id.as_uuid())
        .bind(g.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_actions(&mut self, patient: PatientId) -> StoreResult<Vec<Action>> {
        let rows = sqlx::query(
            "SELECT * FROM actions WHERE patient_id = $1 ORDER BY due_date, created_at, id",
        )
        .bind(patient.as_uuid())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(action_row).collect()
    }

    async fn get_action(
        &mut self,
        patient: PatientId,
        aid: ActionId,
    ) -> StoreResult<Option<Action>> {
        let row = sqlx::query("SELECT * FROM actions WHERE id = $1 AND patient_id = $2")
            .bind(aid.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(action_row).transpose()
    }

    async fn insert_action(&mut self, a: &Action) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO actions (id, patient_id, title, owner_member_id, sector, due_date, status, goal_id, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.id.as_uuid())
        .bind(a.patient_id.as_uuid())
        .bind(&a.title)
        .bind(a.owner_member_id.as_uuid())
        .bind(a.sector.as_str())
        .bind(a.due_date)
        .bind(a.status.as_str())
        .bind(a.goal_id.map(|g| g.as_uuid()))
        .bind(a.created_at)
        .bind(a.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_action(&mut self, a: &Action, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE actions SET title = $1, owner_member_id = $2, sector = $3, due_date = $4, status = $5, goal_id = $6, version = version + 1 \
             WHERE id = $7 AND patient_id = $8 AND version = $9",
        )
        .bind(&a.title)
        .bind(a.owner_member_id.as_uuid())
        .bind(a.sector.as_str())
        .bind(a.due_date)
        .bind(a.status.as_str())
        .bind(a.goal_id.map(|g| g.as_uuid()))
        .bind(a.id.as_uuid())
        .bind(a.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_services(&mut self, patient: PatientId) -> StoreResult<Vec<Service>> {
        let rows = sqlx::query("SELECT * FROM services WHERE patient_id = $1 ORDER BY id")
            .bind(patient.as_uuid())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(service_row).collect()
    }

    async fn get_service(
        &mut self,
        patient: PatientId,
        id: ServiceId,
    ) -> StoreResult<Option<Service>> {
        let row = sqlx::query("SELECT * FROM services WHERE id = $1 AND patient_id = $2")
            .bind(id.as_uuid())
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(service_row).transpose()
    }

    async fn insert_service(&mut self, s: &Service) -> StoreResult<()> {
        sqlx::query("INSERT INTO services (id, patient_id, what, provider, frequency, version) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(s.id.as_uuid())
            .bind(s.patient_id.as_uuid())
            .bind(&s.what)
            .bind(&s.provider)
            .bind(&s.frequency)
            .bind(s.version)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_service(&mut self, s: &Service, expected: i64) -> StoreResult<i64> {
        let r = sqlx::query(
            "UPDATE services SET what = $1, provider = $2, frequency = $3, version = version + 1 WHERE id = $4 AND patient_id = $5 AND version = $6",
        )
        .bind(&s.what)
        .bind(&s.provider)
        .bind(&s.frequency)
        .bind(s.id.as_uuid())
        .bind(s.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }

    async fn get_crisis_plan(&mut self, patient: PatientId) -> StoreResult<Option<CrisisPlan>> {
        let row = sqlx::query("SELECT * FROM crisis_plans WHERE patient_id = $1")
            .bind(patient.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(CrisisPlan {
                patient_id: patient,
                warning_signs: get(&r, "warning_signs")?,
                what_helps: get(&r, "what_helps")?,
                contacts: get(&r, "contacts")?,
                updated_at: get::<Option<DateTime<Utc>>>(&r, "updated_at")?,
                version: get(&r, "version")?,
            })
        })
        .transpose()
    }

    async fn save_crisis_plan(&mut self, c: &CrisisPlan, expected: i64) -> StoreResult<i64> {
        if expected == 0 {
            let r = sqlx::query("INSERT INTO crisis_plans (patient_id, warning_signs, what_helps, contacts, updated_at, version) VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING")
                .bind(c.patient_id.as_uuid())
                .bind(&c.warning_signs)
                .bind(&c.what_helps)
                .bind(&c.contacts)
                .bind(c.updated_at)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = sqlx::query(
            "UPDATE crisis_plans SET warning_signs = $1, what_helps = $2, contacts = $3, updated_at = $4, version = version + 1 \
             WHERE patient_id = $5 AND version = $6",
        )
        .bind(&c.warning_signs)
        .bind(&c.what_helps)
        .bind(&c.contacts)
        .bind(c.updated_at)
        .bind(c.patient_id.as_uuid())
        .bind(expected)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        versioned(r.rows_affected(), expected)
    }
}
