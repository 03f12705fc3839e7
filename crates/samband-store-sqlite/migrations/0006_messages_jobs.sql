-- Messages with per-recipient receipts, typed requests, the durable job queue (which is
-- also the transactional outbox for e-mail), in-app notifications, notification
-- preferences and "ongoing information" follows.

CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    last_message_at TEXT NOT NULL
);
CREATE INDEX threads_patient ON threads(patient_id, last_message_at);

CREATE TABLE thread_participants (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (thread_id, account_id)
);
CREATE INDEX thread_participants_account ON thread_participants(account_id, thread_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads(id),
    patient_id TEXT NOT NULL REFERENCES patients(id),
    author_account_id TEXT NOT NULL REFERENCES accounts(id),
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    needs_ack INTEGER NOT NULL,
    urgent INTEGER NOT NULL,
    ack_due TEXT
);
CREATE INDEX messages_thread ON messages(thread_id, sent_at);

CREATE TABLE message_recipients (
    message_id TEXT NOT NULL REFERENCES messages(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    thread_id TEXT NOT NULL REFERENCES threads(id),
    name TEXT NOT NULL,
    needs_ack INTEGER NOT NULL,
    delivered_at TEXT,
    read_at TEXT,
    acknowledged_at TEXT,
    escalated_at TEXT,
    PRIMARY KEY (message_id, account_id)
);
CREATE INDEX message_recipients_account ON message_recipients(account_id, read_at);
CREATE INDEX message_recipients_thread ON message_recipients(thread_id, account_id);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages(id),
    thread_id TEXT NOT NULL REFERENCES threads(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX attachments_thread ON attachments(thread_id);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL UNIQUE REFERENCES threads(id),
    patient_id TEXT NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    questions TEXT NOT NULL,
    answers TEXT NOT NULL,
    answer_note TEXT,
    decline_reason TEXT,
    requester_account_id TEXT NOT NULL REFERENCES accounts(id),
    requester_name TEXT NOT NULL,
    addressee_account_id TEXT NOT NULL REFERENCES accounts(id),
    addressee_member_id TEXT NOT NULL,
    addressee_name TEXT NOT NULL,
    action_id TEXT NOT NULL REFERENCES actions(id),
    due_date TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answered_at TEXT,
    version INTEGER NOT NULL
);
CREATE INDEX requests_patient ON requests(patient_id, created_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs(status, run_at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    patient_id TEXT REFERENCES patients(id),
    kind TEXT NOT NULL,
    thread_id TEXT REFERENCES threads(id),
    actor_name TEXT,
    detail TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    email_status TEXT NOT NULL
);
CREATE INDEX notifications_account ON notifications(account_id, created_at);
CREATE INDEX notifications_digest ON notifications(email_status, account_id);

CREATE TABLE notification_prefs (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    email TEXT,
    mode TEXT NOT NULL
);

CREATE TABLE follows (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    patient_id TEXT NOT NULL REFERENCES patients(id),
    since TEXT NOT NULL,
    digested_until TEXT NOT NULL,
    PRIMARY KEY (account_id, patient_id)
);
