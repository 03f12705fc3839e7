//! The OpenAPI 3.1 document, written out by hand so it states exactly what the handlers
//! accept (a test checks every route is documented). Strings carry their real length
//! limits so fuzzers and client generators see the true bounds.

use axum::extract::State;
use axum::Json;
use samband_app::App;
use serde_json::{json, Value};

/// The document for this deployment (it states the configured longest token lifetime).
pub async fn document(State(app): State<App>) -> Json<Value> {
    Json(spec(app.config.token_max_days))
}

fn problem_responses(extra: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    let all = [
        ("400", "Malformed request"),
        ("401", "Missing, expired or revoked bearer token"),
        ("403", "The caller's role may not do this"),
        ("404", "Not found, or not visible to the caller (the two are indistinguishable)"),
        ("412", "If-Match names a version that is no longer current; the body carries the current state"),
        ("415", "Body is not application/json"),
        ("422", "Invalid input; `errors` lists each field with a message"),
        ("428", "If-Match header missing on an update"),
        ("429", "Too many attempts; see Retry-After"),
    ];
    for (code, desc) in all {
        if extra.contains(&code) || ["400", "401", "404", "422"].contains(&code) {
            m.insert(code.into(), json!({"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}));
        }
    }
    Value::Object(m)
}

fn op(
    summary: &str,
    body: Option<&str>,
    ok: (&str, &str),
    extra: &[&str],
    params: &[&str],
) -> Value {
    let mut responses = problem_responses(extra);
    if let Value::Object(m) = &mut responses {
        let content = if ok.1.is_empty() {
            json!({"application/json": {"schema": {"type": "object"}}})
        } else {
            json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", ok.1)}}})
        };
        m.insert(
            ok.0.into(),
            json!({"description": "Success", "content": content}),
        );
    }
    let mut parameters: Vec<Value> = params
        .iter()
        .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}))
        .collect();
    if extra.contains(&"412") {
        parameters.push(json!({"name": "If-Match", "in": "header", "required": true, "description": "The ETag (version) you read, e.g. \"3\"", "schema": {"type": "string", "pattern": "^(W/)?\"?[0-9]{1,18}\"?$"}}));
    }
    let mut o = json!({"summary": summary, "responses": responses, "parameters": parameters, "security": [{"bearer": []}]});
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    o
}

fn s(max: u32) -> Value {
    json!({"type": "string", "maxLength": max})
}

/// A date of care (membership, consent period, meeting, due date): the bounds are
/// `samband_domain::text::DateWindow::planning`.
fn date() -> Value {
    json!({"type": "string", "format": "date", "description": format!(
        "YYYY-MM-DD, within {} years before or after today", samband_domain::text::PLANNING_YEARS
    )})
}

/// `samband_domain::text::DateWindow::birth`.
fn birth_date() -> Value {
    json!({"type": "string", "format": "date", "description": "YYYY-MM-DD, from 1900-01-01 up to today"})
}

fn uuid() -> Value {
    json!({"type": "string", "format": "uuid"})
}

pub fn spec(token_max_days: i64) -> Value {
    let mut doc = core_spec();
    tokens_spec(&mut doc, token_max_days);
    messaging_spec(&mut doc);
    meetings_spec(&mut doc);
    paging_spec(&mut doc);
    doc
}

/// The lists answered a page at a time, with the schema of one item.
pub const PAGED: &[(&str, &str)] = &[
    ("/api/v1/patients", "CaseloadItem"),
    ("/api/v1/patients/{patient}/history", "HistoryItem"),
    ("/api/v1/notifications", ""),
    ("/api/v1/patients/{patient}/meetings", ""),
    ("/api/v1/patients/{patient}/threads", ""),
    ("/api/v1/patients/{patient}/requests", ""),
    ("/api/v1/audit", ""),
    ("/api/v1/patients/{patient}/access-log", ""),
    ("/api/v1/inbox", ""),
    ("/api/v1/meetings", ""),
];

/// Every paged list takes `cursor` and `limit` and answers a page envelope.
fn paging_spec(doc: &mut Value) {
    doc["components"]["schemas"]["CaseloadItem"] = json!({"type": "object",
    "required": ["id", "name", "birth_date", "my_role", "is_coordinator", "open_actions", "overdue_actions"],
    "properties": {
        "id": uuid(), "name": {"type": "string"}, "birth_date": {"type": "string", "format": "date"},
        "my_role": {"type": "string"}, "is_coordinator": {"type": "boolean"},
        "open_actions": {"type": "integer", "minimum": 0}, "overdue_actions": {"type": "integer", "minimum": 0}
    }});
    doc["components"]["schemas"]["HistoryItem"] = json!({"type": "object",
    "required": ["object_type", "object_id", "version", "changed_by", "changed_at", "new"],
    "properties": {
        "object_type": {"type": "string"}, "object_id": {"type": "string"}, "version": {"type": "integer"},
        "changed_by": {"type": "string"}, "changed_at": {"type": "string", "format": "date-time"},
        "reason": {"type": ["string", "null"]}, "old": {}, "new": {}
    }});
    for (path, item) in PAGED {
        let Some(get) = doc["paths"][*path].get_mut("get") else {
            continue;
        };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let mut params: Vec<Value> = params;
        params.push(json!({"name": "cursor", "in": "query", "required": false,
            "description": "The `next` of the previous page (opaque); the first page without it",
            "schema": {"type": "string", "maxLength": 1024}}));
        params.push(json!({"name": "limit", "in": "query", "required": false,
            "description": format!("Rows per page, 1–{} ({} when not given)", samband_app::paging::MAX_LIMIT, samband_app::paging::DEFAULT_LIMIT),
            "schema": {"type": "integer", "minimum": 1, "maximum": samband_app::paging::MAX_LIMIT, "default": samband_app::paging::DEFAULT_LIMIT}}));
        get["parameters"] = Value::Array(params);
        get["responses"]["200"] = json!({"description": "One page of the list", "content": {"application/json": {"schema": {
        "type": "object", "required": ["items", "next", "total", "limit"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
            "next": {"type": ["string", "null"], "description": "The cursor of the next page; null on the last page"},
            "total": {"type": "integer", "minimum": 0, "description": "How many rows the whole list holds"},
            "limit": {"type": "integer", "minimum": 1}
        }}}}});
    }
}

/// Issuing, listing and revoking my API tokens.
fn tokens_spec(doc: &mut Value, token_max_days: i64) {
    doc["components"]["schemas"]["TokenRequest"]["properties"]["days"] = json!({
        "type": "integer", "minimum": 1, "maximum": token_max_days,
        "default": samband_app::auth::DEFAULT_TOKEN_DAYS.min(token_max_days),
        "description": "How many days the token lasts"
    });
    doc["paths"]["/api/v1/me/tokens"] = json!({
        "get": op("My API tokens that still work (not revoked, not expired), newest first: name, scopes, created, last used (to the minute) and expiry; never the token itself", None, ("200", "TokenList"), &[], &[])
    });
    doc["paths"]["/api/v1/me/tokens/{token}"] = json!({
        "delete": op("Revoke one of my API tokens: it is refused from the very next request (another person's token, or one revoked already: 404)", None, ("204", ""), &["403"], &["token"])
    });
    doc["components"]["schemas"]["TokenInfo"] = json!({"type": "object", "required": ["id", "name", "scopes", "created_at"], "properties": {
        "id": uuid(), "name": {"type": "string"}, "scopes": {"type": "string", "enum": ["read", "write", "read write"]},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time", "description": "null if never used"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"}
    }});
    doc["components"]["schemas"]["TokenList"] =
        json!({"type": "array", "items": {"$ref": "#/components/schemas/TokenInfo"}});
}

/// Messages, requests, notifications, follows and dead jobs.
fn messaging_spec(doc: &mut Value) {
    let upd = &["412", "428", "403"][..];
    let paths = [
        (
            "/api/v1/inbox",
            json!({"get": op("My inbox: threads I take part in, newest activity first, with unread and awaiting-receipt counts (showing them marks them delivered); `total` counts every thread I take part in, including any the patient's consent now withholds (those are never listed)", None, ("200", ""), &[], &[])}),
        ),
        (
            "/api/v1/inbox/unread",
            json!({"get": op("Unread messages plus unread notifications", None, ("200", ""), &[], &[])}),
        ),
        (
            "/api/v1/inbox/events",
            json!({"get": {"summary": "Server-sent events: `unread` with {\"unread\": n} at once and whenever it changes", "security": [{"bearer": []}], "responses": {"200": {"description": "text/event-stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}}}),
        ),
        (
            "/api/v1/notifications",
            json!({"get": op("My notifications, newest first (reading marks them read)", None, ("200", ""), &[], &[])}),
        ),
        (
            "/api/v1/me/notification-preferences",
            json!({
                "get": op("My e-mail preferences and the patients I follow", None, ("200", ""), &[], &[]),
                "put": op("Set e-mail mode (immediate, digest, off) and address", Some("PrefsInput"), ("200", ""), &[], &[])
            }),
        ),
        (
            "/api/v1/patients/{patient}/threads",
            json!({
                "get": op("The patient's threads I may see", None, ("200", ""), &["403"], &["patient"]),
                "post": op("Start a thread: to people (member:ID), the team, a role (role:GP) or the patient", Some("ComposeInput"), ("201", ""), &["403"], &["patient"])
            }),
        ),
        (
            "/api/v1/patients/{patient}/requests",
            json!({
                "get": op("Requests about the patient I may see", None, ("200", ""), &["403"], &["patient"]),
                "post": op("Send a status report, advice request or task (becomes a care-plan action owned by the addressee)", Some("RequestInput"), ("201", ""), &["403"], &["patient"])
            }),
        ),
        (
            "/api/v1/patients/{patient}/follow",
            json!({
                "put": op("Follow the patient (ongoing information: a daily digest of changes I may see)", None, ("204", ""), &["403"], &["patient"]),
                "delete": op("Stop following", None, ("204", ""), &[], &["patient"])
            }),
        ),
        (
            "/api/v1/threads/{thread}",
            json!({"get": op("A thread with per-recipient receipts (opening marks it read); ETag = request version when it is a request", None, ("200", ""), &["403"], &["thread"])}),
        ),
        (
            "/api/v1/threads/{thread}/messages",
            json!({"post": op("Reply to everyone in the thread", Some("ReplyInput"), ("201", ""), &["403"], &["thread"])}),
        ),
        (
            "/api/v1/messages/{message}/acknowledge",
            json!({"post": op("Give the receipt asked for", None, ("204", ""), &["403"], &["message"])}),
        ),
        (
            "/api/v1/attachments/{attachment}",
            json!({"get": {"summary": "Download an attachment (served as a download, never inline)", "security": [{"bearer": []}], "parameters": [{"name": "attachment", "in": "path", "required": true, "schema": uuid()}], "responses": {"200": {"description": "The file"}, "404": {"description": "Not found"}}}}),
        ),
        (
            "/api/v1/requests/{request}/accept",
            json!({"post": op("Accept a request (addressee; If-Match: request version)", None, ("200", ""), upd, &["request"])}),
        ),
        (
            "/api/v1/requests/{request}/answer",
            json!({"post": op("Answer a request: one answer per question (addressee)", Some("AnswerInput"), ("200", ""), upd, &["request"])}),
        ),
        (
            "/api/v1/requests/{request}/decline",
            json!({"post": op("Decline a request with a reason (addressee)", Some("DeclineInput"), ("200", ""), upd, &["request"])}),
        ),
        (
            "/api/v1/jobs",
            json!({"get": op("Background jobs (administrators); ?status=dead lists dead letters", None, ("200", ""), &["403"], &[])}),
        ),
        (
            "/api/v1/jobs/{job}/retry",
            json!({"post": op("Run a dead job again (administrators)", None, ("204", ""), &["403"], &["job"])}),
        ),
    ];
    for (path, item) in paths {
        doc["paths"][path] = item;
    }
    let schemas = [
        (
            "ComposeInput",
            json!({"type": "object", "additionalProperties": false, "required": ["subject", "body"], "properties": {
                "subject": s(200), "body": s(20000), "category": {"$ref": "#/components/schemas/Category"},
                "to": {"type": "array", "items": {"type": "string", "description": "team | patient | role:NAME | member:ID"}},
                "needs_ack": {"type": "boolean"}, "urgent": {"type": "boolean"},
                "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Upload"}}
            }}),
        ),
        (
            "ReplyInput",
            json!({"type": "object", "additionalProperties": false, "required": ["body"], "properties": {
                "body": s(20000), "needs_ack": {"type": "boolean"}, "urgent": {"type": "boolean"},
                "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Upload"}}
            }}),
        ),
        (
            "Upload",
            json!({"type": "object", "additionalProperties": false, "required": ["file_name", "content_base64"], "properties": {
                "file_name": s(200), "content_base64": {"type": "string", "contentEncoding": "base64", "description": "PDF, PNG, JPEG or plain text; at most the configured size"}
            }}),
        ),
        (
            "RequestInput",
            json!({"type": "object", "additionalProperties": false, "required": ["kind", "addressee_member_id", "subject"], "properties": {
                "kind": {"type": "string", "enum": ["status_report", "advice_request", "general_task"]},
                "addressee_member_id": uuid(), "subject": s(200), "body": s(20000),
                "questions": {"type": "array", "maxItems": 20, "items": s(4000)},
                "due_date": date(), "category": {"$ref": "#/components/schemas/Category"}
            }}),
        ),
        (
            "AnswerInput",
            json!({"type": "object", "additionalProperties": false, "properties": {"answers": {"type": "array", "items": s(4000)}, "note": s(20000)}}),
        ),
        (
            "DeclineInput",
            json!({"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {"reason": s(4000)}}),
        ),
        (
            "PrefsInput",
            json!({"type": "object", "additionalProperties": false, "required": ["mode"], "properties": {"mode": {"type": "string", "enum": ["immediate", "digest", "off"]}, "email": s(254)}}),
        ),
    ];
    for (name, schema) in schemas {
        doc["components"]["schemas"][name] = schema;
    }
}

/// Collaboration meetings.
fn meetings_spec(doc: &mut Value) {
    let upd = &["412", "428", "403"][..];
    let m = &["meeting"][..];
    let mi = &["meeting", "item"][..];
    let paths = [
        (
            "/api/v1/meetings",
            json!({"get": op("My meetings from today on (not cancelled), soonest first, across patients, with replies and agenda size; `total` counts every such invitation, including any the patient's consent now withholds (those are never listed)", None, ("200", ""), &[], &[])}),
        ),
        (
            "/api/v1/patients/{patient}/meetings",
            json!({
                "get": op("The patient's meetings, soonest first", None, ("200", ""), &["403"], &["patient"]),
                "post": op("Plan a meeting (the organiser is invited)", Some("MeetingInput"), ("201", ""), &["403"], &["patient"])
            }),
        ),
        (
            "/api/v1/meetings/{meeting}",
            json!({
                "get": op("The meeting: participants with their times, agenda, pre-reads released to the reader, decisions and their actions", None, ("200", ""), &["403"], m),
                "put": op("Change the meeting; invitees get an updated calendar file (If-Match)", Some("MeetingInput"), ("200", ""), upd, m)
            }),
        ),
        (
            "/api/v1/meetings/{meeting}/cancel",
            json!({"post": op("Cancel; invitees get METHOD:CANCEL (If-Match)", None, ("200", ""), upd, m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/participants",
            json!({"post": op("Invite a team member, the patient or an external guest", Some("InviteInput"), ("201", ""), &["403"], m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/reply",
            json!({"post": op("Reply to my invitation: accepted, declined, tentative", Some("ReplyBody"), ("204", ""), &["403"], m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/raise",
            json!({"post": op("What I want to raise", Some("RaiseBody"), ("204", ""), &["403"], m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/calendar.ics",
            json!({"get": {"summary": "My calendar file (RFC 5545) for the meeting", "security": [{"bearer": []}], "parameters": [{"name": "meeting", "in": "path", "required": true, "schema": uuid()}], "responses": {"200": {"description": "text/calendar"}, "404": {"description": "Not found"}}}}),
        ),
        (
            "/api/v1/meetings/{meeting}/agenda",
            json!({"post": op("Add an agenda item (slot inside the meeting, no overlap, responsible person invited)", Some("AgendaItemInput"), ("201", ""), &["403"], m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/agenda/{item}",
            json!({"put": op("Change an agenda item (If-Match)", Some("AgendaItemInput"), ("200", ""), upd, mi)}),
        ),
        (
            "/api/v1/meetings/{meeting}/agenda/{item}/minutes",
            json!({"put": op("Minutes for the item, versioned (If-Match)", Some("MinutesBody"), ("200", ""), upd, mi)}),
        ),
        (
            "/api/v1/meetings/{meeting}/agenda/{item}/request",
            json!({"post": op("The patient asks to change the item", Some("WishBody"), ("204", ""), &["403"], mi)}),
        ),
        (
            "/api/v1/meetings/{meeting}/agenda/{item}/decisions",
            json!({"post": op("Record a decision; it becomes a care-plan action", Some("DecisionInput"), ("201", ""), &["403"], mi)}),
        ),
        (
            "/api/v1/meetings/{meeting}/pre-reads",
            json!({"post": op("Add a pre-read (released by the meeting's policy and the patient's consent)", Some("PreReadInput"), ("201", ""), &["403"], m)}),
        ),
        (
            "/api/v1/meetings/{meeting}/summary",
            json!({"put": op("Plain-language summary; marks the meeting held; optionally plans the next (If-Match)", Some("SummaryInput"), ("200", ""), upd, m)}),
        ),
    ];
    for (path, item) in paths {
        doc["paths"][path] = item;
    }
    let schemas = [
        (
            "MeetingInput",
            json!({"type": "object", "additionalProperties": false, "required": ["kind", "mode", "title", "starts_at", "duration_minutes", "pre_read_policy"], "properties": {
                "kind": {"type": "string", "enum": ["collaboration_after_assessment", "discharge_planning", "coordination", "review", "dialogue_meeting"]},
                "mode": {"type": "string", "enum": ["digital", "hybrid", "in_person"]},
                "title": s(200), "starts_at": {"type": "string", "description": format!("local YYYY-MM-DDTHH:MM, from now up to {} years ahead", samband_domain::text::PLANNING_YEARS)},
                "duration_minutes": {"type": "integer", "minimum": 15, "maximum": 480},
                "video_link": s(1000), "place": s(200),
                "pre_read_policy": {"type": "string", "enum": ["days_before", "at_meeting", "professionals_only"]},
                "pre_read_days": {"type": "integer", "minimum": 1, "maximum": 30}, "follow_up_date": date()
            }}),
        ),
        (
            "InviteInput",
            json!({"type": "object", "additionalProperties": false, "properties": {
                "member_id": uuid(), "patient": {"type": "boolean"},
                "guest": {"type": "object", "additionalProperties": false, "required": ["name", "email"], "properties": {"name": s(200), "organisation": s(200), "email": s(254)}}
            }}),
        ),
        (
            "ReplyBody",
            json!({"type": "object", "additionalProperties": false, "required": ["reply"], "properties": {"reply": {"type": "string", "enum": ["accepted", "declined", "tentative"]}}}),
        ),
        (
            "RaiseBody",
            json!({"type": "object", "additionalProperties": false, "required": ["raise"], "properties": {"raise": s(4000)}}),
        ),
        (
            "WishBody",
            json!({"type": "object", "additionalProperties": false, "required": ["wish"], "properties": {"wish": s(4000)}}),
        ),
        (
            "MinutesBody",
            json!({"type": "object", "additionalProperties": false, "required": ["minutes"], "properties": {"minutes": s(20000), "minutes_category": {"$ref": "#/components/schemas/Category"}}}),
        ),
        (
            "AgendaItemInput",
            json!({"type": "object", "additionalProperties": false, "required": ["title", "start", "duration_minutes", "responsible"], "properties": {
                "title": s(200), "start": {"type": "string", "description": "local HH:MM"}, "duration_minutes": {"type": "integer", "minimum": 1},
                "responsible": uuid(), "participants": {"type": "array", "items": uuid()}, "patient_present": {"type": "boolean"}
            }}),
        ),
        (
            "DecisionInput",
            json!({"type": "object", "additionalProperties": false, "required": ["text", "owner_member_id", "due_date"], "properties": {"text": s(4000), "owner_member_id": uuid(), "due_date": date(), "goal_id": uuid()}}),
        ),
        (
            "PreReadInput",
            json!({"type": "object", "additionalProperties": false, "required": ["kind", "title", "body"], "properties": {
                "kind": {"type": "string", "enum": ["notes", "assessment", "suggested_actions"]}, "title": s(200), "body": s(20000),
                "category": {"$ref": "#/components/schemas/Category"}
            }}),
        ),
        (
            "SummaryInput",
            json!({"type": "object", "additionalProperties": false, "required": ["summary"], "properties": {"summary": s(4000), "plan_next": {"type": "boolean"}}}),
        ),
    ];
    for (name, schema) in schemas {
        doc["components"]["schemas"][name] = schema;
    }
}

fn core_spec() -> Value {
    let upd = &["412", "428", "403"][..];
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Samband API",
            "version": "1",
            "description": "Cross-sectoral care coordination. Every read and write is checked against the caller's care-team membership and role, and audited."
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/v1/auth/token": {"post": {
                "summary": "Exchange username and password for a bearer token (shown once)",
                "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
                "responses": {
                    "201": {"description": "Token issued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}},
                    "400": {"description": "Malformed request", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                    "401": {"description": "Wrong username or password", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                    "422": {"description": "Invalid input", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                    "429": {"description": "Too many failed attempts", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                }
            }},
            "/api/v1/me": {"get": op("The signed-in principal", None, ("200", ""), &[], &[])},
            "/api/v1/organisations": {
                "get": op("List organisations", None, ("200", ""), &["403"], &[]),
                "post": op("Create an organisation (administrators)", Some("OrganisationRequest"), ("201", ""), &["403"], &[])
            },
            "/api/v1/professionals": {
                "get": op("List professionals", None, ("200", ""), &["403"], &[]),
                "post": op("Create a professional (administrators)", Some("ProfessionalRequest"), ("201", ""), &["403"], &[])
            },
            "/api/v1/accounts": {"post": op("Create an account (administrators)", Some("AccountRequest"), ("201", ""), &["403"], &[])},
            "/api/v1/patients": {
                "get": op("My patients: those whose care team I am active on", None, ("200", ""), &["403"], &[]),
                "post": op("Register a patient; the caller becomes coordinator", Some("RegisterPatient"), ("201", "PatientOverview"), &["403"], &[])
            },
            "/api/v1/patients/{patient}": {"get": op("Patient overview: team, goals, actions, services, crisis plan", None, ("200", "PatientOverview"), &[], &["patient"])},
            "/api/v1/patients/{patient}/history": {"get": {
                "summary": "Change history, newest first",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "patient", "in": "path", "required": true, "schema": uuid()},
                    {"name": "object_id", "in": "query", "required": false, "schema": s(64)}
                ],
                "responses": problem_responses(&[]).as_object().cloned().map(|mut m| { m.insert("200".into(), json!({"description": "History entries", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}})); Value::Object(m) }).unwrap_or_default()
            }},
            "/api/v1/patients/{patient}/team/members": {"post": op("Add a team member (If-Match: team version)", Some("MemberInput"), ("201", "CareTeam"), upd, &["patient"])},
            "/api/v1/patients/{patient}/team/members/{member}": {"put": op("Replace a team member (If-Match: team version)", Some("MemberInput"), ("200", "CareTeam"), upd, &["patient", "member"])},
            "/api/v1/patients/{patient}/plan": {"put": op("Set the plan's revision date", Some("PlanHeaderRequest"), ("200", ""), upd, &["patient"])},
            "/api/v1/patients/{patient}/actions": {"post": op("Add an action", Some("ActionInput"), ("201", "Action"), &["403"], &["patient"])},
            "/api/v1/patients/{patient}/actions/{action}": {
                "get": op("Read an action (ETag: version)", None, ("200", "Action"), &[], &["patient", "action"]),
                "put": op("Update an action", Some("ActionInput"), ("200", "Action"), upd, &["patient", "action"])
            },
            "/api/v1/patients/{patient}/goals": {"post": op("Add a goal (patients: in their own words)", Some("GoalInput"), ("201", "Goal"), &["403"], &["patient"])},
            "/api/v1/patients/{patient}/goals/{goal}": {"put": op("Update a goal", Some("GoalInput"), ("200", "Goal"), upd, &["patient", "goal"])},
            "/api/v1/patients/{patient}/services": {"post": op("Add an allocated service", Some("ServiceInput"), ("201", "Service"), &["403"], &["patient"])},
            "/api/v1/patients/{patient}/services/{service}": {"put": op("Update a service", Some("ServiceInput"), ("200", "Service"), upd, &["patient", "service"])},
            "/api/v1/patients/{patient}/consent": {
                "get": op("The patient's consent: who may see which categories (ETag: version)", None, ("200", "Consent"), &["403"], &["patient"]),
                "put": op("Replace the consent rules (the patient; or a professional recording a paper consent, with password)", Some("ConsentRequest"), ("200", "Consent"), upd, &["patient"])
            },
            "/api/v1/patients/{patient}/emergency-access": {"post": op("Break the glass: read this patient's record for at most 4 hours (reason and password required; logged and shown to the patient)", Some("EmergencyRequest"), ("201", ""), &["403"], &["patient"])},
            "/api/v1/patients/{patient}/access-log": {"get": op("Who opened or changed the record (the patient only)", None, ("200", ""), &["403"], &["patient"])},
            "/api/v1/audit": {"get": {
                "summary": "The audit trail in sequence order, a page at a time (administrators): Samband's own records with their chain fields, or FHIR R4 AuditEvent resources",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["jsonl", "fhir"], "default": "jsonl"}}
                ],
                "responses": problem_responses(&["403"])
            }},
            "/api/v1/emergency-access": {"get": op("Emergency-access events awaiting review (administrators)", None, ("200", ""), &["403"], &[])},
            "/api/v1/emergency-access/{grant}/review": {"post": op("Mark an emergency-access event reviewed", None, ("204", ""), &["403"], &["grant"])},
            "/api/v1/patients/{patient}/crisis-plan": {"put": op("Update the crisis plan (If-Match \"0\" for the first version; patients may change only what_helps)", Some("CrisisPlanInput"), ("200", "CrisisPlan"), upd, &["patient"])}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {"type": "object", "description": "RFC 9457 problem document", "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                    "current": {"type": "object"}, "current_version": {"type": "integer"}, "changed_by": {"type": "string"}, "changed_at": {"type": "string"}
                }, "required": ["type", "title", "status"]},
                "FieldError": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}, "required": ["field", "code", "message"]},
                "TokenRequest": {"type": "object", "additionalProperties": false, "required": ["username", "password", "name"], "properties": {
                    "username": s(64), "password": s(1024), "name": s(100), "code": s(16),
                    "scopes": {"type": "string", "enum": ["read", "write", "read write"]},
                    "days": {"type": "integer", "minimum": 1}
                }},
                "TokenResponse": {"type": "object", "properties": {"id": uuid(), "token": {"type": "string", "description": "Shown only in this response"}, "token_type": {"type": "string"}, "scopes": {"type": "string"}, "expires_at": {"type": "string"}}},
                "OrganisationRequest": {"type": "object", "additionalProperties": false, "required": ["name", "sector"], "properties": {"name": s(200), "sector": {"$ref": "#/components/schemas/Sector"}, "country": {"$ref": "#/components/schemas/Country"}}},
                "Country": {"type": "string", "enum": ["NO", "DK"], "description": "Where an organisation works, or where a patient lives (emergency numbers follow it)"},
                "Sector": {"type": "string", "enum": ["specialist_health", "primary_care", "municipal_care", "social_security", "other"]},
                "ProfessionalRequest": {"type": "object", "additionalProperties": false, "required": ["name", "title", "organisation_ids"], "properties": {
                    "name": s(200), "title": s(200), "organisation_ids": {"type": "array", "items": uuid(), "minItems": 1},
                    "phone": s(20), "email": s(254), "availability": s(4000)
                }},
                "AccountRequest": {"type": "object", "additionalProperties": false, "required": ["username", "password", "role", "display_name"], "properties": {
                    "username": s(64), "password": {"type": "string", "minLength": 12, "maxLength": 1024},
                    "role": {"type": "string", "enum": ["professional", "patient", "admin"]}, "display_name": s(200),
                    "professional_id": uuid(), "patient_id": uuid()
                }},
                "RegisterPatient": {"type": "object", "additionalProperties": false, "required": ["name", "birth_date", "preferred_contact", "my_role", "my_responsibility"], "properties": {
                    "name": s(200), "birth_date": birth_date(), "national_id_country": {"type": "string", "enum": ["NO", "DK"]},
                    "national_id": {"type": "string", "description": "Norwegian fødselsnummer/D-number (11 digits, check digits verified) or Danish CPR (DDMMYY-SSSS)"},
                    "preferred_contact": {"type": "string", "enum": ["in_app", "sms", "phone", "email", "letter"]},
                    "phone": s(20), "email": s(254), "my_role": s(200), "my_responsibility": s(4000)
                }},
                "MemberInput": {"type": "object", "additionalProperties": false, "required": ["kind", "role", "responsibility", "active_from"], "properties": {
                    "kind": {"type": "string", "enum": ["professional", "patient", "proxy"]}, "professional_id": uuid(), "name": s(200),
                    "organisation_id": uuid(), "role": s(200), "responsibility": s(4000), "phone": s(20),
                    "is_coordinator": {"type": "boolean", "description": "Making a member coordinator moves the role from the current one"},
                    "active_from": date(), "active_to": date(), "reason": s(4000)
                }},
                "CareTeam": {"type": "object", "properties": {"patient_id": uuid(), "version": {"type": "integer"}, "members": {"type": "array", "items": {"type": "object"}}}},
                "PlanHeaderRequest": {"type": "object", "additionalProperties": false, "properties": {"revision_date": date()}},
                "ActionInput": {"type": "object", "additionalProperties": false, "required": ["title", "owner_member_id", "due_date"], "properties": {
                    "title": s(200), "owner_member_id": uuid(), "sector": {"$ref": "#/components/schemas/Sector"},
                    "due_date": date(), "status": {"type": "string", "enum": ["planned", "in_progress", "done", "cancelled"]},
                    "goal_id": uuid(), "reason": s(4000)
                }},
                "Action": {"type": "object", "properties": {
                    "id": uuid(), "patient_id": uuid(), "title": {"type": "string"}, "owner_member_id": uuid(), "sector": {"$ref": "#/components/schemas/Sector"},
                    "due_date": date(), "status": {"type": "string"}, "goal_id": uuid(), "created_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}
                }},
                "GoalInput": {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {
                    "text": s(4000), "author": {"type": "string", "enum": ["patient", "professional"]}, "owner_member_id": uuid(), "achieved": {"type": "boolean"}, "reason": s(4000)
                }},
                "Goal": {"type": "object", "properties": {"id": uuid(), "author": {"type": "string"}, "text": {"type": "string"}, "achieved": {"type": "boolean"}, "version": {"type": "integer"}}},
                "ServiceInput": {"type": "object", "additionalProperties": false, "required": ["what", "provider", "frequency"], "properties": {"what": s(200), "provider": s(200), "frequency": s(200), "reason": s(4000)}},
                "Service": {"type": "object", "properties": {"id": uuid(), "what": {"type": "string"}, "provider": {"type": "string"}, "frequency": {"type": "string"}, "version": {"type": "integer"}}},
                "Category": {"type": "string", "enum": ["plan_and_actions", "clinical_notes", "medication", "mental_health", "work_capacity", "social_circumstances", "crisis_plan", "self_reports", "meeting_pre_reads"]},
                "RuleInput": {"type": "object", "additionalProperties": false, "required": ["recipient_kind", "recipient", "category", "permit"], "properties": {
                    "recipient_kind": {"type": "string", "enum": ["organisation", "sector"]},
                    "recipient": {"type": "string", "description": "An organisation id, or a sector name"},
                    "category": {"$ref": "#/components/schemas/Category"}, "permit": {"type": "boolean"},
                    "valid_from": date(), "valid_to": date(),
                    "purpose": {"type": "string", "enum": ["treatment", "coordination", "work_rehabilitation"]}
                }},
                "ConsentRequest": {"type": "object", "additionalProperties": false, "required": ["rules"], "properties": {
                    "rules": {"type": "array", "maxItems": 500, "items": {"$ref": "#/components/schemas/RuleInput"}}, "password": s(1024)
                }},
                "Consent": {"type": "object", "properties": {"patient_id": uuid(), "rules": {"type": "array", "items": {"type": "object"}}, "updated_at": {"type": "string"}, "version": {"type": "integer"}}},
                "EmergencyRequest": {"type": "object", "additionalProperties": false, "required": ["reason_code", "reason_text", "password"], "properties": {
                    "reason_code": {"type": "string", "enum": ["urgent_treatment", "patient_unconscious", "threat_to_life_or_health", "other"]},
                    "reason_text": {"type": "string", "minLength": 10, "maxLength": 4000}, "password": s(1024)
                }},
                "CrisisPlanInput": {"type": "object", "additionalProperties": false, "properties": {"warning_signs": s(4000), "what_helps": s(4000), "contacts": s(4000), "reason": s(4000)}},
                "CrisisPlan": {"type": "object", "properties": {"warning_signs": {"type": "string"}, "what_helps": {"type": "string"}, "contacts": {"type": "string"}, "version": {"type": "integer"}}},
                "PatientOverview": {"type": "object", "properties": {
                    "patient": {"type": "object"}, "team": {"$ref": "#/components/schemas/CareTeam"}, "members": {"type": "array", "items": {"type": "object"}},
                    "plan": {"type": "object"}, "goals": {"type": "array", "items": {"$ref": "#/components/schemas/Goal"}},
                    "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}}, "services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
                    "crisis_plan": {"oneOf": [{"$ref": "#/components/schemas/CrisisPlan"}, {"type": "null"}]}, "today": date(), "can_edit_plan": {"type": "boolean"},
                    "country": {"$ref": "#/components/schemas/Country"},
                    "emergency_numbers": {"type": "array", "description": "What to call in an emergency where the patient lives, the medical emergency first", "items": {"type": "object", "properties": {"service": {"type": "string", "enum": ["medical", "police", "fire", "all_emergencies", "out_of_hours_doctor", "medical_helpline_capital_region"]}, "number": {"type": "string"}, "display": {"type": "string"}}}}
                }}
            }
        }
    })
}
