//! Notification preferences: per kind, in-app or e-mail, now or in a digest.

use super::Notifications;
use crate::notify::FollowView;
use crate::{AppError, Ctx};
use samband_domain::ValidationErrors;
use samband_store::NotificationPrefs;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct PrefsView {
    pub email: Option<String>,
    /// The address used when none is set here (from the directory).
    pub directory_email: Option<String>,
    pub mode: String,
    pub follows: Vec<FollowView>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefsInput {
    #[serde(default)]
    pub email: Option<String>,
    pub mode: String,
}

/// When notifications are e-mailed (the API documents these).
pub const EMAIL_MODES: [&str; 3] = ["immediate", "digest", "off"];

impl Notifications<'_> {
    pub async fn prefs(&self, ctx: &Ctx) -> Result<PrefsView, AppError> {
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

    pub async fn save_prefs(&self, ctx: &Ctx, input: &PrefsInput) -> Result<(), AppError> {
        let mut e = ValidationErrors::new();
        let mode = input.mode.trim();
        if !EMAIL_MODES.contains(&mode) {
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
}
