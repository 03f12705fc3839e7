//! In-app notices and the e-mail that may go with them (never naming anyone, never
//! health data), routed by each account's preferences.

use super::Notifications;
use crate::jobs::{self, OutgoingEmail};
use crate::kernel::TxBox;
use crate::policy::{Detail, Object, Operation};
use crate::{AppError, Ctx};
use samband_domain::ids::*;
use samband_store::{Account, Job, Notification};

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

/// The e-mail's subject and text in the person's language. Never a name or a detail.
pub(crate) fn email_text(locale: &str, what: &str, url: &str) -> (String, String) {
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

/// A notification's text in the reader's language (`locale`, as `email_text` picks
/// it); `patient` is the name when the policy allows it. Hand-overs, pathways and
/// successions are worded in Norwegian and Danish too; other kinds are English for now.
pub(crate) fn describe(n: &Notification, patient: Option<&str>, locale: Option<&str>) -> String {
    let detail = n.detail.as_deref().unwrap_or("");
    let lang = locale.unwrap_or("en");
    if let Some(text) = describe_nordic(n, patient, lang, detail) {
        return text;
    }
    let who = patient.unwrap_or("a patient");
    let actor = n.actor_name.as_deref().unwrap_or("Someone");
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
        "handover" => format!("{actor} handed {who} over to you: please acknowledge"),
        "handover_acknowledged" => format!("{actor} acknowledged your hand-over of {who}"),
        "handover_ack_overdue" => {
            format!("A hand-over of {who} has not been acknowledged in time by {detail}")
        }
        "succession" => {
            format!("You took over from {actor} on {who}'s team: {detail} open items moved to you")
        }
        "milestone_due" => format!("A pathway milestone for {who} is due soon: {detail}"),
        "milestone_overdue" => format!("A pathway milestone for {who} is overdue: {detail}"),
        "case_review" => {
            format!("{actor} recorded a case-review recommendation for {who}, due {detail}")
        }
        "checkin_due" => format!("A check-in is due: {detail}"),
        "alert" => format!("A {detail} signal about {who} needs your review"),
        "alert_urgent" => format!("Urgent: a safety signal about {who} needs you today"),
        "alert_escalated" => {
            format!(
                "A {detail} signal about {who} was not acknowledged in time and is now with you"
            )
        }
        "alert_escalated_urgent" => format!(
            "Urgent: a safety signal about {who} was not acknowledged in time and is now with you"
        ),
        other => format!("{other}: {who}"),
    }
}

/// The Norwegian and Danish wording of the kinds issues 11 and 12 added, `None` for English or
/// a kind not worded here.
fn describe_nordic(
    n: &Notification,
    patient: Option<&str>,
    lang: &str,
    detail: &str,
) -> Option<String> {
    let (someone, a_patient) = match lang {
        "nb" => ("Noen", "en pasient"),
        "da" => ("Nogen", "en patient"),
        _ => return None,
    };
    let who = patient.unwrap_or(a_patient);
    let actor = n.actor_name.as_deref().unwrap_or(someone);
    let nb = lang == "nb";
    Some(match n.kind.as_str() {
        "handover" if nb => format!("{actor} har overført {who} til deg: bekreft at du har mottatt"),
        "handover" => format!("{actor} har overdraget {who} til dig: bekræft at du har modtaget"),
        "handover_acknowledged" if nb => format!("{actor} har bekreftet overføringen av {who}"),
        "handover_acknowledged" => format!("{actor} har bekræftet overdragelsen af {who}"),
        "handover_ack_overdue" if nb => {
            format!("En overføring av {who} er ikke bekreftet i tide av {detail}")
        }
        "handover_ack_overdue" => {
            format!("En overdragelse af {who} er ikke bekræftet i tide af {detail}")
        }
        "milestone_due" if nb => format!("Et milepælspunkt i forløpet til {who} nærmer seg: {detail}"),
        "milestone_due" => format!("En milepæl i forløbet for {who} nærmer sig: {detail}"),
        "milestone_overdue" if nb => format!("Et milepælspunkt i forløpet til {who} er forfalt: {detail}"),
        "milestone_overdue" => format!("En milepæl i forløbet for {who} er overskredet: {detail}"),
        "succession" if nb => format!("Du har tatt over etter {actor} i teamet til {who}: {detail} åpne oppgaver er flyttet til deg"),
        "succession" => format!("Du har overtaget efter {actor} i teamet omkring {who}: {detail} åbne opgaver er flyttet til dig"),
        "case_review" if nb => {
            format!("{actor} har registrert en anbefaling fra kasusgjennomgang for {who}, frist {detail}")
        }
        "case_review" => {
            format!("{actor} har registreret en anbefaling fra casegennemgang for {who}, frist {detail}")
        }
        "checkin_due" if nb => format!("Det er tid for en egenrapportering: {detail}"),
        "checkin_due" => format!("Det er tid for en egenrapportering: {detail}"),
        "alert" if nb => format!("Et varsel ({}) om {who} trenger din vurdering", signal_word(detail, nb)),
        "alert" => format!("Et signal ({}) om {who} kræver din vurdering", signal_word(detail, nb)),
        "alert_urgent" if nb => format!("Haster: et sikkerhetsvarsel om {who} trenger deg i dag"),
        "alert_urgent" => format!("Haster: et sikkerhedssignal om {who} kræver dig i dag"),
        "alert_escalated" if nb => format!(
            "Et varsel ({}) om {who} ble ikke bekreftet i tide og ligger nå hos deg",
            signal_word(detail, nb)
        ),
        "alert_escalated" => format!(
            "Et signal ({}) om {who} blev ikke bekræftet i tide og ligger nu hos dig",
            signal_word(detail, nb)
        ),
        "alert_escalated_urgent" if nb => format!(
            "Haster: et sikkerhetsvarsel om {who} ble ikke bekreftet i tide og ligger nå hos deg"
        ),
        "alert_escalated_urgent" => format!(
            "Haster: et sikkerhedssignal om {who} blev ikke bekræftet i tide og ligger nu hos dig"
        ),
        _ => return None,
    })
}

/// A signal class (stored in English) in Norwegian or Danish.
fn signal_word(class: &str, nb: bool) -> &str {
    match (class, nb) {
        ("safety", true) => "sikkerhet",
        ("safety", false) => "sikkerhed",
        ("deterioration", true) => "forverring",
        ("deterioration", false) => "forværring",
        ("engagement", true) => "manglende svar",
        ("engagement", false) => "manglende svar",
        (other, _) => other,
    }
}

impl Notifications<'_> {
    /// Stores a notification and, by the person's preference, queues its e-mail.
    pub(crate) async fn notify(&self, tx: &mut TxBox, n: Notice<'_>) -> Result<(), AppError> {
        self.notify_with(tx, n, false).await
    }

    /// As [`Self::notify`]; `urgent` sends the e-mail at once even to someone who reads
    /// theirs in a digest (a safety alert cannot wait for tomorrow's digest).
    pub(crate) async fn notify_with(
        &self,
        tx: &mut TxBox,
        n: Notice<'_>,
        urgent: bool,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let (mode, address) = self.mail_route(tx, n.account).await?;
        let mode = if urgent && mode == "digest" {
            "immediate".to_owned()
        } else {
            mode
        };
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
    pub(crate) async fn mail_route(
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

    pub(crate) async fn directory_email(
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
