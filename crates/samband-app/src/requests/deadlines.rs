//! The jobs on a request's deadline: the reminder the working day before, and the
//! notice once it has passed.

use super::Requests;
use crate::jobs;
use crate::notify::Notice;
use crate::AppError;
use samband_domain::ids::*;
use samband_store::Job;

impl Requests<'_> {
    /// Job: the reminder before a request's deadline, or the deadline passing.
    pub(crate) async fn run_request_deadline(&self, job: &Job) -> Result<(), AppError> {
        let id: RequestId = serde_json::from_value(job.payload["request_id"].clone())
            .map_err(|e| AppError::Internal(format!("bad job payload: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut told = Vec::new();
        if let Some(r) = tx.get_request(id).await? {
            let overdue = job.kind == jobs::REQUEST_OVERDUE;
            if r.status.is_open() {
                let mut to = vec![r.addressee_account_id];
                if overdue {
                    to.push(r.requester_account_id);
                    if let Some(c) = self
                        .team()
                        .coordinator_account(&mut tx, r.patient_id)
                        .await?
                    {
                        if !to.contains(&c) {
                            to.push(c);
                        }
                    }
                }
                for account in &to {
                    self.notifications()
                        .notify(
                            &mut tx,
                            Notice {
                                account: *account,
                                patient: Some(r.patient_id),
                                kind: if overdue {
                                    "request_overdue"
                                } else {
                                    "request_reminder"
                                },
                                thread: Some(r.thread_id),
                                actor: Some(&r.requester_name),
                                detail: Some(r.due_date.to_string()),
                                unread: true,
                            },
                        )
                        .await?;
                }
                told = to;
            }
        }
        self.finish_run(tx, job, now, told).await
    }
}
