//! Care plan items: header, goals, actions, services and the crisis plan, each with its
//! own version checked on update.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::plan::*;
use samband_store::*;

fn goal_row(r: &Row) -> StoreResult<Goal> {
    Ok(Goal {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        author: GoalAuthor::parse("author", &get::<String>(r, "author")?)
            .map_err(|_| corrupt("goal author"))?,
        owner_member_id: opt_id(get(r, "owner_member_id")?)?,
        text: get(r, "text")?,
        achieved: get(r, "achieved")?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        version: get(r, "version")?,
    })
}

fn action_row(r: &Row) -> StoreResult<Action> {
    Ok(Action {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        title: get(r, "title")?,
        owner_member_id: id(&get::<String>(r, "owner_member_id")?)?,
        sector: Sector::parse("sector", &get::<String>(r, "sector")?)
            .map_err(|_| corrupt("sector"))?,
        due_date: parse_date(&get::<String>(r, "due_date")?)?,
        status: ActionStatus::parse("status", &get::<String>(r, "status")?)
            .map_err(|_| corrupt("status"))?,
        goal_id: opt_id(get(r, "goal_id")?)?,
        created_at: parse_ts(&get::<String>(r, "created_at")?)?,
        version: get(r, "version")?,
    })
}

fn service_row(r: &Row) -> StoreResult<Service> {
    Ok(Service {
        id: id(&get::<String>(r, "id")?)?,
        patient_id: id(&get::<String>(r, "patient_id")?)?,
        what: get(r, "what")?,
        provider: get(r, "provider")?,
        frequency: get(r, "frequency")?,
        version: get(r, "version")?,
    })
}

#[async_trait]
impl PlanRepo for SqliteTx {
    async fn get_plan_header(&mut self, patient: PatientId) -> StoreResult<Option<PlanHeader>> {
        let row = query("SELECT * FROM care_plans WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.map(|r| {
            Ok(PlanHeader {
                patient_id: patient,
                revision_date: get::<Option<String>>(&r, "revision_date")?
                    .as_deref()
                    .map(parse_date)
                    .transpose()?,
                version: get(&r, "version")?,
            })
        })
        .transpose()
    }

    async fn save_plan_header(&mut self, h: &PlanHeader, expected: i64) -> StoreResult<i64> {
        if expected == 0 {
            let r = query("INSERT INTO care_plans (patient_id, revision_date, version) VALUES (?, ?, 1) ON CONFLICT DO NOTHING")
                .bind(h.patient_id.to_string())
                .bind(h.revision_date.as_ref().map(date))
                .execute(&self.tx)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = query("UPDATE care_plans SET revision_date = ?, version = version + 1 WHERE patient_id = ? AND version = ?")
            .bind(h.revision_date.as_ref().map(date))
            .bind(h.patient_id.to_string())
            .bind(expected)
            .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_goals(&mut self, patient: PatientId) -> StoreResult<Vec<Goal>> {
        let rows = query("SELECT * FROM goals WHERE patient_id = ? ORDER BY created_at, id")
            .bind(patient.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(goal_row).collect()
    }

    async fn get_goal(&mut self, patient: PatientId, id: GoalId) -> StoreResult<Option<Goal>> {
        let row = query("SELECT * FROM goals WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(goal_row).transpose()
    }

    async fn insert_goal(&mut self, g: &Goal) -> StoreResult<()> {
        query("INSERT INTO goals (id, patient_id, author, owner_member_id, text, achieved, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(g.id.to_string())
            .bind(g.patient_id.to_string())
            .bind(g.author.as_str())
            .bind(g.owner_member_id.map(|m| m.to_string()))
            .bind(&g.text)
            .bind(g.achieved)
            .bind(ts(&g.created_at))
            .bind(g.version)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn update_goal(&mut self, g: &Goal, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE goals SET author = ?, owner_member_id = ?, text = ?, achieved = ?, version = version + 1 \
             WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(g.author.as_str())
        .bind(g.owner_member_id.map(|m| m.to_string()))
        .bind(&g.text)
        .bind(g.achieved)
        .bind(g.id.to_string())
        .bind(g.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_actions(&mut self, patient: PatientId) -> StoreResult<Vec<Action>> {
        let rows =
            query("SELECT * FROM actions WHERE patient_id = ? ORDER BY due_date, created_at, id")
                .bind(patient.to_string())
                .fetch_all(&self.tx)?;
        rows.iter().map(action_row).collect()
    }

    async fn get_action(
        &mut self,
        patient: PatientId,
        aid: ActionId,
    ) -> StoreResult<Option<Action>> {
        let row = query("SELECT * FROM actions WHERE id = ? AND patient_id = ?")
            .bind(aid.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(action_row).transpose()
    }

    async fn insert_action(&mut self, a: &Action) -> StoreResult<()> {
        query(
            "INSERT INTO actions (id, patient_id, title, owner_member_id, sector, due_date, status, goal_id, created_at, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
        .bind(a.patient_id.to_string())
        .bind(&a.title)
        .bind(a.owner_member_id.to_string())
        .bind(a.sector.as_str())
        .bind(date(&a.due_date))
        .bind(a.status.as_str())
        .bind(a.goal_id.map(|g| g.to_string()))
        .bind(ts(&a.created_at))
        .bind(a.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn update_action(&mut self, a: &Action, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE actions SET title = ?, owner_member_id = ?, sector = ?, due_date = ?, status = ?, goal_id = ?, version = version + 1 \
             WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(&a.title)
        .bind(a.owner_member_id.to_string())
        .bind(a.sector.as_str())
        .bind(date(&a.due_date))
        .bind(a.status.as_str())
        .bind(a.goal_id.map(|g| g.to_string()))
        .bind(a.id.to_string())
        .bind(a.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn list_services(&mut self, patient: PatientId) -> StoreResult<Vec<Service>> {
        let rows = query("SELECT * FROM services WHERE patient_id = ? ORDER BY id")
            .bind(patient.to_string())
            .fetch_all(&self.tx)?;
        rows.iter().map(service_row).collect()
    }

    async fn get_service(
        &mut self,
        patient: PatientId,
        id: ServiceId,
    ) -> StoreResult<Option<Service>> {
        let row = query("SELECT * FROM services WHERE id = ? AND patient_id = ?")
            .bind(id.to_string())
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(service_row).transpose()
    }

    async fn insert_service(&mut self, s: &Service) -> StoreResult<()> {
        query("INSERT INTO services (id, patient_id, what, provider, frequency, version) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(s.id.to_string())
            .bind(s.patient_id.to_string())
            .bind(&s.what)
            .bind(&s.provider)
            .bind(&s.frequency)
            .bind(s.version)
            .execute(&self.tx)?;
        Ok(())
    }

    async fn update_service(&mut self, s: &Service, expected: i64) -> StoreResult<i64> {
        let r = query(
            "UPDATE services SET what = ?, provider = ?, frequency = ?, version = version + 1 WHERE id = ? AND patient_id = ? AND version = ?",
        )
        .bind(&s.what)
        .bind(&s.provider)
        .bind(&s.frequency)
        .bind(s.id.to_string())
        .bind(s.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }

    async fn get_crisis_plan(&mut self, patient: PatientId) -> StoreResult<Option<CrisisPlan>> {
        let row = query("SELECT * FROM crisis_plans WHERE patient_id = ?")
            .bind(patient.to_string())
            .fetch_optional(&self.tx)?;
        row.map(|r| {
            Ok(CrisisPlan {
                patient_id: patient,
                warning_signs: get(&r, "warning_signs")?,
                what_helps: get(&r, "what_helps")?,
                contacts: get(&r, "contacts")?,
                updated_at: get::<Option<String>>(&r, "updated_at")?
                    .as_deref()
                    .map(parse_ts)
                    .transpose()?,
                version: get(&r, "version")?,
            })
        })
        .transpose()
    }

    async fn save_crisis_plan(&mut self, c: &CrisisPlan, expected: i64) -> StoreResult<i64> {
        if expected == 0 {
            let r = query("INSERT INTO crisis_plans (patient_id, warning_signs, what_helps, contacts, updated_at, version) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING")
                .bind(c.patient_id.to_string())
                .bind(&c.warning_signs)
                .bind(&c.what_helps)
                .bind(&c.contacts)
                .bind(c.updated_at.as_ref().map(ts))
                .execute(&self.tx)?;
            return versioned(r.rows_affected(), 0);
        }
        let r = query(
            "UPDATE crisis_plans SET warning_signs = ?, what_helps = ?, contacts = ?, updated_at = ?, version = version + 1 \
             WHERE patient_id = ? AND version = ?",
        )
        .bind(&c.warning_signs)
        .bind(&c.what_helps)
        .bind(&c.contacts)
        .bind(c.updated_at.as_ref().map(ts))
        .bind(c.patient_id.to_string())
        .bind(expected)
        .execute(&self.tx)?;
        versioned(r.rows_affected(), expected)
    }
}
