//! Exporting and verifying the audit trail (the `samband audit` commands). Export writes
//! JSON lines — either Samband's own records with their chain fields, or FHIR R4
//! AuditEvent resources — streamed page by page so a large trail needs little memory.

use crate::paging::{Page, PageParams};
use crate::AppError;
use samband_store::chain::{verify_chain, ChainBreak, VerifyError};
use samband_store::{AuditEntry, AuditRecord};
use serde_json::{json, Value};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    JsonLines,
    FhirAuditEvent,
}

/// The outcome of `samband audit verify`.
#[derive(Debug)]
pub enum Verified {
    /// `entries` link into the chain; `unsealed` came after the sealer's last pass.
    Intact {
        entries: u64,
        unsealed: u64,
    },
    Broken(ChainBreak),
}

/// How the API's audit export writes each entry.
pub fn parse_export_format(raw: Option<&str>) -> Result<ExportFormat, AppError> {
    match raw.map(str::trim) {
        None | Some("") | Some("jsonl") => Ok(ExportFormat::JsonLines),
        Some("fhir") => Ok(ExportFormat::FhirAuditEvent),
        Some(_) => Err(samband_domain::ValidationErrors::single(
            "format",
            "bad_choice",
            "format must be jsonl or fhir",
        )
        .into()),
    }
}

crate::kernel::capability!(
    /// Use cases on the audit trail as a whole (`app.audit_trail()`).
    AuditTrail
);

impl AuditTrail<'_> {
    /// One page of the audit trail in sequence order (the API's export), each entry as
    /// Samband's own record or a FHIR AuditEvent, with how many entries there are. For
    /// administrators; the export is itself audited.
    pub async fn audit_page(
        &self,
        ctx: &crate::Ctx,
        format: ExportFormat,
        page: &PageParams,
    ) -> Result<Page<Value>, AppError> {
        let req = crate::paging::parse::<i64>("audit", page)?;
        let entry = |action: &str| AuditEntry {
            id: uuid::Uuid::now_v7(),
            at: self.clock.now(),
            actor_account_id: Some(ctx.principal.account_id),
            patient_id: None,
            object_type: "audit_log".into(),
            object_id: None,
            action: action.into(),
            purpose: "administration".into(),
            request_id: ctx.request_id.clone(),
        };
        if !crate::policy::may_export_audit(&ctx.principal) {
            // A refused attempt on the whole trail is itself worth a trace, as every
            // refused read of patient data is.
            let mut tx = self.store.begin_read().await?;
            tx.append_audit(&entry("deny")).await?;
            tx.commit().await?;
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin_read().await?;
        let after = req.after.as_ref().map(|(seq, _)| *seq).unwrap_or(0);
        let rows = tx.audit_records(after, req.probe().limit).await?;
        let (rows, next) = req.cut(rows, |r| (r.seq, r.entry.id));
        let total = tx.count_audit().await?;
        tx.append_audit(&entry("export")).await?;
        tx.commit().await?;
        let items = rows
            .iter()
            .map(|r| match format {
                ExportFormat::JsonLines => record_json(r),
                ExportFormat::FhirAuditEvent => audit_event(r),
            })
            .collect();
        Ok(req.page(items, next, total))
    }

    pub async fn verify_audit(&self) -> Result<Verified, AppError> {
        match verify_chain(&*self.store, 5_000).await {
            Ok(s) => Ok(Verified::Intact {
                entries: s.sealed,
                unsealed: s.unsealed,
            }),
            Err(VerifyError::Broken(b)) => Ok(Verified::Broken(b)),
            Err(VerifyError::Store(e)) => Err(e.into()),
        }
    }

    /// Writes every entry in order; returns how many were written.
    pub async fn export_audit(
        &self,
        format: ExportFormat,
        out: &mut dyn Write,
    ) -> Result<u64, AppError> {
        let mut after = 0i64;
        let mut n = 0u64;
        loop {
            let mut tx = self.store.begin_read().await?;
            let page = tx.audit_records(after, 5_000).await?;
            drop(tx);
            if page.is_empty() {
                break;
            }
            for r in &page {
                let line = match format {
                    ExportFormat::JsonLines => record_json(r),
                    ExportFormat::FhirAuditEvent => audit_event(r),
                };
                serde_json::to_writer(&mut *out, &line)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                out.write_all(b"\n")
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                after = r.seq;
                n += 1;
            }
        }
        out.flush().map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(n)
    }
}

fn record_json(r: &AuditRecord) -> Value {
    let e = &r.entry;
    json!({
        "seq": r.seq,
        "id": e.id,
        "at": e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_account_id": e.actor_account_id,
        "patient_id": e.patient_id,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "action": e.action,
        "purpose": e.purpose,
        "request_id": e.request_id,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    })
}

/// One entry as a FHIR R4 AuditEvent.
pub fn audit_event(r: &AuditRecord) -> Value {
    let e = &r.entry;
    let action = match e.action.as_str() {
        "create" => "C",
        "update" => "U",
        "read" | "list" => "R",
        _ => "E",
    };
    // 0 = success; 4 = minor failure (a refused access or failed sign-in).
    let outcome = if matches!(e.action.as_str(), "deny" | "login_failed") {
        "4"
    } else {
        "0"
    };
    let purpose = match e.purpose.as_str() {
        "care" => Some(("TREAT", "treatment")),
        "emergency" => Some(("ETREAT", "Emergency Treatment")),
        "own_record" => Some(("PATRQT", "patient requested")),
        "administration" => Some(("HOPERAT", "healthcare operations")),
        _ => None,
    };
    let mut ev = json!({
        "resourceType": "AuditEvent",
        "id": e.id,
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
        "action": action,
        "recorded": e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "outcome": outcome,
        "outcomeDesc": e.action,
        "agent": [{
            "who": {"identifier": {"system": "urn:samband:account", "value": e.actor_account_id.map(|a| a.to_string()).unwrap_or_else(|| "anonymous".into())}},
            "requestor": true
        }],
        "source": {"observer": {"display": "Samband"}, "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server"}]},
        "entity": [],
        "extension": [{"url": "urn:samband:audit-chain", "valueString": format!("{}:{}", r.seq, r.hash.clone().unwrap_or_default())}]
    });
    if let Some((code, display)) = purpose {
        ev["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": code, "display": display}]}]);
    }
    let mut entities = Vec::new();
    if let Some(p) = e.patient_id {
        entities.push(json!({"what": {"reference": format!("Patient/{p}")}, "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"}}));
    }
    entities.push(json!({
        "what": {"identifier": {"system": "urn:samband:object", "value": e.object_id.clone().unwrap_or_else(|| e.object_type.clone())}},
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
        "description": e.object_type
    }));
    ev["entity"] = Value::Array(entities);
    if let (Some(rid), Some(ext)) = (&e.request_id, ev["extension"].as_array_mut()) {
        ext.push(json!({"url": "urn:samband:request-id", "valueString": rid}));
    }
    ev
}
