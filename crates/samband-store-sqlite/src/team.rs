//! Care teams: the team row carries the version; members are rewritten on each save.

use crate::codec::*;
use crate::db::*;
use crate::SqliteTx;
use async_trait::async_trait;
use chrono::NaiveDate;
use samband_domain::ids::*;
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::team::{CareTeam, MemberKind, TeamMember};
use samband_store::*;

#[async_trait]
impl TeamRepo for SqliteTx {
    async fn get_team(&mut self, patient: PatientId) -> StoreResult<Option<CareTeam>> {
        // The team's version and its members in one statement: no team, no row; a
        // team without members, one row of NULL members.
        let rows = query(
            "SELECT t.version AS team_version, m.* FROM care_teams t \
             LEFT JOIN team_members m ON m.patient_id = t.patient_id \
             WHERE t.patient_id = ? ORDER BY m.position",
        )
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let version: i64 = get(first, "team_version")?;
        let members = rows
            .iter()
            .filter(|r| !matches!(r.get::<Option<String>>("id"), Ok(None)))
            .map(|r| {
                Ok(TeamMember {
                    id: id(&get::<String>(r, "id")?)?,
                    kind: MemberKind::parse("kind", &get::<String>(r, "kind")?)
                        .map_err(|_| corrupt("member kind"))?,
                    professional_id: opt_id(get(r, "professional_id")?)?,
                    name: get(r, "name")?,
                    organisation_id: opt_id(get(r, "organisation_id")?)?,
                    role: get(r, "role")?,
                    responsibility: get(r, "responsibility")?,
                    phone: get(r, "phone")?,
                    is_coordinator: get(r, "is_coordinator")?,
                    active_from: parse_date(&get::<String>(r, "active_from")?)?,
                    active_to: get::<Option<String>>(r, "active_to")?
                        .as_deref()
                        .map(parse_date)
                        .transpose()?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(CareTeam {
            patient_id: patient,
            members,
            version,
        }))
    }

    async fn save_team(&mut self, team: &CareTeam, expected: i64) -> StoreResult<i64> {
        let pid = team.patient_id.to_string();
        let new_version = if expected == 0 {
            let r = query(
                "INSERT INTO care_teams (patient_id, version) VALUES (?, 1) ON CONFLICT DO NOTHING",
            )
            .bind(&pid)
            .execute(&self.tx)?;
            versioned(r.rows_affected(), 0)?
        } else {
            let r = query(
                "UPDATE care_teams SET version = version + 1 WHERE patient_id = ? AND version = ?",
            )
            .bind(&pid)
            .bind(expected)
            .execute(&self.tx)?;
            versioned(r.rows_affected(), expected)?
        };
        // Members referenced by actions or goals must keep their ids: upsert, then
        // remove only those no longer present (the foreign keys refuse orphaning).
        for (i, m) in team.members.iter().enumerate() {
            query(
                "INSERT INTO team_members (id, patient_id, position, kind, professional_id, name, organisation_id, role, responsibility, phone, is_coordinator, active_from, active_to, patient_name) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT name FROM patients WHERE id = ?), '')) \
                 ON CONFLICT (id) DO UPDATE SET position = excluded.position, kind = excluded.kind, professional_id = excluded.professional_id, \
                 name = excluded.name, organisation_id = excluded.organisation_id, role = excluded.role, responsibility = excluded.responsibility, \
                 phone = excluded.phone, is_coordinator = excluded.is_coordinator, active_from = excluded.active_from, active_to = excluded.active_to \
                 WHERE team_members.patient_id = excluded.patient_id",
            )
            .bind(m.id.to_string())
            .bind(&pid)
            .bind(i as i64)
            .bind(m.kind.as_str())
            .bind(m.professional_id.map(|p| p.to_string()))
            .bind(&m.name)
            .bind(m.organisation_id.map(|o| o.to_string()))
            .bind(&m.role)
            .bind(&m.responsibility)
            .bind(&m.phone)
            .bind(m.is_coordinator)
            .bind(date(&m.active_from))
            .bind(m.active_to.as_ref().map(date))
            .bind(&pid)
            .execute(&self.tx)?;
        }
        let keep: Vec<String> = team.members.iter().map(|m| m.id.to_string()).collect();
        let existing: Vec<String> =
            query_scalar("SELECT id FROM team_members WHERE patient_id = ?")
                .bind(&pid)
                .fetch_all(&self.tx)?;
        for gone in existing.iter().filter(|e| !keep.contains(e)) {
            query("DELETE FROM team_members WHERE id = ?")
                .bind(gone)
                .execute(&self.tx)
                .map_err(|e| match e {
                    StoreError::Other(_) => {
                        StoreError::Conflict("member still owns actions or goals".into())
                    }
                    other => other,
                })?;
        }
        Ok(new_version)
    }

    async fn member_contacts(&mut self, patient: PatientId) -> StoreResult<Vec<MemberContact>> {
        let rows = query(
            "SELECT m.id AS member_id, p.name AS p_name, p.title AS p_title, p.phone AS p_phone, p.email AS p_email, \
             p.availability AS p_availability, o.id AS o_id, o.name AS o_name, o.sector AS o_sector, o.country AS o_country, o.version AS o_version \
             FROM team_members m LEFT JOIN professionals p ON p.id = m.professional_id \
             LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.patient_id = ? ORDER BY m.position",
        )
        .bind(patient.to_string())
        .fetch_all(&self.tx)?;
        rows.iter()
            .map(|r| {
                let organisation = match opt_id::<OrganisationId>(get(r, "o_id")?)? {
                    Some(id) => Some(Organisation {
                        id,
                        name: get(r, "o_name")?,
                        sector: Sector::parse("sector", &get::<String>(r, "o_sector")?)
                            .map_err(|_| corrupt("sector"))?,
                        country: crate::directory::country(get(r, "o_country")?)?,
                        version: get(r, "o_version")?,
                    }),
                    None => None,
                };
                Ok(MemberContact {
                    member_id: id(&get::<String>(r, "member_id")?)?,
                    professional_name: get(r, "p_name")?,
                    title: get(r, "p_title")?,
                    phone: get(r, "p_phone")?,
                    email: get(r, "p_email")?,
                    availability: get(r, "p_availability")?,
                    organisation,
                })
            })
            .collect()
    }

    async fn active_membership(
        &mut self,
        patient: PatientId,
        professional: ProfessionalId,
        today: NaiveDate,
    ) -> StoreResult<Option<MembershipRow>> {
        let d = date(&today);
        // The policy asks for the patient's consent right after the membership: both in
        // one statement, the consent kept for `get_consent` (see `SqliteTx::consent`).
        let row = query(
            "SELECT m.id AS member_id, m.organisation_id AS organisation_id, o.sector AS sector, \
             c.patient_id AS c_patient_id, c.rules AS c_rules, c.updated_at AS c_updated_at, c.version AS c_version \
             FROM (SELECT ? AS pid) q \
             LEFT JOIN consents c ON c.patient_id = q.pid \
             LEFT JOIN team_members m ON m.patient_id = q.pid AND m.professional_id = ? \
               AND m.active_from <= ? AND (m.active_to IS NULL OR m.active_to >= ?) \
             LEFT JOIN organisations o ON o.id = m.organisation_id LIMIT 1",
        )
        .bind(patient.to_string())
        .bind(professional.to_string())
        .bind(&d)
        .bind(&d)
        .fetch_one(&self.tx)?;
        let consent = match get::<Option<String>>(&row, "c_patient_id")? {
            Some(_) => Some(crate::consent::consent_from(
                patient,
                get(&row, "c_rules")?,
                get(&row, "c_updated_at")?,
                get(&row, "c_version")?,
            )?),
            None => None,
        };
        self.consent = Some((patient, consent));
        let Some(member_id) = get::<Option<String>>(&row, "member_id")? else {
            return Ok(None);
        };
        Ok(Some(MembershipRow {
            member_id: id(&member_id)?,
            organisation_id: opt_id(get(&row, "organisation_id")?)?,
            sector: get::<Option<String>>(&row, "sector")?
                .map(|s| Sector::parse("sector", &s).map_err(|_| corrupt("sector")))
                .transpose()?,
        }))
    }
}
