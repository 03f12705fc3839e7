//! Organisations, professionals and patients.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::NaiveDate;
use samband_domain::country::Country;
use samband_domain::ids::*;
use samband_domain::national_id::{IdKind, NationalId};
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::patient::{ContactChannel, Patient};
use samband_domain::professional::Professional;
use samband_store::*;

fn org_row(r: &Row) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: id(&get::<String>(r, "id")?)?,
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

pub(crate) fn patient_row(r: &Row) -> StoreResult<Patient> {
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
        id: id(&get::<String>(r, "id")?)?,
        name: get(r, "name")?,
        birth_date: parse_date(&get::<String>(r, "birth_date")?)?,
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

impl SqliteTx {
    async fn professional_orgs(&mut self, pid: &str) -> StoreResult<Vec<OrganisationId>> {
        let rows = query("SELECT organisation_id FROM professional_organisations WHERE professional_id = ? ORDER BY position")
            .bind(pid)
            .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| id(&get::<String>(r, "organisation_id")?))
            .collect()
    }

    async fn professional_from_row(&mut self, r: &Row) -> StoreResult<Professional> {
        let pid: String = get(r, "id")?;
        Ok(Professional {
            id: id(&pid)?,
            name: get(r, "name")?,
            title: get(r, "title")?,
            organisation_ids: self.professional_orgs(&pid).await?,
            phone: get(r, "phone")?,
            email: get(r, "email")?,
            availability: get(r, "availability")?,
            version: get(r, "version")?,
        })
    }
}

#[async_trait]
impl OrganisationRepo for SqliteTx {
    async fn insert_organisation(&mut self, o: &Organisation) -> StoreResult<()> {
        query(
            "INSERT INTO organisations (id, name, sector, country, version) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(o.id.to_string())
        .bind(&o.name)
        .bind(o.sector.as_str())
        .bind(o.country.map(|c| c.as_str()))
        .bind(o.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_organisation(&mut self, oid: OrganisationId) -> StoreResult<Option<Organisation>> {
        let row = query("SELECT * FROM organisations WHERE id = ?")
            .bind(oid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(org_row).transpose()
    }

    async fn list_organisations(&mut self) -> StoreResult<Vec<Organisation>> {
        let rows = query("SELECT * FROM organisations ORDER BY name").fetch_all(&self.tx)?;
        rows.iter().map(org_row).collect()
    }

    async fn organisations_page(
        &mut self,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<Organisation>> {
        let rows = by_name("organisations", page).fetch_all(&self.tx)?;
        rows.iter().map(org_row).collect()
    }

    async fn count_organisations(&mut self) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(&self.tx)
    }
}

/// One page of a directory table by name, then id (keyset: after the cursor's row).
fn by_name(table: &'static str, page: &PageAt<String>) -> Query<'static> {
    let sql = match (table, page.after.is_some()) {
        ("organisations", false) => "SELECT * FROM organisations ORDER BY name, id LIMIT ?",
        ("organisations", true) => {
            "SELECT * FROM organisations WHERE (name, id) > (?, ?) ORDER BY name, id LIMIT ?"
        }
        (_, false) => "SELECT * FROM professionals ORDER BY name, id LIMIT ?",
        (_, true) => {
            "SELECT * FROM professionals WHERE (name, id) > (?, ?) ORDER BY name, id LIMIT ?"
        }
    };
    let mut q = query(sql);
    if let Some(after) = &page.after {
        q = q.bind(after.key.clone()).bind(after.id.to_string());
    }
    q.bind(page.limit)
}

#[async_trait]
impl ProfessionalRepo for SqliteTx {
    async fn insert_professional(&mut self, p: &Professional) -> StoreResult<()> {
        query("INSERT INTO professionals (id, name, title, phone, email, availability, version) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(p.id.to_string())
            .bind(&p.name)
            .bind(&p.title)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(&p.availability)
            .bind(p.version)
            .execute(&self.tx)?;
        for (i, o) in p.organisation_ids.iter().enumerate() {
            query("INSERT INTO professional_organisations (professional_id, organisation_id, position) VALUES (?, ?, ?)")
                .bind(p.id.to_string())
                .bind(o.to_string())
                .bind(i as i64)
                .execute(&self.tx)?;
        }
        Ok(())
    }

    async fn get_professional(&mut self, pid: ProfessionalId) -> StoreResult<Option<Professional>> {
        let row = query("SELECT * FROM professionals WHERE id = ?")
            .bind(pid.to_string())
            .fetch_optional(&self.tx)?;
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
        let rows = query("SELECT * FROM professionals ORDER BY name").fetch_all(&self.tx)?;
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
        let rows = by_name("professionals", page).fetch_all(&self.tx)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.professional_from_row(r).await?);
        }
        Ok(out)
    }

    async fn count_professionals(&mut self) -> StoreResult<i64> {
        query_scalar("SELECT COUNT(*) FROM professionals").fetch_one(&self.tx)
    }
}

#[async_trait]
impl PatientRepo for SqliteTx {
    async fn insert_patient(&mut self, p: &Patient) -> StoreResult<()> {
        query(
            "INSERT INTO patients (id, name, birth_date, national_id_kind, national_id, preferred_contact, phone, email, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(p.id.to_string())
        .bind(&p.name)
        .bind(date(&p.birth_date))
        .bind(p.national_id.as_ref().map(|n| id_kind_str(n.kind)))
        .bind(p.national_id.as_ref().map(|n| n.value.clone()))
        .bind(p.preferred_contact.as_str())
        .bind(&p.phone)
        .bind(&p.email)
        .bind(p.version)
        .execute(&self.tx)?;
        Ok(())
    }

    async fn get_patient(&mut self, pid: PatientId) -> StoreResult<Option<Patient>> {
        let row = query("SELECT * FROM patients WHERE id = ?")
            .bind(pid.to_string())
            .fetch_optional(&self.tx)?;
        row.as_ref().map(patient_row).transpose()
    }

    async fn find_patient_by_national_id(&mut self, value: &str) -> StoreResult<Option<PatientId>> {
        let row: Option<String> =
            query_scalar("SELECT id FROM patients WHERE national_id = ? LIMIT 1")
                .bind(value)
                .fetch_optional(&self.tx)?;
        opt_id(row)
    }

    async fn caseload(
        &mut self,
        professional: ProfessionalId,
        today: NaiveDate,
        page: &PageAt<String>,
    ) -> StoreResult<Vec<CaseloadRow>> {
        let d = date(&today);
        // The membership carries the patient's name, so the professional's memberships
        // are read in caseload order from one index and only the page's rows are joined.
        let seek = if page.after.is_some() {
            "AND (m.patient_name, m.patient_id) > (?, ?) "
        } else {
            ""
        };
        let sql = format!(
            "SELECT p.*, m.id AS member_id, m.organisation_id AS my_org, o.sector AS my_sector, m.role AS my_role, m.is_coordinator AS my_coord, \
               (SELECT COUNT(*) FROM actions a WHERE a.patient_id = p.id AND a.status IN ('planned','in_progress')) AS open_actions, \
               (SELECT COUNT(*) FROM actions a WHERE a.patient_id = p.id AND a.status IN ('planned','in_progress') AND a.due_date < ?) AS overdue_actions \
             FROM team_members m JOIN patients p ON p.id = m.patient_id LEFT JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.professional_id = ? AND m.active_from <= ? AND (m.active_to IS NULL OR m.active_to >= ?) {seek}\
             ORDER BY m.patient_name, m.patient_id LIMIT ?"
        );
        let mut q = query(&sql)
            .bind(&d)
            .bind(professional.to_string())
            .bind(&d)
            .bind(&d);
        if let Some(after) = &page.after {
            q = q.bind(&after.key).bind(after.id.to_string());
        }
        let rows = q.bind(page.limit).fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                Ok(CaseloadRow {
                    patient: patient_row(r)?,
                    member_id: id(&get::<String>(r, "member_id")?)?,
                    my_organisation: opt_id(get(r, "my_org")?)?,
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
        let d = date(&today);
        query_scalar(
            "SELECT COUNT(*) FROM team_members m \
             WHERE m.professional_id = ? AND m.active_from <= ? AND (m.active_to IS NULL OR m.active_to >= ?)",
        )
        .bind(professional.to_string())
        .bind(&d)
        .bind(&d)
        .fetch_one(&self.tx)
    }
}
