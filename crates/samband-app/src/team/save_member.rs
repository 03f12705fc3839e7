//! Adding or replacing a member of the care team (one versioned aggregate: exactly one
//! coordinator).

use super::Team;
use crate::kernel::versioned::parse_reason;
use crate::kernel::{Change, Versioned};
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::team::{validate_team, CareTeam, MemberInput, MemberKind};
use samband_domain::ValidationErrors;

impl Team<'_> {
    /// Adds a member (`member_id` None) or replaces one, if the team is still at
    /// `expected_version`. Making someone coordinator moves the role to them.
    pub async fn save_member(
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
        let team = self.team().load(&mut tx, patient).await?;
        let at = Versioned {
            patient,
            object: Object::Team,
            id: patient.to_string(),
            purpose,
        };
        let mut tx = self
            .check_version(tx, ctx, &at, &team, expected_version)
            .await?;
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
        // Ending a membership that holds open work goes through `end_membership`, which
        // names who takes it over: nothing is left with someone who is gone.
        if let Some(old) = team.member(id) {
            let today = self.today();
            let ends_now = member.active_to.is_some_and(|to| to < today)
                || (member.active_to.is_some() && old.active_to != member.active_to);
            if old.active_to.is_none_or(|to| to >= today) && ends_now {
                let account = match old.professional_id {
                    Some(p) => tx.account_for_professional(p).await?.map(|a| a.id),
                    None => None,
                };
                if !tx.open_items(patient, id, account).await?.is_empty() {
                    errs.add(
                        "active_to",
                        "has_open_items",
                        "this person still holds open work: end the membership and name a successor",
                    );
                }
            }
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
        let saved = tx.save_team(&next, expected_version).await;
        let (tx, version) = self
            .versioned_save(tx, ctx, &at, saved, move |tx| {
                Box::pin(async move { tx.get_team(patient).await?.ok_or(AppError::NotFound) })
            })
            .await?;
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
}
