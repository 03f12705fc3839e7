//! Use cases on one patient's record: registering a patient, the care team, and the
//! care plan (goals, actions, services, crisis plan, revision date), plus history.
//!
//! Each method authorizes through [`policy::decide`], reads or writes inside one
//! transaction, appends history for every change, audits every access and commits.

use crate::error::ConflictInfo;
use crate::paging::{self, Page, PageParams};
use crate::policy::{
    self, AccessFacts, Decision, DenyReason, Detail, Membership, Object, Operation, Purpose,
};
use crate::views::{MemberView, PatientOverview};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::consent::{Category, Consent};
use samband_domain::country::Country;
use samband_domain::ids::*;
use samband_domain::organisation::Sector;
use samband_domain::patient::{NewPatient, Patient, PatientInput};
use samband_domain::plan::*;
use samband_domain::principal::Subject;
use samband_domain::team::{validate_team, CareTeam, MemberInput, MemberKind, TeamMember};
use samband_domain::text::{self, LONG};
use samband_domain::ValidationErrors;
use samband_store::{AuditEntry, HistoryEntry, HistoryFilter, PageAt, StoreError, Tx};
use serde::Serialize;
use uuid::Uuid;

type TxBox = Box<dyn Tx>;

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

/// The policy facts about one principal and one patient, loaded once per transaction.
pub(crate) struct Facts {
    pub membership: Option<Membership>,
    pub consent: Consent,
    pub emergency: bool,
}

/// A reason given for a change ("patient asked", "after meeting 12 May").
fn parse_reason(reason: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(text::optional("reason", reason, LONG)?)
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl App {
    /// Loads what the policy needs about this principal and patient, once per
    /// transaction: membership (with its organisation and sector), the patient's
    /// consent, and an active emergency-access grant.
    pub(crate) async fn load_facts(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Facts, AppError> {
        let membership = match ctx.principal.subject {
            Subject::Professional(p) => {
                tx.active_membership(patient, p, self.today())
                    .await?
                    .map(|m| Membership {
                        member_id: m.member_id,
                        organisation: m.organisation_id,
                        sector: m.sector,
                    })
            }
            _ => None,
        };
        let consent = tx
            .get_consent(patient)
            .await?
            .unwrap_or_else(|| Consent::empty(patient));
        let emergency = match (ctx.principal.subject, membership) {
            (Subject::Professional(_), None) => tx
                .active_emergency(ctx.principal.account_id, patient, self.clock.now())
                .await?
                .is_some(),
            _ => false,
        };
        Ok(Facts {
            membership,
            consent,
            emergency,
        })
    }

    pub(crate) fn decide(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Decision {
        self.decide_in(ctx, patient, facts, op, object, object.category(), detail)
    }

    /// As [`Self::decide`] for an object that carries its own category (a thread).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide_in(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        category: Category,
        detail: Detail,
    ) -> Decision {
        let access = AccessFacts {
            principal: &ctx.principal,
            patient,
            membership: facts.membership,
            consent: &facts.consent,
            defaults: &self.config.consent_defaults,
            today: self.today(),
            emergency: facts.emergency,
        };
        policy::decide_in(&access, op, object, category, detail)
    }

    /// Asks the policy; on denial records the refusal, commits it and answers NotFound
    /// (a denial never reveals whether the patient exists).
    pub(crate) async fn authorize(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        self.authorize_with(tx, ctx, patient, &facts, op, object, detail)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn authorize_with(
        &self,
        tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        self.authorize_in(
            tx,
            ctx,
            patient,
            facts,
            op,
            object,
            object.category(),
            detail,
        )
        .await
    }

    /// As [`Self::authorize_with`] for an object that carries its own category.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn authorize_in(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        category: Category,
        detail: Detail,
    ) -> Result<(TxBox, Purpose), AppError> {
        match self.decide_in(ctx, patient, facts, op, object, category, detail) {
            Decision::Permit(purpose) => Ok((tx, purpose)),
            Decision::Deny(reason) => {
                tracing::info!(patient.id = %patient, ?reason, object = object.as_str(), "access denied");
                let entry = self.audit_entry(
                    ctx,
                    Some(patient),
                    object,
                    None,
                    "deny",
                    &format!("{reason:?}"),
                );
                tx.append_audit(&entry).await?;
                tx.commit().await?;
                // Only callers who may already see the record learn that it exists.
                Err(match reason {
                    // A team member refused one category still sees the record exists.
                    DenyReason::NoConsent if category != Category::PlanAndActions => {
                        AppError::Forbidden
                    }
                    DenyReason::ReadOnlyToken
                    | DenyReason::PatientMayNotEdit
                    | DenyReason::EmergencyReadOnly
                    | DenyReason::ConsentIsThePatients
                    | DenyReason::PatientOnly
                    | DenyReason::NotAddressed
                    // Reached only by those who may see the record (own, team, emergency).
                    | DenyReason::TeamProfessionalsOnly
                    | DenyReason::NotThePatient => AppError::Forbidden,
                    _ => AppError::NotFound,
                })
            }
        }
    }

    /// Asks the policy without recording a denial (for optional parts of a page).
    pub(crate) fn permits(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        facts: &Facts,
        op: Operation,
        object: Object,
        detail: Detail,
    ) -> Option<Purpose> {
        match self.decide(ctx, patient, facts, op, object, detail) {
            Decision::Permit(p) => Some(p),
            Decision::Deny(_) => None,
        }
    }

    fn audit_entry(
        &self,
        ctx: &Ctx,
        patient: Option<PatientId>,
        object: Object,
        object_id: Option<String>,
        action: &str,
        purpose: &str,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: patient,
            object_type: object.as_str().into(),
            object_id,
            action: action.into(),
            purpose: purpose.into(),
            request_id: ctx.request_id.clone(),
        }
    }

    /// [`crate::policy::decide_unbound`] for `ctx`, with a denial audited.
    pub(crate) async fn authorize_unbound(
        &self,
        ctx: &Ctx,
        op: Operation,
    ) -> Result<Purpose, AppError> {
        match crate::policy::decide_unbound(&ctx.principal, op) {
            Decision::Permit(p) => Ok(p),
            Decision::Deny(reason) => {
                let entry = self.audit_entry(
                    ctx,
                    None,
                    Object::Patient,
                    None,
                    "deny",
                    &format!("{reason:?}"),
                );
                let mut tx = self.store.begin_read().await?;
                tx.append_audit(&entry).await?;
                tx.commit().await?;
                Err(AppError::Forbidden)
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site shape: who, whose, what, how, why
    pub(crate) async fn audit(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        object_id: Option<String>,
        op: Operation,
        purpose: Purpose,
    ) -> Result<(), AppError> {
        let e = self.audit_entry(
            ctx,
            Some(patient),
            object,
            object_id,
            op.as_str(),
            purpose.as_str(),
        );
        tx.append_audit(&e).await?;
        Ok(())
    }

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

    /// Builds the 409 answer: the current state and who changed it last. The current
    /// state is patient data leaving the system, so it is audited as a read.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn conflict<T: Serialize>(
        &self,
        mut tx: TxBox,
        ctx: &Ctx,
        patient: PatientId,
        object: Object,
        object_id: String,
        current: &T,
        current_version: i64,
        purpose: Purpose,
    ) -> AppError {
        let last = tx
            .list_history(
                patient,
                &HistoryFilter {
                    object_id: Some(&object_id),
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
                patient,
                object,
                Some(object_id.clone()),
                Operation::Read,
                purpose,
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
            current_version,
            current: to_json(current),
            changed_by: last.as_ref().map(|h| h.actor_name.clone()),
            changed_at: last.map(|h| h.at),
        }))
    }

    async fn load_team(&self, tx: &mut TxBox, patient: PatientId) -> Result<CareTeam, AppError> {
        tx.get_team(patient).await?.ok_or(AppError::NotFound)
    }

    // ---- lists and reads ------------------------------------------------------------

    /// One page of the signed-in professional's patients (those whose team they are
    /// active on), by name, with how many there are in all.
    pub async fn my_patients(
        &self,
        ctx: &Ctx,
        page: &PageParams,
    ) -> Result<Page<crate::views::CaseloadItem>, AppError> {
        let req = paging::parse::<String>("caseload", page)?;
        let Subject::Professional(pro) = ctx.principal.subject else {
            return Ok(req.page(Vec::new(), None, 0));
        };
        self.authorize_unbound(ctx, Operation::List).await?;
        let mut tx = self.store.begin_read().await?;
        let today = self.today();
        let rows = tx.caseload(pro, today, &req.probe()).await?;
        let (rows, next) = req.cut(rows, |r| (r.patient.name.clone(), r.patient.id.as_uuid()));
        // Every active member may know whose record it is (the policy's rule for
        // listing), so the count of active memberships is the count of the list.
        let total = tx.count_caseload(pro, today).await?;
        // The caseload query already restricts to active membership; each row is still
        // put to the policy so a rule added there (consent) applies to lists too.
        let mut allowed = Vec::with_capacity(rows.len());
        for row in rows {
            let consent = tx
                .get_consent(row.patient.id)
                .await?
                .unwrap_or_else(|| Consent::empty(row.patient.id));
            let membership = Membership {
                member_id: row.member_id,
                organisation: row.my_organisation,
                sector: row.my_sector,
            };
            let facts = Facts {
                membership: Some(membership),
                consent,
                emergency: false,
            };
            if let Decision::Permit(purpose) = self.decide(
                ctx,
                row.patient.id,
                &facts,
                Operation::List,
                Object::Patient,
                Detail::None,
            ) {
                self.audit(
                    &mut tx,
                    ctx,
                    row.patient.id,
                    Object::Patient,
                    None,
                    Operation::List,
                    purpose,
                )
                .await?;
                // The action counts are plan information: withheld with the plan.
                let mut row = row;
                if self
                    .permits(
                        ctx,
                        row.patient.id,
                        &facts,
                        Operation::List,
                        Object::Action,
                        Detail::None,
                    )
                    .is_none()
                {
                    row.open_actions = 0;
                    row.overdue_actions = 0;
                }
                allowed.push(row);
            }
        }
        tx.commit().await?;
        Ok(req.page(allowed, next, total).map(Into::into))
    }

    pub async fn overview(
        &self,
        ctx: &Ctx,
        patient_id: PatientId,
    ) -> Result<PatientOverview, AppError> {
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient_id).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient_id,
                &facts,
                Operation::Read,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let patient = tx
            .get_patient(patient_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The plan, the team and who does what are one category; a member refused it
        // by consent still sees whose record this is, and what else they may see.
        let plan_visible = self
            .permits(
                ctx,
                patient_id,
                &facts,
                Operation::Read,
                Object::Action,
                Detail::None,
            )
            .is_some();
        let mut team = self.load_team(&mut tx, patient_id).await?;
        // Worked out before consent may empty the team: where the patient lives is what
        // a crisis page needs, whatever else is withheld.
        // One query for every member's directory details, shared by both uses.
        let contacts = if plan_visible || patient.national_id.is_none() {
            tx.member_contacts(patient_id).await?
        } else {
            Vec::new()
        };
        let country = self.country_from(&patient, &team, &contacts);
        let empty_plan = PlanHeader {
            patient_id,
            revision_date: None,
            version: 0,
        };
        let (members, plan, goals, actions, services) = if plan_visible {
            (
                self.member_views_from(&patient, &team, &contacts),
                tx.get_plan_header(patient_id).await?.unwrap_or(empty_plan),
                tx.list_goals(patient_id).await?,
                tx.list_actions(patient_id).await?,
                tx.list_services(patient_id).await?,
            )
        } else {
            team.members.clear();
            (Vec::new(), empty_plan, Vec::new(), Vec::new(), Vec::new())
        };
        let crisis_allowed = self.permits(
            ctx,
            patient_id,
            &facts,
            Operation::Read,
            Object::CrisisPlan,
            Detail::None,
        );
        let crisis_plan = if crisis_allowed.is_some() {
            Some(
                tx.get_crisis_plan(patient_id)
                    .await?
                    .unwrap_or_else(|| CrisisPlan::empty(patient_id)),
            )
        } else {
            None
        };
        let can_edit_plan = self
            .permits(
                ctx,
                patient_id,
                &facts,
                Operation::Update,
                Object::Action,
                Detail::None,
            )
            .is_some();
        self.audit(
            &mut tx,
            ctx,
            patient_id,
            Object::Patient,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        if let Some(p) = crisis_allowed {
            self.audit(
                &mut tx,
                ctx,
                patient_id,
                Object::CrisisPlan,
                None,
                Operation::Read,
                p,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PatientOverview {
            patient,
            team,
            members,
            plan,
            goals,
            actions,
            services,
            crisis_plan,
            today: self.today(),
            can_edit_plan,
            plan_visible,
            purpose,
            country,
            emergency_numbers: country.emergency_numbers().to_vec(),
        })
    }

    /// Where the patient lives, for the emergency numbers they are shown: the country
    /// that issued their national identifier; without one, where their team works (the
    /// coordinator's organisation first, then the other active members' in team order);
    /// failing that, the deployment's country. Never the reader's language.
    pub(crate) async fn country_of(
        &self,
        tx: &mut TxBox,
        patient: &Patient,
        team: &CareTeam,
    ) -> Result<Country, AppError> {
        if let Some(id) = &patient.national_id {
            return Ok(id.country());
        }
        let contacts = tx.member_contacts(patient.id).await?;
        Ok(self.country_from(patient, team, &contacts))
    }

    /// [`Self::country_of`] from directory details already read.
    pub(crate) fn country_from(
        &self,
        patient: &Patient,
        team: &CareTeam,
        contacts: &[samband_store::MemberContact],
    ) -> Country {
        if let Some(id) = &patient.national_id {
            return id.country();
        }
        let today = self.today();
        let mut active: Vec<&TeamMember> = team
            .members
            .iter()
            .filter(|m| m.is_active_on(today))
            .collect();
        active.sort_by_key(|m| !m.is_coordinator);
        let from_team = active.iter().find_map(|m| {
            contacts
                .iter()
                .find(|c| c.member_id == m.id)
                .and_then(|c| c.organisation.as_ref())
                .and_then(|o| o.country)
        });
        from_team.unwrap_or(self.config.default_country)
    }

    /// [`Self::country_of`] for a page that shows emergency numbers without the rest
    /// of the overview (the patient's messages). Read access to the patient is needed.
    pub async fn patient_country(
        &self,
        ctx: &Ctx,
        patient_id: PatientId,
    ) -> Result<Country, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient_id,
                Operation::Read,
                Object::Patient,
                Detail::None,
            )
            .await?;
        let patient = tx
            .get_patient(patient_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let team = self.load_team(&mut tx, patient_id).await?;
        let country = self.country_of(&mut tx, &patient, &team).await?;
        self.audit(
            &mut tx,
            ctx,
            patient_id,
            Object::Patient,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(country)
    }

    pub(crate) async fn member_views(
        &self,
        tx: &mut TxBox,
        patient: &Patient,
        team: &CareTeam,
    ) -> Result<Vec<MemberView>, AppError> {
        // One query for every member's name, contact and organisation.
        let contacts = tx.member_contacts(patient.id).await?;
        Ok(self.member_views_from(patient, team, &contacts))
    }

    /// [`Self::member_views`] from directory details already read.
    pub(crate) fn member_views_from(
        &self,
        patient: &Patient,
        team: &CareTeam,
        contacts: &[samband_store::MemberContact],
    ) -> Vec<MemberView> {
        let today = self.today();
        let mut out = Vec::with_capacity(team.members.len());
        for m in &team.members {
            let c = contacts.iter().find(|c| c.member_id == m.id);
            let display_name = match m.kind {
                MemberKind::Professional => c
                    .and_then(|c| c.professional_name.clone())
                    .unwrap_or_default(),
                MemberKind::Patient => patient.name.clone(),
                MemberKind::Proxy => m.name.clone().unwrap_or_default(),
            };
            out.push(MemberView {
                member: m.clone(),
                display_name,
                title: c.and_then(|c| c.title.clone()),
                organisation: c.and_then(|c| c.organisation.clone()),
                phone: m.phone.clone().or_else(|| c.and_then(|c| c.phone.clone())),
                email: c.and_then(|c| c.email.clone()),
                availability: c.and_then(|c| c.availability.clone()),
                active: m.is_active_on(today),
            });
        }
        out
    }

    /// One page of the patient's change history, newest first: only entries about
    /// objects the reader may read now (consent may have narrowed since), decided by
    /// the policy per object type and filtered in the store, so the count agrees.
    pub async fn history(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        object_id: Option<&str>,
        page: &PageParams,
    ) -> Result<Page<crate::views::HistoryItem>, AppError> {
        let req = paging::parse::<DateTime<Utc>>("history", page)?;
        let mut tx = self.store.begin_read().await?;
        let facts = self.load_facts(&mut tx, ctx, patient).await?;
        let (mut tx, purpose) = self
            .authorize_with(
                tx,
                ctx,
                patient,
                &facts,
                Operation::Read,
                Object::History,
                Detail::None,
            )
            .await?;
        let readable: Vec<&str> = Object::ALL
            .iter()
            .filter(|o| {
                self.permits(ctx, patient, &facts, Operation::Read, **o, Detail::None)
                    .is_some()
            })
            .map(|o| o.as_str())
            .collect();
        let filter = HistoryFilter {
            object_id,
            object_types: Some(&readable),
        };
        let rows = tx.list_history(patient, &filter, &req.probe()).await?;
        let (entries, next) = req.cut(rows, |h| (h.at, h.id));
        let total = tx.count_history(patient, &filter).await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::History,
            object_id.map(str::to_owned),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(req.page(entries, next, total).map(Into::into))
    }

    // ---- registering a patient ------------------------------------------------------

    /// A professional registers a patient; they become the team's first member and its
    /// coordinator, with the responsibility they state.
    pub async fn register_patient(
        &self,
        ctx: &Ctx,
        input: PatientInput<'_>,
        role: &str,
        responsibility: &str,
    ) -> Result<PatientId, AppError> {
        self.authorize_unbound(ctx, Operation::Create).await?;
        let Subject::Professional(pro_id) = ctx.principal.subject else {
            return Err(AppError::Forbidden);
        };
        let today = self.today();
        let mut errs = ValidationErrors::new();
        let new = errs.take(NewPatient::parse(input, today));
        let role = errs.take(text::required("my_role", role, text::SHORT));
        let responsibility = errs.take(text::required("my_responsibility", responsibility, LONG));
        errs.into_result()?;
        let (Some(new), Some(role), Some(responsibility)) = (new, role, responsibility) else {
            return Err(AppError::Internal("validated input missing".into()));
        };
        let mut tx = self.store.begin().await?;
        let pro = tx
            .get_professional(pro_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let patient = Patient {
            id: PatientId::new(),
            name: new.name,
            birth_date: new.birth_date,
            national_id: new.national_id,
            preferred_contact: new.preferred_contact,
            phone: new.phone,
            email: new.email,
            version: 1,
        };
        tx.insert_patient(&patient).await?;
        let team = CareTeam {
            patient_id: patient.id,
            members: vec![TeamMember {
                id: MemberId::new(),
                kind: MemberKind::Professional,
                professional_id: Some(pro.id),
                name: None,
                organisation_id: pro.organisation_ids.first().copied(),
                role,
                responsibility,
                phone: None,
                is_coordinator: true,
                active_from: today,
                active_to: None,
            }],
            version: 1,
        };
        tx.save_team(&team, 0).await?;
        let header = PlanHeader {
            patient_id: patient.id,
            revision_date: None,
            version: 1,
        };
        tx.save_plan_header(&header, 0).await?;
        self.record_change(
            &mut tx,
            ctx,
            patient.id,
            Object::Patient,
            patient.id.to_string(),
            1,
            None::<&Patient>,
            &patient,
            None,
        )
        .await?;
        self.record_change(
            &mut tx,
            ctx,
            patient.id,
            Object::Team,
            patient.id.to_string(),
            1,
            None::<&CareTeam>,
            &team,
            None,
        )
        .await?;
        self.audit(
            &mut tx,
            ctx,
            patient.id,
            Object::Patient,
            Some(patient.id.to_string()),
            Operation::Create,
            Purpose::Care,
        )
        .await?;
        tx.commit().await?;
        Ok(patient.id)
    }

    // ---- care team ------------------------------------------------------------------

    /// Adds a member (`member_id` None) or replaces one, if the team is still at
    /// `expected_version`. Making someone coordinator moves the role to them.
    pub async fn save_team_member(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        member_id: Option<MemberId>,
        input: &MemberInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<CareTeam, AppError> {
        let reason = parse_reason(reason)?;
        let op = if member_id.is_some() {
            Operation::Update
        } else {
            Operation::Create
        };
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, op, Object::Team, Detail::None)
            .await?;
        let team = self.load_team(&mut tx, patient).await?;
        if team.version != expected_version {
            let v = team.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::Team,
                    patient.to_string(),
                    &team,
                    v,
                    purpose,
                )
                .await);
        }
        let id = member_id.unwrap_or_default();
        if member_id.is_some() && team.member(id).is_none() {
            return Err(AppError::NotFound);
        }
        let member = input.parse(id, "", self.today())?;
        let mut errs = ValidationErrors::new();
        if let Some(pid) = member.professional_id {
            match tx.get_professional(pid).await? {
                None => errs.add("professional_id", "unknown", "no such professional"),
                Some(p) => {
                    if let Some(org) = member.organisation_id {
                        if !p.organisation_ids.contains(&org) {
                            errs.add(
                                "organisation_id",
                                "not_member",
                                "the professional does not work in this organisation",
                            );
                        }
                    }
                }
            }
        }
        if let Some(org) = member.organisation_id {
            if tx.get_organisation(org).await?.is_none() {
                errs.add("organisation_id", "unknown", "no such organisation");
            }
        }
        if member.kind == MemberKind::Patient && member.organisation_id.is_some() {
            errs.add(
                "organisation_id",
                "not_allowed",
                "the patient does not represent an organisation",
            );
        }
        errs.into_result()?;
        let mut next = team.clone();
        let mut member = member;
        if member.professional_id.is_some() && member.organisation_id.is_none() {
            if let Some(p) = tx
                .get_professional(member.professional_id.unwrap_or_default())
                .await?
            {
                member.organisation_id = p.organisation_ids.first().copied();
            }
        }
        if member.is_coordinator {
            for m in &mut next.members {
                m.is_coordinator = false;
            }
        }
        match next.members.iter_mut().find(|m| m.id == id) {
            Some(slot) => *slot = member,
            None => next.members.push(member),
        }
        validate_team(&next.members, self.today())?;
        let version = match tx.save_team(&next, expected_version).await {
            Ok(v) => v,
            Err(StoreError::Conflict(_)) => {
                let current = self.load_team(&mut tx, patient).await?;
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::Team,
                        patient.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        };
        next.version = version;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Team,
                id: patient.to_string(),
                version,
                old: Some(&team),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    // ---- actions --------------------------------------------------------------------

    pub async fn add_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &ActionInput,
    ) -> Result<Action, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Action,
                Detail::None,
            )
            .await?;
        let team = self.load_team(&mut tx, patient).await?;
        // Only the goal the action names is needed to check it belongs to this plan.
        let goals = match input.goal_id {
            Some(g) => tx.get_goal(patient, g).await?.into_iter().collect(),
            None => Vec::new(),
        };
        let today = self.today();
        let f = input.parse(&team, &goals, today, today)?;
        let sector = self.action_sector(&mut tx, &team, &f).await?;
        let action = Action {
            id: ActionId::new(),
            patient_id: patient,
            title: f.title,
            owner_member_id: f.owner_member_id,
            sector,
            due_date: f.due_date,
            status: f.status,
            goal_id: f.goal_id,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_action(&action).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Action,
                id: action.id.to_string(),
                version: 1,
                old: None::<&Action>,
                new: &action,
                reason: None,
                audit_id: Some(action.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(action)
    }

    async fn action_sector(
        &self,
        tx: &mut TxBox,
        team: &CareTeam,
        f: &ActionFields,
    ) -> Result<Sector, AppError> {
        if let Some(s) = f.sector {
            return Ok(s);
        }
        let org = team
            .member(f.owner_member_id)
            .and_then(|m| m.organisation_id);
        Ok(match org {
            Some(o) => tx
                .get_organisation(o)
                .await?
                .map(|o| o.sector)
                .unwrap_or(Sector::Other),
            None => Sector::Other,
        })
    }

    pub async fn get_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ActionId,
    ) -> Result<Action, AppError> {
        let tx = self.store.begin_read().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Read,
                Object::Action,
                Detail::None,
            )
            .await?;
        let action = tx
            .get_action(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::Action,
            Some(id.to_string()),
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(action)
    }

    pub async fn update_action(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ActionId,
        input: &ActionInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Action, AppError> {
        let reason = parse_reason(reason)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Action,
                Detail::None,
            )
            .await?;
        let old = tx
            .get_action(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if old.version != expected_version {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::Action,
                    id.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        let team = self.load_team(&mut tx, patient).await?;
        // Only the goal the action names is needed to check it belongs to this plan.
        let goals = match input.goal_id {
            Some(g) => tx.get_goal(patient, g).await?.into_iter().collect(),
            None => Vec::new(),
        };
        let created = old
            .created_at
            .with_timezone(&self.config.time_zone)
            .date_naive();
        // An existing action may keep an owner who has since left the team.
        let mut check_team = team.clone();
        if input.owner_member_id == Some(old.owner_member_id) {
            for m in &mut check_team.members {
                if m.id == old.owner_member_id {
                    m.active_to = None;
                    m.active_from = m.active_from.min(self.today());
                }
            }
        }
        let f = input.parse(&check_team, &goals, self.today(), created)?;
        let sector = match f.sector {
            Some(s) => s,
            None if f.owner_member_id == old.owner_member_id => old.sector,
            None => self.action_sector(&mut tx, &team, &f).await?,
        };
        let mut next = Action {
            title: f.title,
            owner_member_id: f.owner_member_id,
            sector,
            due_date: f.due_date,
            status: f.status,
            goal_id: f.goal_id,
            ..old.clone()
        };
        match tx.update_action(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = tx
                    .get_action(patient, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::Action,
                        id.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Action,
                id: id.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    // ---- goals ----------------------------------------------------------------------

    fn goal_detail(&self, ctx: &Ctx, input: &GoalInput) -> Detail {
        let patient_goal = input
            .author
            .as_deref()
            .is_none_or(|a| a.trim().is_empty() || a.trim() == "patient");
        if patient_goal && matches!(ctx.principal.subject, Subject::Patient(_)) {
            Detail::PatientOwnGoal
        } else {
            Detail::None
        }
    }

    pub async fn add_goal(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &GoalInput,
    ) -> Result<Goal, AppError> {
        let detail = self.goal_detail(ctx, input);
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Create, Object::Goal, detail)
            .await?;
        let team = self.load_team(&mut tx, patient).await?;
        let f = input.parse(&team, self.today())?;
        let goal = Goal {
            id: GoalId::new(),
            patient_id: patient,
            author: f.author,
            owner_member_id: f.owner_member_id,
            text: f.text,
            achieved: f.achieved,
            created_at: self.clock.now(),
            version: 1,
        };
        tx.insert_goal(&goal).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Goal,
                id: goal.id.to_string(),
                version: 1,
                old: None::<&Goal>,
                new: &goal,
                reason: None,
                audit_id: Some(goal.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(goal)
    }

    pub async fn update_goal(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: GoalId,
        input: &GoalInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Goal, AppError> {
        let reason = parse_reason(reason)?;
        // Decide on the stored goal: a patient may edit goals in their own words only.
        let mut tx = self.store.begin().await?;
        let stored = tx.get_goal(patient, id).await?;
        let detail = match (&stored, ctx.principal.subject) {
            (Some(g), Subject::Patient(_)) if g.author == GoalAuthor::Patient => {
                self.goal_detail(ctx, input)
            }
            _ => Detail::None,
        };
        let (mut tx, purpose) = self
            .authorize(tx, ctx, patient, Operation::Update, Object::Goal, detail)
            .await?;
        // Read once, in this transaction, before deciding: the same goal is updated.
        let old = stored.ok_or(AppError::NotFound)?;
        if old.version != expected_version {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::Goal,
                    id.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        let team = self.load_team(&mut tx, patient).await?;
        let f = input.parse(&team, self.today())?;
        let mut next = Goal {
            author: f.author,
            owner_member_id: f.owner_member_id,
            text: f.text,
            achieved: f.achieved,
            ..old.clone()
        };
        match tx.update_goal(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = tx.get_goal(patient, id).await?.ok_or(AppError::NotFound)?;
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::Goal,
                        id.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Goal,
                id: id.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    // ---- services -------------------------------------------------------------------

    pub async fn add_service(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &ServiceInput,
    ) -> Result<Service, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::Service,
                Detail::None,
            )
            .await?;
        let (what, provider, frequency) = input.parse()?;
        let s = Service {
            id: ServiceId::new(),
            patient_id: patient,
            what,
            provider,
            frequency,
            version: 1,
        };
        tx.insert_service(&s).await?;
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Service,
                id: s.id.to_string(),
                version: 1,
                old: None::<&Service>,
                new: &s,
                reason: None,
                audit_id: Some(s.id.to_string()),
                op: Operation::Create,
                purpose,
            },
        )
        .await?;
        Ok(s)
    }

    pub async fn update_service(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: ServiceId,
        input: &ServiceInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<Service, AppError> {
        let reason = parse_reason(reason)?;
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::Service,
                Detail::None,
            )
            .await?;
        let old = tx
            .get_service(patient, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if old.version != expected_version {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::Service,
                    id.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        let (what, provider, frequency) = input.parse()?;
        let mut next = Service {
            what,
            provider,
            frequency,
            ..old.clone()
        };
        match tx.update_service(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = tx
                    .get_service(patient, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::Service,
                        id.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::Service,
                id: id.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: Some(id.to_string()),
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    // ---- crisis plan and revision date ------------------------------------------------

    pub async fn update_crisis_plan(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        input: &CrisisPlanInput,
        expected_version: i64,
        reason: Option<&str>,
    ) -> Result<CrisisPlan, AppError> {
        let reason = parse_reason(reason)?;
        let mut tx = self.store.begin().await?;
        let stored = tx
            .get_crisis_plan(patient)
            .await?
            .unwrap_or_else(|| CrisisPlan::empty(patient));
        let detail = if input.touches_only_what_helps(&stored) {
            Detail::CrisisWhatHelps
        } else {
            Detail::None
        };
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::CrisisPlan,
                detail,
            )
            .await?;
        let old = stored;
        if old.version != expected_version {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::CrisisPlan,
                    patient.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        let mut next = input.apply(&old)?;
        next.updated_at = Some(self.clock.now());
        match tx.save_crisis_plan(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = tx
                    .get_crisis_plan(patient)
                    .await?
                    .unwrap_or_else(|| CrisisPlan::empty(patient));
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::CrisisPlan,
                        patient.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::CrisisPlan,
                id: patient.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason,
                audit_id: None,
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }

    pub async fn set_revision_date(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        raw_date: &str,
        expected_version: i64,
    ) -> Result<PlanHeader, AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::PlanHeader,
                Detail::None,
            )
            .await?;
        let date = match raw_date.trim() {
            "" => None,
            raw => Some(text::date(
                "revision_date",
                raw,
                text::DateWindow::planning(self.today()),
            )?),
        };
        if date.is_some_and(|d| d < self.today()) {
            return Err(ValidationErrors::single(
                "revision_date",
                "in_past",
                "cannot be in the past",
            )
            .into());
        }
        let old = tx.get_plan_header(patient).await?.unwrap_or(PlanHeader {
            patient_id: patient,
            revision_date: None,
            version: 0,
        });
        if old.version != expected_version {
            let v = old.version;
            return Err(self
                .conflict(
                    tx,
                    ctx,
                    patient,
                    Object::PlanHeader,
                    patient.to_string(),
                    &old,
                    v,
                    purpose,
                )
                .await);
        }
        let mut next = PlanHeader {
            revision_date: date,
            ..old.clone()
        };
        match tx.save_plan_header(&next, expected_version).await {
            Ok(v) => next.version = v,
            Err(StoreError::Conflict(_)) => {
                let current = tx.get_plan_header(patient).await?.unwrap_or(old.clone());
                let v = current.version;
                return Err(self
                    .conflict(
                        tx,
                        ctx,
                        patient,
                        Object::PlanHeader,
                        patient.to_string(),
                        &current,
                        v,
                        purpose,
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.commit_change(
            tx,
            ctx,
            patient,
            Change {
                object: Object::PlanHeader,
                id: patient.to_string(),
                version: next.version,
                old: Some(&old),
                new: &next,
                reason: None,
                audit_id: None,
                op: Operation::Update,
                purpose,
            },
        )
        .await?;
        Ok(next)
    }
}
