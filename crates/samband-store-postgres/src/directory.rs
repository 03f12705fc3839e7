//! Organisations, professionals and patients.

use crate::codec::*;
#[allow(unused_imports)]
use chrono::{DateTime, NaiveDate, Utc};
#[allow(unused_imports)]
use uuid::Uuid;

use crate::PgTx;
use async_trait::async_trait;
use samband_domain::country::Country;
use samband_domain::ids::*;
use samband_domain::national_id::{IdKind, NationalId};
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::patient::{ContactChannel, Patient};
use samband_domain::professional::Professional;
use samband_store::*;
use sqlx::postgres::PgRow;

fn org_row(r: &PgRow) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: uid(r, "id")?,
        name: get(r, "name")?,
        sector: Sector::parse("sector", &get::<String>(r, "sector")?)
            .map_err(|_| corrupt("sector"))?,
        country: country(get(r, "country")?)?,
        version: get(r, "version")?,
    })
}

/// A stored country code (`NULL`: not stated).
pub(crate) fn country(raw: Option<String>) -> StoreResult<Option<Country>> {
    raw.map(|c| Country::parse("country", &c).map_err(|_| corrupt("country")))
        .transpose()
}

pub(crate) fn patient_row(r: &PgRow) -> StoreResult<Patient> {
    let kind: Option<String> = get(r, "national_id_kind")?;
    let value: Option<String> = get(r, "national_id")?;
    let national_id = match (kind, value) {
        (Some(k), Some(v)) => {
            let kind: IdKind = serde_json::from_value(serde_json::Value::String(k))
                .map_err(|_| corrupt("id kind"))?;
            let parsed = match kind {
                IdKind::DkCpr => NationalId::parse_danish(&v),
                _ => NationalId::parse_norwegian(&v),
            };
            Some(parsed.map_err(|_| corrupt("national id"))?)
        }
        _ => None,
    };
    Ok(Patient {
        id: uid(r, "id")?,
        name: get(r, "name")?,
        birth_date: get::<NaiveDate>(r, "birth_date")?,
        national_id,
        preferred_contact: ContactChannel::parse("c", &get::<String>(r, "preferred_contact")?)
            .map_err(|_| corrupt("contact channel"))?,
        phone: get(r, "phone")?,
        email: get(r, "email")?,
        version: get(r, "version")?,
    })
}

fn id_kind_str(k: IdKind) -> String {
    match serde_json::to_value(k) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl PgTx {
    async fn professional_orgs(&mut self, pid: Uuid) -> StoreResult<Vec<OrganisationId>> {
        let rows = sqlx::query("SELECT organisation_id FROM professional_organisations WHERE professional_id = $1 ORDER BY position")
            .bind(pid)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| uid(r, "organisation_id")).collect()
    }

    async fn professional_from_row(&mut self, r: &PgRow) -> StoreResult<Professional> {
        let pid: Uuid = get(r, "id")?;
        Ok(Professional {
            id: pid.into(),
            name: get(r, "name")?,
            title: get(r, "title")?,
            organisation_ids: self.professional_orgs(pid).await?,
            phone: get(r, "phone")?,
            email: get(r, "email")?,
            availability: get(r, "availability")?,
            version: get(r, "version")?,
        })
    }
}

#[async_trait]
impl OrganisationRepo for PgTx {
    async fn insert_organisation(&mut self, o: &Organisation) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO organisations (id, name, sector, country, version) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(o.id.as_uuid())
        .bind(&o.name)
        .bind(o.sector.as_str())
        .bind(o.country.map(|c| c.as_str()))
        .bind(o.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_organisation(&mut self, oid: OrganisationId) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(oid.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(org_row).transpose()
    }

    async fn list_organisations(&mut self) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query("SELECT * FROM organisations ORDER BY name")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(org_row).collect()
    }

    async fn organisations_page(
        &mut self,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<Organisation>> {
        let rows = by_name("organisations", page)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(org_row).collect()
    }

    async fn count_organisations(&mut self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }
}

/// The SQL of one page of a directory table by name, then id (keyset: after the
/// cursor's row). Built once per shape, so the statement text is `'static`.
fn by_name_sql(table: &'static str, seek: bool) -> &'static str {
    match (table, seek) {
        ("organisations", false) => "SELECT * FROM organisations ORDER BY name, id LIMIT $1",
        ("organisations", true) => {
            "SELECT * FROM organisations WHERE (name, id) > ($2, $3) ORDER BY name, id LIMIT $1"
        }
        (_, false) => "SELECT * FROM professionals ORDER BY name, id LIMIT $1",
        (_, true) => {
            "SELECT * FROM professionals WHERE (name, id) > ($2, $3) ORDER BY name, id LIMIT $1"
        }
    }
}

fn by_name(
    table: &'static str,
    page: &PageAt<String>,
) -> sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let q = sqlx::query(by_name_sql(table, page.after.is_some())).bind(page.limit);
    match &page.after {
        Some(after) => q.bind(after.key.clone()).bind(after.id),
        None => q,
    }
}

#[async_trait]
impl ProfessionalRepo for PgTx {
    async fn insert_professional(&mut self, p: &Professional) -> StoreResult<()> {
        sqlx::query("INSERT INTO professionals (id, name, title, phone, email, availability, version) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(p.id.as_uuid())
            .bind(&p.name)
            .bind(&p.title)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(&p.availability)
            .bind(p.version)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        for (i, o) in p.organisation_ids.iter().enumerate() {
            sqlx::query("INSERT INTO professional_organisations (professional_id, organisation_id, position) VALUES ($1, $2, $3)")
                .bind(p.id.as_uuid())
                .bind(o.as_uuid())
                .bind(i as i64)
                .execute(&mut *self.tx)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn get_professional(&mut self, pid: ProfessionalId) -> StoreResult<Option<Professional>> {
        let row = sqlx::query("SELECT * FROM professionals WHERE id = $1")
            .bind(pid.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(self.professional_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    async fn get_professionals(
        &mut self,
        ids: &[ProfessionalId],
    ) -> StoreResult<Vec<Professional>> {
        let mut out = Vec::with_capacity(ids.len());
        for pid in ids {
            if let Some(p) = self.get_professional(*pid).await? {
                out.push(p);
            }
        }
        Ok(out)
    }

    async fn list_professionals(&mut self) -> StoreResult<Vec<Professional>> {
        let rows = sqlx::query("SELECT * FROM professionals ORDER BY name")
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.professional_from_row(r).await?);
        }
        Ok(out)
    }

    async fn professionals_page(
        &mut self,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<Professional>> {
        let rows = by_name("professionals", page)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.professional_from_row(r).await?);
        }
        Ok(out)
    }

    async fn count_professionals(&mut self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM professionals")
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)
    }
}

#[async_trait]
impl PatientRepo for PgTx {
    async fn insert_patient(&mut self, p: &Patient) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO patients (id, name, birth_date, national_id_kind, national_id, preferred_contact, phone, email, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id.as_uuid())
        .bind(&p.name)
        .bind(p.birth_date)
        .bind(p.national_id.as_ref().map(|n| id_kind_str(n.kind)))
        .bind(p.national_id.as_ref().map(|n| n.value.clone()))
        .bind(p.preferred_contact.as_str())
        .bind(&p.phone)
        .bind(&p.email)
        .bind(p.version)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_patient(&mut self, pid: PatientId) -> StoreResult<Option<Patient>> {
        let row = sqlx::query("SELECT * FROM patients WHERE id = $1")
            .bind(pid.as_uuid())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(patient_row).transpose()
    }

    async fn find_patient_by_national_id(&mut self, value: &str) -> StoreResult<Option<PatientId>> {
        let row: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM patients WHERE national_id = $1 LIMIT 1")
                .bind(value)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db_err)?;
        Ok(row.map(PatientId::from))
    }

    async fn caseload(
        &mut self,
        professional: ProfessionalId,
        today: NaiveDate,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<CaseloadRow>> {
        let d = today;
        // The membership carries the patient's name, so the professional's memberships
        // are read in caseload order from one index and only the page's rows are joined.
        let seek = if page.after.is_some() {
            "AND (m.patient_name, m.patient_id) > ($4, $5) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT p.*, m.id AS member_id, m.organisation_id AS my_org, o.sector AS my_sector, m.role AS my_role, m.is_coordinator AS my_coord, \
               (SELECT COUNT(*) FROM actions a WHERE a.patient_id = p.id AND a.status IN ('planned','in_progress')) AS open_actions, \
               (SELECT COUNT(*) FROM actions a WHERE a.patient_id = p.id AND a.status IN ('planned','in_progress') AND a.due_date < $1) AS overdue_actions \
             FROM team_members m JOIN patients p ON p.id = m.patient_id LEFT JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.professional_id = $2 AND m.active_from <= $1 AND (m.active_to IS NULL OR m.active_to >= $1) {seek}\
             ORDER BY m.patient_name, m.patient_id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(d)
            .bind(professional.as_uuid())
            .bind(page.limit);
        if let Some(after) = &page.after {
            q = q.bind(&after.key).bind(after.id);
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CaseloadRow {
                    patient: patient_row(r)?,
                    member_id: uid(r, "member_id")?,
                    my_organisation: opt_uid(r, "my_org")?,
                    my_sector: get::<Option<String>>(r, "my_sector")?
                        .map(|s| Sector::parse("sector", &s).map_err(|_| corrupt("sector")))
                        .transpose()?,
                    my_role: get(r, "my_role")?,
                    is_coordinator: get(r, "my_coord")?,
                    open_actions: get(r, "open_actions")?,
                    overdue_actions: get(r, "overdue_actions")?,
                })
            })
            .collect()
    }

    async fn count_caseload(
        &mut self,
        professional: ProfessionalId,
        today: NaiveDate,
    ) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM team_members m \
             WHERE m.professional_id = $1 AND m.active_from <= $2 AND (m.active_to IS NULL OR m.active_to >= $2)",
        )
        .bind(professional.as_uuid())
        .bind(today)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)
    }
}
