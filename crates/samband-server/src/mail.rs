//! E-mail over SMTP (lettre): plain, STARTTLS or implicit TLS, with or without
//! authentication, all from one URL:
//!
//! - `smtp://host:25` — plain (a local relay, or the test server)
//! - `smtp://user:pass@host:587?tls=required` — STARTTLS, refusing to send in clear
//! - `smtps://user:pass@host:465` — implicit TLS
//!
//! The Message-ID and the Date come from the job, so a retry sends the same message
//! again rather than a second one.

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use samband_app::jobs::{MailError, Mailer, OutgoingEmail};
use std::time::Duration;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// `ca_pem`: a certificate authority to trust besides the public ones (an internal
    /// relay with a private CA). TLS is then required: implicit for `smtps://`,
    /// STARTTLS otherwise.
    pub fn new(url: &str, from: &str, ca_pem: Option<&[u8]>) -> anyhow::Result<Self> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)));
        if let Some(pem) = ca_pem {
            let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("SMTP URL: {e}"))?;
            let host = parsed
                .host_str()
                .ok_or_else(|| anyhow::anyhow!("SMTP URL has no host"))?
                .to_owned();
            let ca = Certificate::from_pem(pem)
                .map_err(|e| anyhow::anyhow!("SMTP CA certificate: {e}"))?;
            let params = TlsParameters::builder(host)
                .add_root_certificate(ca)
                .build_rustls()
                .map_err(|e| anyhow::anyhow!("SMTP TLS settings: {e}"))?;
            builder = builder.tls(if parsed.scheme() == "smtps" {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            });
        }
        let transport = builder.build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail sender address {from:?}: {e}"))?;
        Ok(Self { transport, from })
    }
}

fn classify(e: &SmtpError) -> MailError {
    // A permanent (5xx) answer will not change by retrying; everything else may: the
    // server being unreachable, a timeout, a 4xx "try later".
    MailError {
        transient: !e.is_permanent(),
        message: format!("SMTP: {e}"),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let to: Mailbox = email.to.parse().map_err(|e| MailError {
            transient: false,
            message: format!("recipient address: {e}"),
        })?;
        let mut builder = Message::builder();
        if let Some(date) = email.date {
            // Otherwise lettre dates the message now, and a resend would differ.
            builder = builder.date(date.into());
        }
        let builder = builder
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(email.message_id.clone()));
        let built = match &email.calendar {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone()),
            Some(ics) => {
                // The invitation both inline (calendar clients act on it) and as a file.
                let method = email.calendar_method.as_deref().unwrap_or("REQUEST");
                let calendar_type =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .unwrap_or(ContentType::TEXT_PLAIN);
                builder.multipart(
                    MultiPart::mixed()
                        .multipart(
                            MultiPart::alternative()
                                .singlepart(SinglePart::plain(email.text.clone()))
                                .singlepart(
                                    SinglePart::builder()
                                        .header(calendar_type.clone())
                                        .body(ics.clone()),
                                ),
                        )
                        .singlepart(
                            Attachment::new("invite.ics".into()).body(ics.clone(), calendar_type),
                        ),
                )
            }
        };
        let message = built.map_err(|e| MailError {
            transient: false,
            message: format!("building the message: {e}"),
        })?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| classify(&e))
    }
}
