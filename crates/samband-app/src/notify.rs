//! Notifications: the in-app list, e-mail by each person's preference (immediately,
//! in a daily digest, or not at all), and "ongoing information" digests for GPs and
//! caseworkers who follow a patient.
//!
//! A notification row stores references, not text; the text is composed when shown,
//! through the policy (a person who has left the team sees "a patient", not a name).
//! E-mail never carries health information or names: only that there is something new
//! and a link. It is queued in the same transaction as the notification.

use crate::jobs::{self, OutgoingEmail};
use crate::kernel::TxBox;
use crate::policy::{Detail, Object, Operation};
use crate::{App, AppError, Ctx};
use chrono::{DateTime, Utc};
use samband_domain::ids::*;
use samband_domain::ValidationErrors;
use samband_store::{Account, Follow, Job, Notification, NotificationPrefs};
use serde::{Deserialize, Serialize};

/// Outgoing e-mail settings (the SMTP connection itself belongs to the server).
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub from: String,
    /// Where links in e-mail point (`https://samband.example.org`).
    pub public_url: String,
    /// The right-hand side of generated Message-IDs.
    pub message_id_domain: String,
}

/// What to tell someone about, before it is stored.
pub(crate) struct Notice<'a> {
    pub account: AccountId,
    pub patient: Option<PatientId>,
    pub kind: &'a str,
    pub thread: Option<ThreadId>,
    pub actor: Option<&'a str>,
    pub detail: Option<String>,
    /// Counts toward the unread badge (messages count through their receipts instead).
    pub unread: bool,
}

/// A notification as shown to its owner.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    pub id: NotificationId,
    pub kind: String,
    pub text: String,
    pub patient_id: Option<PatientId>,
    pub thread_id: Option<ThreadId>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrefsView {
    pub email: Option<String>,
    /// The address used when none is set here (from the directory).
    pub directory_email: Option<String>,
    pub mode: String,
    pub follows: Vec<FollowView>,
}

/// A patient the person follows, named if the policy still allows it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowView {
    pub patient_id: PatientId,
    pub patient_name: Option<String>,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefsInput {
    #[serde(default)]
    pub email: Option<String>,
    pub mode: String,
}

const MODES: [&str; 3] = ["immediate", "digest", "off"];

impl App {
    /// Stores a notification and, by the person's preference, queues its e-mail.
    pub(crate) async fn notify(&self, tx: &mut TxBox, n: Notice<'_>) -> Result<(), AppError> {
        let now = self.clock.now();
        let (mode, address) = self.mail_route(tx, n.account).await?;
        let email_status = match (mode.as_str(), &address) {
            ("immediate", Some(to)) => {
                self.queue_email(tx, to, "new", n.account).await?;
                "queued"
            }
            ("digest", Some(_)) => "digest",
            _ => "none",
        };
        tx.insert_notification(&Notification {
            id: NotificationId::new(),
            account_id: n.account,
            patient_id: n.patient,
            kind: n.kind.into(),
            thread_id: n.thread,
            actor_name: n.actor.map(str::to_owned),
            detail: n.detail,
            created_at: now,
            read_at: if n.unread { None } else { Some(now) },
            email_status: email_status.into(),
        })
        .await?;
        Ok(())
    }

    /// The person's e-mail mode and address; no address when mail is not configured.
    async fn mail_route(
        &self,
        tx: &mut TxBox,
        account: AccountId,
    ) -> Result<(String, Option<String>), AppError> {
        if self.config.mail.is_none() {
            return Ok(("off".into(), None));
        }
        let prefs = tx.get_prefs(account).await?;
        let mode = prefs
            .as_ref()
            .map(|p| p.mode.clone())
            .unwrap_or_else(|| "immediate".into());
        if mode == "off" {
            return Ok((mode, None));
        }
        let address = match prefs.and_then(|p| p.email) {
            Some(e) => Some(e),
            None => match tx.get_account(account).await? {
                Some(a) => self.directory_email(tx, &a).await?,
                None => None,
            },
        };
        Ok((mode, address))
    }

    async fn directory_email(
        &self,
        tx: &mut TxBox,
        a: &Account,
    ) -> Result<Option<String>, AppError> {
        if let Some(p) = a.professional_id {
            return Ok(tx.get_professional(p).await?.and_then(|p| p.email));
        }
        if let Some(p) = a.patient_id {
            return Ok(tx.get_patient(p).await?.and_then(|p| p.email));
        }
        Ok(None)
    }

    /// Queues one e-mail. `what` picks the wording: `new` (something new) or
    /// `digest:N` (N new things). No names, no health information: a link.
    pub(crate) async fn queue_email(
        &self,
        tx: &mut TxBox,
        to: &str,
        what: &str,
        account: AccountId,
    ) -> Result<(), AppError> {
        let Some(mail) = &self.config.mail else {
            return Ok(());
        };
        let locale = tx
            .get_account(account)
            .await?
            .and_then(|a| a.locale)
            .unwrap_or_default();
        let (subject, text) = email_text(&locale, what, &mail.public_url);
        let job_id = JobId::new();
        let email = OutgoingEmail {
            to: to.to_owned(),
            subject,
            text,
            message_id: format!("<{job_id}@{}>", mail.message_id_domain),
            calendar: None,
            calendar_method: None,
            date: Some(self.clock.now()),
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

    /// One page of the signed-in person's notifications, newest first, worded through
    /// the policy (a patient the reader may no longer be told about is not named), with
    /// how many there are; opening the list marks them read.
    pub async fn notifications(
        &self,
        ctx: &Ctx,
        page: &crate::paging::PageParams,
    ) -> Result<crate::paging::Page<NotificationView>, AppError> {
        let req = crate::paging::parse::<chrono::DateTime<chrono::Utc>>("notifications", page)?;
        let mut tx = self.store.begin().await?;
        let rows = tx
            .list_notifications(ctx.principal.account_id, &req.probe())
            .await?;
        let (rows, next) = req.cut(rows, |n| (n.created_at, n.id.as_uuid()));
        let total = tx.count_notifications(ctx.principal.account_id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for n in rows {
            let patient_name = match n.patient_id {
                Some(p) => self.name_if_permitted(&mut tx, ctx, p).await?,
                None => None,
            };
            out.push(NotificationView {
                id: n.id,
                text: describe(&n, patient_name.as_deref()),
                kind: n.kind,
                patient_id: n.patient_id,
                thread_id: n.thread_id,
                created_at: n.created_at,
                read: n.read_at.is_some(),
            });
        }
        let changed = tx
            .mark_notifications_read(ctx.principal.account_id, self.clock.now())
            .await?;
        tx.commit().await?;
        if changed > 0 {
            self.live.publish([ctx.principal.account_id]);
        }
        Ok(req.page(out, next, total))
    }

    /// The patient's name if the policy lets this person be told about them (audited).
    pub(crate) async fn name_if_permitted(
        &self,
        tx: &mut TxBox,
        ctx: &Ctx,
        patient: PatientId,
    ) -> Result<Option<String>, AppError> {
        let facts = self.load_facts(tx, ctx, patient).await?;
        match self.permits(
            ctx,
            patient,
            &facts,
            Operation::Notify,
            Object::Patient,
            Detail::None,
        ) {
            Some(purpose) => {
                self.audit(
                    tx,
                    ctx,
                    patient,
                    Object::Patient,
                    None,
                    Operation::Notify,
                    purpose,
                )
                .await?;
                Ok(tx.get_patient(patient).await?.map(|p| p.name))
            }
            None => Ok(None),
        }
    }

    /// Unread messages plus unread notifications: the inbox badge.
    pub async fn unread_count(&self, ctx: &Ctx) -> Result<i64, AppError> {
        let mut tx = self.store.begin_read().await?;
        let m = tx.unread_messages(ctx.principal.account_id).await?;
        let n = tx.unread_notifications(ctx.principal.account_id).await?;
        tx.commit().await?;
        Ok(m + n)
    }

    pub async fn notification_prefs(&self, ctx: &Ctx) -> Result<PrefsView, AppError> {
        let mut tx = self.store.begin_read().await?;
        let prefs = tx.get_prefs(ctx.principal.account_id).await?;
        let directory_email = match tx.get_account(ctx.principal.account_id).await? {
            Some(a) => self.directory_email(&mut tx, &a).await?,
            None => None,
        };
        let mut follows = Vec::new();
        for f in tx.list_follows(Some(ctx.principal.account_id)).await? {
            follows.push(FollowView {
                patient_id: f.patient_id,
                patient_name: self.name_if_permitted(&mut tx, ctx, f.patient_id).await?,
                since: f.since,
            });
        }
        tx.commit().await?;
        Ok(PrefsView {
            email: prefs.as_ref().and_then(|p| p.email.clone()),
            directory_email,
            mode: prefs.map(|p| p.mode).unwrap_or_else(|| "immediate".into()),
            follows,
        })
    }

    pub async fn save_notification_prefs(
        &self,
        ctx: &Ctx,
        input: &PrefsInput,
    ) -> Result<(), AppError> {
        let mut e = ValidationErrors::new();
        let mode = input.mode.trim();
        if !MODES.contains(&mode) {
            e.add(
                "mode",
                "bad_choice",
                "must be one of: immediate, digest, off",
            );
        }
        let email = match input.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => {
                let ok = v.len() <= 254
                    && v.split_once('@').is_some_and(|(l, d)| {
                        !l.is_empty() && d.contains('.') && !d.starts_with('.')
                    })
                    && !v.chars().any(|c| c.is_whitespace() || c.is_control());
                if !ok {
                    e.add("email", "bad_email", "must be an e-mail address");
                }
                Some(v.to_owned())
            }
        };
        e.into_result()?;
        let mut tx = self.store.begin().await?;
        tx.save_prefs(&NotificationPrefs {
            account_id: ctx.principal.account_id,
            email,
            mode: mode.to_owned(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts "ongoing information" about a patient: a daily digest of the changes this
    /// person may see. Only team members (who may read the plan) can follow.
    pub async fn follow_patient(&self, ctx: &Ctx, patient: PatientId) -> Result<(), AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, purpose) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Create,
                Object::PlanHeader,
                Detail::Follow,
            )
            .await?;
        let now = self.clock.now();
        tx.follow(&Follow {
            account_id: ctx.principal.account_id,
            patient_id: patient,
            since: now,
            digested_until: now,
        })
        .await?;
        self.audit(
            &mut tx,
            ctx,
            patient,
            Object::PlanHeader,
            None,
            Operation::Read,
            purpose,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unfollow_patient(&self, ctx: &Ctx, patient: PatientId) -> Result<(), AppError> {
        let tx = self.store.begin().await?;
        let (mut tx, _) = self
            .authorize(
                tx,
                ctx,
                patient,
                Operation::Update,
                Object::PlanHeader,
                Detail::Follow,
            )
            .await?;
        tx.unfollow(ctx.principal.account_id, patient).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn is_following(&self, ctx: &Ctx, patient: PatientId) -> Result<bool, AppError> {
        let mut tx = self.store.begin_read().await?;
        let f = tx.list_follows(Some(ctx.principal.account_id)).await?;
        tx.commit().await?;
        Ok(f.iter().any(|f| f.patient_id == patient))
    }

    /// Daily: one e-mail per person who chose the digest, if anything waited.
    pub(crate) async fn run_daily_digest(&self, job: &Job) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        for account in tx.digest_accounts().await? {
            let items = tx.take_digest(account).await?;
            let (_, address) = self.mail_route(&mut tx, account).await?;
            if let (false, Some(to)) = (items.is_empty(), address) {
                self.queue_email(&mut tx, &to, &format!("digest:{}", items.len()), account)
                    .await?;
            }
        }
        self.finish_run(tx, job, self.clock.now(), Vec::new()).await
    }

    /// Daily: for each follow, the changes since the last digest that the follower may
    /// see now (each change's category checked against the policy at this moment).
    pub(crate) async fn run_ongoing_digest(&self, job: &Job) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        for f in tx.list_follows(None).await? {
            let Some(account) = tx.get_account(f.account_id).await? else {
                continue;
            };
            if account.disabled {
                continue;
            }
            let principal =
                crate::auth::principal_for(&account, samband_domain::principal::Scopes::ALL)?;
            let ctx = Ctx {
                principal,
                request_id: None,
            };
            let facts = self.load_facts(&mut tx, &ctx, f.patient_id).await?;
            let changes = tx
                .list_history(
                    f.patient_id,
                    &samband_store::HistoryFilter::default(),
                    &samband_store::PageAt::first(500),
                )
                .await?;
            let visible = changes
                .iter()
                .filter(|h| h.at > f.digested_until && h.actor_account_id != f.account_id)
                .filter(|h| {
                    let object = Object::named(&h.object_type).unwrap_or(Object::PlanHeader);
                    self.permits(
                        &ctx,
                        f.patient_id,
                        &facts,
                        Operation::Notify,
                        object,
                        Detail::None,
                    )
                    .is_some()
                })
                .count();
            if visible > 0 {
                self.notify(
                    &mut tx,
                    Notice {
                        account: f.account_id,
                        patient: Some(f.patient_id),
                        kind: "ongoing",
                        thread: None,
                        actor: None,
                        detail: Some(visible.to_string()),
                        unread: true,
                    },
                )
                .await?;
                told.push(f.account_id);
            }
            tx.set_digested_until(f.account_id, f.patient_id, now)
                .await?;
        }
        self.finish_run(tx, job, now, told).await
    }
}

/// The e-mail's subject and text in the person's language. Never a name or a detail.
fn email_text(locale: &str, what: &str, url: &str) -> (String, String) {
    let count = what.strip_prefix("digest:");
    let link = format!("{}/inbox", url.trim_end_matches('/'));
    match (locale, count) {
        ("nb", None) => (
            "Du har noe nytt i Samband".into(),
            format!("Du har en ny melding eller oppgave i Samband.\n\nLogg inn for å lese den: {link}\n\nDenne e-posten inneholder ingen helseopplysninger."),
        ),
        ("nb", Some(n)) => (
            format!("Samband: {n} nye hendelser"),
            format!("Du har {n} nye hendelser i Samband siden sist.\n\nLogg inn for å lese dem: {link}\n\nDenne e-posten inneholder ingen helseopplysninger."),
        ),
        ("da", None) => (
            "Du har noget nyt i Samband".into(),
            format!("Du har en ny besked eller opgave i Samband.\n\nLog ind for at læse den: {link}\n\nDenne e-mail indeholder ingen helbredsoplysninger."),
        ),
        ("da", Some(n)) => (
            format!("Samband: {n} nye hændelser"),
            format!("Du har {n} nye hændelser i Samband siden sidst.\n\nLog ind for at læse dem: {link}\n\nDenne e-mail indeholder ingen helbredsoplysninger."),
        ),
        (_, None) => (
            "You have a new message in Samband".into(),
            format!("You have a new message or task in Samband.\n\nSign in to read it: {link}\n\nThis e-mail contains no health information."),
        ),
        (_, Some(n)) => (
            format!("Samband: {n} new items"),
            format!("You have {n} new items in Samband since the last digest.\n\nSign in to read them: {link}\n\nThis e-mail contains no health information."),
        ),
    }
}

/// A notification's text; `patient` is the name when the policy allows it.
fn describe(n: &Notification, patient: Option<&str>) -> String {
    let who = patient.unwrap_or("a patient");
    let actor = n.actor_name.as_deref().unwrap_or("Someone");
    let detail = n.detail.as_deref().unwrap_or("");
    match n.kind.as_str() {
        "message" => format!("{actor} wrote about {who}"),
        "request" => format!("{actor} sent you a request about {who}"),
        "request_answered" => format!("{actor} answered your request about {who}"),
        "request_declined" => format!("{actor} declined your request about {who}"),
        "request_reminder" => format!("A request about {who} is due soon"),
        "request_overdue" => format!("A request about {who} is overdue"),
        "ack_overdue" => format!("A message about {who} has not been acknowledged in time"),
        "ongoing" => format!("{detail} new changes in {who}'s plan"),
        "job_dead" => format!("A background job ({detail}) failed repeatedly and was stopped"),
        "meeting_invite" => format!("{actor} invited you to a meeting about {who}"),
        "meeting_changed" => format!("{actor} changed a meeting about {who}"),
        "meeting_cancelled" => format!("{actor} cancelled a meeting about {who}"),
        "agenda_request" => format!("{who} asked to change an agenda item: {detail}"),
        "follow_up_due" => format!("Follow-up is due for the meeting about {who}"),
        other => format!("{other}: {who}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_never_names_anyone_and_links_to_the_inbox() {
        for locale in ["en", "nb", "da", ""] {
            for what in ["new", "digest:3"] {
                let (subject, text) = email_text(locale, what, "https://s.example/");
                assert!(text.contains("https://s.example/inbox"), "{locale} {what}");
                assert!(!subject.is_empty());
            }
        }
        assert_eq!(
            email_text("en", "new", "x").0,
            "You have a new message in Samband"
        );
    }
}
