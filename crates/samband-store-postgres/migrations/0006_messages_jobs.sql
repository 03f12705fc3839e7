-- PostgreSQL dialect; same meaning as the SQLite tree. Messages with per-recipient receipts, typed requests, the durable job queue (which is
-- also the transactional outbox for e-mail), in-app notifications, notification
-- preferences and "ongoing information" follows.

CREATE TABLE threads (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_message_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX threads_patient ON threads(patient_id, last_message_at);

CREATE TABLE thread_participants (
    thread_id UUID NOT NULL REFERENCES threads(id),
    account_id UUID NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (thread_id, account_id)
);
CREATE INDEX thread_participants_account ON thread_participants(account_id, thread_id);

CREATE TABLE messages (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL REFERENCES threads(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    author_account_id UUID NOT NULL REFERENCES accounts(id),
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    needs_ack BOOLEAN NOT NULL,
    urgent BOOLEAN NOT NULL,
    ack_due DATE
);
CREATE INDEX messages_thread ON messages(thread_id, sent_at);

CREATE TABLE message_recipients (
    message_id UUID NOT NULL REFERENCES messages(id),
    account_id UUID NOT NULL REFERENCES accounts(id),
    thread_id UUID NOT NULL REFERENCES threads(id),
    name TEXT NOT NULL,
    needs_ack BOOLEAN NOT NULL,
    delivered_at TIMESTAMPTZ,
    read_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    escalated_at TIMESTAMPTZ,
    PRIMARY KEY (message_id, account_id)
);
CREATE INDEX message_recipients_account ON message_recipients(account_id, read_at);
CREATE INDEX message_recipients_thread ON message_recipients(thread_id, account_id);

CREATE TABLE attachments (
    id UUID PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES messages(id),
    thread_id UUID NOT NULL REFERENCES threads(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX attachments_thread ON attachments(thread_id);

CREATE TABLE requests (
    id UUID PRIMARY KEY,
    thread_id UUID NOT NULL UNIQUE REFERENCES threads(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    questions JSONB NOT NULL,
    answers JSONB NOT NULL,
    answer_note TEXT,
    decline_reason TEXT,
    requester_account_id UUID NOT NULL REFERENCES accounts(id),
    requester_name TEXT NOT NULL,
    addressee_account_id UUID NOT NULL REFERENCES accounts(id),
    addressee_member_id UUID NOT NULL,
    addressee_name TEXT NOT NULL,
    action_id UUID NOT NULL REFERENCES actions(id),
    due_date DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);
CREATE INDEX requests_patient ON requests(patient_id, created_at);

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    lease_until TIMESTAMPTZ,
    last_error TEXT,
    dedupe_key TEXT UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX jobs_due ON jobs(status, run_at);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts(id),
    patient_id UUID REFERENCES patients(id),
    kind TEXT NOT NULL,
    thread_id UUID REFERENCES threads(id),
    actor_name TEXT,
    detail TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    email_status TEXT NOT NULL
);
CREATE INDEX notifications_account ON notifications(account_id, created_at);
CREATE INDEX notifications_digest ON notifications(email_status, account_id);

CREATE TABLE notification_prefs (
    account_id UUID PRIMARY KEY REFERENCES accounts(id),
    email TEXT,
    mode TEXT NOT NULL
);

CREATE TABLE follows (
    account_id UUID NOT NULL REFERENCES accounts(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    since TIMESTAMPTZ NOT NULL,
    digested_until TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, patient_id)
);
