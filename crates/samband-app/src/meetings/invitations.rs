//! Invitations: inviting a team member, the patient or a guest; the calendar e-mails
//! and links; each participant's reply and what they want to raise.

use super::Meetings;
use crate::jobs::{self, OutgoingEmail};
use crate::kernel::TxBox;
use crate::notify::Notice;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_domain::meeting::*;
use samband_domain::team::MemberKind;
use samband_domain::ValidationErrors;
use samband_store::{Job, StoreError};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// A team member to invite.
    #[serde(default)]
    pub member_id: Option<MemberId>,
    /// Invite the patient.
    #[serde(default)]
    pub patient: bool,
    /// Or an external guest.
    #[serde(default)]
    pub guest: Option<GuestInput>,
}

fn already_invited(field: &str) -> AppError {
    ValidationErrors::single(field, "already_invited", "already invited to this meeting").into()
}

impl Meetings<'_> {
    /// Invites a team member, the patient or an external guest. Inviting someone twice
    /// is refused. Returns the guest's link token once (only its hash is kept); it
    /// debug-prints as `[redacted]`.
    pub async fn invite(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        input: &InviteInput,
    ) -> Result<(Participant, Option<samband_store::Secret>), AppError> {
        let guest = match &input.guest {
            Some(g) => Some(check_guest(g).map_err(|e| e.nested_in("guest"))?),
            None => None,
        };
        let (mut tx, m, purpose) = self
            .open_meeting_for(ctx, id, Operation::Update, Detail::Planning)
            .await?;
        let today = self.today();
        let mut p = Participant {
            id: ParticipantId::new(),
            meeting_id: id,
            kind: ParticipantKind::Member,
            member_id: None,
            account_id: None,
            name: String::new(),
            organisation: None,
            email: None,
            reply: Reply::Pending,
            raise: None,
            pre_reads_read_at: None,
            version: 1,
        };
        let mut token = None;
        if let Some((name, org, email)) = guest {
            p.kind = ParticipantKind::Guest;
            p.name = name;
            p.organisation = org;
            p.email = Some(email);
            let secret = crate::auth::random_token();
            token = Some(secret);
        } else if input.patient {
            let patient = tx
                .get_patient(m.patient_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let account = tx
                .accounts_for_patient(m.patient_id)
                .await?
                .into_iter()
                .find(|a| a.role == samband_domain::principal::AccountRole::Patient);
            p.kind = ParticipantKind::Patient;
            p.name = patient.name;
            p.email = patient.email;
            p.account_id = account.map(|a| a.id);
            if tx
                .list_participants(id)
                .await?
                .iter()
                .any(|x| x.kind == ParticipantKind::Patient)
            {
                return Err(already_invited("patient"));
            }
        } else {
            let Some(member_id) = input.member_id else {
                return Err(ValidationErrors::single(
                    "member_id",
                    "required",
                    "choose whom to invite",
                )
                .into());
            };
            let team = tx.get_team(m.patient_id).await?.ok_or(AppError::NotFound)?;
            let member = team
                .active_members(today)
                .find(|x| x.id == member_id && x.kind == MemberKind::Professional)
                .cloned()
                .ok_or_else(|| {
                    AppError::from(ValidationErrors::single(
                        "member_id",
                        "not_on_team",
                        "only active members of the care team can be invited this way; invite others as guests",
                    ))
                })?;
            let pro = match member.professional_id {
                Some(pid) => tx.get_professional(pid).await?,
                None => None,
            };
            let account = match member.professional_id {
                Some(pid) => tx.account_for_professional(pid).await?,
                None => None,
            };
            p.member_id = Some(member.id);
            p.name = pro
                .as_ref()
                .map(|x| x.name.clone())
                .unwrap_or(member.role.clone());
            p.email = pro.and_then(|x| x.email);
            p.account_id = account.map(|a| a.id);
        }
        match tx.insert_participant(&p).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                let field = if p.kind == ParticipantKind::Guest {
                    "guest.email"
                } else {
                    "member_id"
                };
                return Err(already_invited(field));
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(secret) = &token {
            tx.set_guest_token(p.id, &crate::auth::sha256_hex(secret))
                .await?;
        }
        let told = self
            .send_invitations(&mut tx, ctx, &m, Some(p.id), "meeting_invite")
            .await?;
        // The link goes to the guest by e-mail, and to the organiser once, to pass on.
        if let (Some(secret), Some(email)) = (&token, &p.email) {
            self.queue_guest_link(&mut tx, &m, &p, email, secret)
                .await?;
        }
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(p.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.after_commit(told);
        Ok((p, token.map(samband_store::Secret::from)))
    }

    /// Sends (or re-sends) the calendar invitation to each participant (`only`: one),
    /// with in-app notices for those with accounts. Returns the accounts told.
    pub(crate) async fn send_invitations(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        m: &Meeting,
        only: Option<ParticipantId>,
        kind: &str,
    ) -> Result<Vec<AccountId>, AppError> {
        let participants = tx.list_participants(m.id).await?;
        let agenda = tx.list_agenda(m.id).await?;
        let mut told = Vec::new();
        for p in participants
            .iter()
            .filter(|p| only.is_none_or(|o| o == p.id))
        {
            if let Some(account) = p.account_id {
                if account != ctx.principal.account_id {
                    self.notifications()
                        .notify(
                            tx,
                            Notice {
                                account,
                                patient: Some(m.patient_id),
                                kind,
                                thread: None,
                                actor: Some(&ctx.principal.display_name),
                                detail: None,
                                unread: true,
                            },
                        )
                        .await?;
                    told.push(account);
                }
            }
            if let (Some(email), Some(mail)) = (&p.email, &self.config.mail) {
                let ics = self.calendar_for(m, p, &participants, &agenda, &mail.message_id_domain);
                let cancel = m.status == MeetingStatus::Cancelled;
                let subject = if cancel {
                    "Samband: a meeting is cancelled".to_owned()
                } else {
                    "Samband: meeting invitation".to_owned()
                };
                let text = format!(
                    "{}\n\nThe calendar invitation is attached. Details are in Samband: {}/meetings/{}\n\nThis e-mail contains no health information.",
                    if cancel { "A meeting you were invited to is cancelled." } else { "You are invited to a meeting, or it has changed." },
                    mail.public_url.trim_end_matches('/'),
                    m.id
                );
                self.queue_raw_email(
                    tx,
                    email,
                    subject,
                    text,
                    Some((ics, if cancel { "CANCEL" } else { "REQUEST" })),
                )
                .await?;
            }
        }
        Ok(told)
    }

    pub(crate) async fn queue_guest_link(
        &self,
        tx: &mut TxBox,
        m: &Meeting,
        _p: &Participant,
        email: &str,
        secret: &str,
    ) -> Result<(), AppError> {
        let Some(mail) = &self.config.mail else {
            return Ok(());
        };
        let text = format!(
            "{} has invited you to a meeting.\n\nYour page for the meeting (time, place and the parts you are asked to join): {}/guest/{secret}\n\nKeep this link to yourself: it opens your part of the meeting.",
            m.organiser_name,
            mail.public_url.trim_end_matches('/'),
        );
        self.queue_raw_email(tx, email, "Samband: your meeting link".into(), text, None)
            .await
    }

    /// Queues one e-mail as given (guests have no account or language setting).
    pub(crate) async fn queue_raw_email(
        &self,
        tx: &mut TxBox,
        to: &str,
        subject: String,
        text: String,
        calendar: Option<(String, &str)>,
    ) -> Result<(), AppError> {
        let Some(mail) = &self.config.mail else {
            return Ok(());
        };
        let job_id = JobId::new();
        let email = OutgoingEmail {
            to: to.to_owned(),
            subject,
            text,
            message_id: format!("<{job_id}@{}>", mail.message_id_domain),
            calendar_method: calendar.as_ref().map(|c| c.1.to_owned()),
            date: Some(self.clock.now()),
            calendar: calendar.map(|c| c.0),
        };
        let mut job = Job::new(
            jobs::EMAIL,
            serde_json::to_value(&email).unwrap_or_default(),
            self.clock.now(),
            self.clock.now(),
        );
        job.id = job_id;
        self.enqueue(tx, job).await?;
        Ok(())
    }

    /// The reader replies to their invitation.
    pub async fn reply_to_invitation(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        reply: &str,
    ) -> Result<(), AppError> {
        let reply = Reply::parse("reply", reply)?;
        if reply == Reply::Pending {
            return Err(ValidationErrors::single(
                "reply",
                "bad_choice",
                "must be one of: accepted, declined, tentative",
            )
            .into());
        }
        self.update_own_participant(ctx, id, |p| p.reply = reply)
            .await
    }

    /// "What I want to raise", before the meeting (the patient too).
    pub async fn set_raise(&self, ctx: &Ctx, id: MeetingId, text: &str) -> Result<(), AppError> {
        let text = samband_domain::text::optional("raise", Some(text), samband_domain::text::LONG)?;
        self.update_own_participant(ctx, id, move |p| p.raise = text.clone())
            .await
    }

    pub(crate) async fn update_own_participant(
        &self,
        ctx: &Ctx,
        id: MeetingId,
        change: impl Fn(&mut Participant),
    ) -> Result<(), AppError> {
        let (mut tx, m, purpose) = self.open_meeting(ctx, id, Operation::Update).await?;
        // The row is the person's own; another of their writes (a reply from another
        // tab, the pre-reads marked read) may land first: re-read and apply again.
        let mut attempts = 0;
        let me = loop {
            let me = tx
                .list_participants(id)
                .await?
                .into_iter()
                .find(|p| p.account_id == Some(ctx.principal.account_id))
                .ok_or(AppError::Forbidden)?;
            let mut next = me.clone();
            change(&mut next);
            match tx.update_participant(&next, me.version).await {
                Ok(_) => break me,
                Err(StoreError::Conflict(_)) if attempts < 3 => attempts += 1,
                Err(e) => return Err(e.into()),
            }
        };
        self.audit(
            &mut tx,
            ctx,
            m.patient_id,
            Object::Meeting,
            Some(me.id.to_string()),
            Operation::Update,
            purpose,
        )
        .await?;
        tx.commit().await?;
        self.publish_meeting(&m).await;
        Ok(())
    }
}
