-- PostgreSQL dialect; same meaning as the SQLite tree. Collaboration meetings: the meeting, its participants (team members, the patient,
-- external guests with a hashed link token), agenda items with their slots and
-- participants, pre-reads, and decisions linked to the care-plan actions they became.

CREATE TABLE meetings (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    duration_minutes BIGINT NOT NULL,
    video_link TEXT,
    place TEXT,
    organiser_account_id UUID NOT NULL REFERENCES accounts(id),
    organiser_name TEXT NOT NULL,
    pre_read_policy TEXT NOT NULL,
    pre_read_days BIGINT NOT NULL,
    follow_up_date DATE,
    summary TEXT,
    status TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX meetings_patient ON meetings(patient_id, starts_at);

CREATE TABLE meeting_participants (
    id UUID PRIMARY KEY,
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    member_id UUID,
    account_id UUID REFERENCES accounts(id),
    name TEXT NOT NULL,
    organisation TEXT,
    email TEXT,
    reply TEXT NOT NULL,
    raise TEXT,
    pre_reads_read_at TIMESTAMPTZ,
    guest_token_hash TEXT UNIQUE,
    version BIGINT NOT NULL
);
CREATE INDEX meeting_participants_meeting ON meeting_participants(meeting_id);
CREATE INDEX meeting_participants_account ON meeting_participants(account_id);
-- Inviting someone twice is refused by the use case; these make it impossible.
CREATE UNIQUE INDEX meeting_participants_member ON meeting_participants(meeting_id, member_id);
CREATE UNIQUE INDEX meeting_participants_email ON meeting_participants(meeting_id, email);

CREATE TABLE agenda_items (
    id UUID PRIMARY KEY,
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    title TEXT NOT NULL,
    start_offset BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    responsible UUID NOT NULL REFERENCES meeting_participants(id),
    participants JSONB NOT NULL,
    patient_present BOOLEAN NOT NULL,
    patient_request TEXT,
    minutes TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, start_offset);

CREATE TABLE pre_reads (
    id UUID PRIMARY KEY,
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    author_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pre_reads_meeting ON pre_reads(meeting_id, created_at);

CREATE TABLE decisions (
    id UUID PRIMARY KEY,
    meeting_id UUID NOT NULL REFERENCES meetings(id),
    item_id UUID NOT NULL REFERENCES agenda_items(id),
    text TEXT NOT NULL,
    owner_member_id UUID NOT NULL,
    due_date DATE NOT NULL,
    goal_id UUID,
    action_id UUID NOT NULL REFERENCES actions(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_meeting ON decisions(meeting_id, created_at);
