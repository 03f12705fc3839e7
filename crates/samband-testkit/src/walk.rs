//! Walking every route of the real router: which paths it has (recorded as they are
//! added, see `samband_http::RouteBook` and the API's `ApiBook`), which methods each
//! answers (asked of the running server), real ids to fill the path templates with,
//! and a fingerprint of the stored data to prove a refused request changed nothing.

use crate::{Api, Db, TestApp};
use reqwest::Method;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

/// Tables whose rows change on any request, allowed or refused: the audit trail
/// itself and the sign-in throttles.
const CHURNING_TABLES: [&str; 3] = ["audit_log", "audit_head", "login_failures"];

/// Columns that any use of a session or token touches (everything else of theirs
/// counts: a token revoked or a session ended by a refused request shows).
const CHURNING_COLUMNS: [(&str, &str); 2] =
    [("sessions", "last_seen_at"), ("api_tokens", "last_used_at")];

fn churning(table: &str, column: &str) -> bool {
    CHURNING_COLUMNS.contains(&(table, column))
}

/// The methods the router answers on `path` (a filled template), from the `Allow`
/// header of its 405 to a method no route has.
pub async fn allowed_methods(t: &TestApp, path: &str) -> Vec<Method> {
    let res = reqwest::Client::new()
        .request(Method::from_bytes(b"PATCH").unwrap(), t.url(path))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        405,
        "{path}: no route answers PATCH, so the router must answer 405 with Allow"
    );
    let allow = res
        .headers()
        .get("allow")
        .unwrap_or_else(|| panic!("{path}: 405 without Allow"))
        .to_str()
        .unwrap()
        .to_owned();
    let mut methods: Vec<Method> = allow
        .split(',')
        .map(|m| Method::from_bytes(m.trim().as_bytes()).unwrap())
        .filter(|m| m != Method::HEAD)
        .collect();
    methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    methods
}

/// Real ids of one patient's objects, by the name of the path parameter they fill.
#[derive(Debug, Clone, Default)]
pub struct Ids(pub BTreeMap<&'static str, String>);

impl Ids {
    /// `/patients/{patient}/actions/{action}` with every parameter filled.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').unwrap() + open;
            let name = &rest[open + 1..close];
            let value = self.0.get(name).unwrap_or_else(|| {
                panic!("no id for {{{name}}} in {template}: add one to walk::populate")
            });
            out.push_str(value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Gives patient P of the fixture world one of everything a path can name — an
/// action, goal and service, a thread with a message and an attachment, a request,
/// a meeting with an agenda item, an emergency-access grant — and returns their ids
/// (and the id of the care manager's API token).
pub async fn populate(t: &TestApp, w: &crate::fixture::World) -> Ids {
    let cm = t.api(&t.token("cm").await);
    let p = w.p;
    let id = |r: &crate::Reply, key: &str| -> String {
        assert!(r.status < 300, "{}", r.text);
        r.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {}", r.text))
            .to_owned()
    };
    let mut ids = BTreeMap::new();
    ids.insert("patient", p.to_string());
    ids.insert("member", w.m_gp.to_string());
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/actions"),
            json!({"title": "Walk action", "owner_member_id": w.m_gp, "due_date": "2026-12-24"}),
        )
        .await;
    ids.insert("action", id(&r, "id"));
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/goals"),
            json!({"text": "Walk goal", "author": "professional", "owner_member_id": w.m_nav}),
        )
        .await;
    ids.insert("goal", id(&r, "id"));
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/services"),
            json!({"what": "Walk service", "provider": "Testby kommune", "frequency": "weekly"}),
        )
        .await;
    ids.insert("service", id(&r, "id"));
    let text = base64_text("walk attachment");
    let r = cm
        .post(&format!("/api/v1/patients/{p}/threads"), json!({"subject": "Walk", "body": "Walk message", "to": ["team"], "attachments": [{"file_name": "walk.txt", "content_base64": text}]}))
        .await;
    let thread = id(&r, "thread_id");
    let view = cm.get(&format!("/api/v1/threads/{thread}")).await;
    ids.insert(
        "message",
        view.body["messages"][0]["id"].as_str().unwrap().to_owned(),
    );
    ids.insert(
        "attachment",
        view.body["messages"][0]["attachments"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    ids.insert("thread", thread);
    let r = cm
        .post(&format!("/api/v1/patients/{p}/requests"), json!({"kind": "general_task", "addressee_member_id": w.m_gp, "subject": "Walk request"}))
        .await;
    ids.insert("request", id(&r, "request_id"));
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/pathways"),
            json!({"template_key": "sick_leave_follow_up", "anchor_date": "2026-11-02"}),
        )
        .await;
    ids.insert("enrolment", id(&r, "id"));
    let r = cm
        .post(&format!("/api/v1/patients/{p}/meetings"), json!({"kind": "review", "mode": "in_person", "title": "Walk meeting", "starts_at": "2026-12-03T09:00", "duration_minutes": 60, "place": "Room 1", "pre_read_policy": "at_meeting"}))
        .await;
    let meeting = id(&r, "id");
    let cm_participant = cm.get(&format!("/api/v1/meetings/{meeting}")).await.body["participants"]
        [0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = cm
        .post(&format!("/api/v1/meetings/{meeting}/agenda"), json!({"title": "Walk item", "start": "09:00", "duration_minutes": 20, "responsible": cm_participant}))
        .await;
    assert!(r.status < 300, "{}", r.text);
    let view = cm.get(&format!("/api/v1/meetings/{meeting}")).await;
    ids.insert(
        "item",
        view.body["agenda"][0]["id"].as_str().unwrap().to_owned(),
    );
    ids.insert("meeting", meeting);
    // A hand-over from the care manager to the GP, sent (so every member sees it).
    let r = cm
        .post(&format!("/api/v1/patients/{p}/handovers"), json!({"receiver": w.m_gp, "urgency": "green", "done_and_found": "Walk findings", "patient_summary": "Walk summary"}))
        .await;
    let handover = id(&r, "id");
    let r = cm
        .post_if_match(
            &format!("/api/v1/patients/{p}/handovers/{handover}/send"),
            "\"1\"",
            json!({}),
        )
        .await;
    assert!(r.status < 300, "{}", r.text);
    ids.insert("handover", handover);
    let r = cm
        .post(
            &format!("/api/v1/patients/{p}/schedules"),
            json!({"instrument": "phq9", "every_days": 14}),
        )
        .await;
    ids.insert("schedule", id(&r, "id"));
    let er = t.api(&t.token("er").await);
    let r = er
        .post(&format!("/api/v1/patients/{p}/emergency-access"), json!({"reason_code": "urgent_treatment", "reason_text": "Collapsed in the waiting room", "password": crate::fixture::PASSWORD}))
        .await;
    ids.insert("grant", id(&r, "id"));
    // The care manager's own API token (the one used above).
    let r = cm.get("/api/v1/me/tokens").await;
    assert_eq!(r.status, 200, "{}", r.text);
    ids.insert(
        "token",
        r.body[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a token in {}", r.text))
            .to_owned(),
    );
    // A safety alert the patient raised, and an absence of the care manager's (after
    // the dates the tests use, so it routes nothing).
    let pia = t.api(&t.token("pia").await);
    let r = pia.post("/api/v1/me/crisis", json!({})).await;
    ids.insert("alert", id(&r, "alert"));
    ids.insert("professional", w.care_manager.to_string());
    let r = cm
        .post(
            &format!("/api/v1/professionals/{}/absences", w.care_manager),
            json!({"from": "2027-06-01", "to": "2027-06-20"}),
        )
        .await;
    ids.insert("absence", id(&r, "id"));
    // Parameters that name no patient's object: any well-formed value.
    ids.insert("job", uuid::Uuid::now_v7().to_string());
    Ids(ids)
}

fn base64_text(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

impl TestApp {
    /// Every stored row (but the churning tables'), as text in a stable order: equal
    /// before and after a request exactly when it wrote nothing.
    pub async fn fingerprint(&self) -> String {
        match self.db.as_ref().expect("fingerprint needs TestApp::start") {
            Db::Sqlite(file) => sqlite_fingerprint(file).await,
            Db::Postgres { url, schema } => postgres_fingerprint(url, schema).await,
        }
    }
}

async fn sqlite_fingerprint(file: &std::path::Path) -> String {
    // Read-only, on a connection of its own beside the store's (a WAL snapshot of what
    // is committed); a blocking read, so off the runtime's threads.
    let file = file.to_owned();
    tokio::task::spawn_blocking(move || {
        let conn =
            rusqlite::Connection::open_with_flags(&file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let strings = |sql: &str, col: usize| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(col))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            rows
        };
        let tables: Vec<String> = strings(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            0,
        )
        .into_iter()
        .filter(|n| !CHURNING_TABLES.contains(&n.as_str()))
        .collect();
        let mut out = String::new();
        for table in tables {
            let cols: Vec<String> = strings(&format!("PRAGMA table_info(\"{table}\")"), 1)
                .into_iter()
                .filter(|c| !churning(&table, c))
                .map(|c| format!("quote(\"{c}\")"))
                .collect();
            let rows = strings(
                &format!("SELECT {} FROM \"{table}\"", cols.join(" || ',' || ")),
                0,
            );
            push_table(&mut out, &table, rows);
        }
        out
    })
    .await
    .unwrap()
}

async fn postgres_fingerprint(url: &str, schema: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .filter(|n| !CHURNING_TABLES.contains(&n.as_str()))
    .collect();
    let mut out = String::new();
    for table in tables {
        let cols: Vec<String> = sqlx::query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
        )
        .bind(schema)
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .filter(|c| !churning(&table, c))
        .map(|c| format!("\"{c}\""))
        .collect();
        let rows: Vec<String> = sqlx::query(&format!(
            "SELECT ROW({})::text FROM \"{schema}\".\"{table}\"",
            cols.join(", ")
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        push_table(&mut out, &table, rows);
    }
    out
}

fn push_table(out: &mut String, table: &str, mut rows: Vec<String>) {
    rows.sort();
    out.push_str(&format!("== {table} ({})\n", rows.len()));
    for r in rows {
        out.push_str(&r);
        out.push('\n');
    }
}

/// The API as `who` with `scopes`.
pub async fn api_as(t: &TestApp, who: &str, scopes: &str) -> Api {
    t.api(&t.token_with_scopes(who, scopes).await)
}
