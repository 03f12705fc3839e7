-- Collaboration meetings: the meeting, its participants (team members, the patient,
-- external guests with a hashed link token), agenda items with their slots and
-- participants, pre-reads, and decisions linked to the care-plan actions they became.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    video_link TEXT,
    place TEXT,
    organiser_account_id TEXT NOT NULL REFERENCES accounts(id),
    organiser_name TEXT NOT NULL,
    pre_read_policy TEXT NOT NULL,
    pre_read_days INTEGER NOT NULL,
    follow_up_date TEXT,
    summary TEXT,
    status TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX meetings_patient ON meetings(patient_id, starts_at);

CREATE TABLE meeting_participants (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    member_id TEXT,
    account_id TEXT REFERENCES accounts(id),
    name TEXT NOT NULL,
    organisation TEXT,
    email TEXT,
    reply TEXT NOT NULL,
    raise TEXT,
    pre_reads_read_at TEXT,
    guest_token_hash TEXT UNIQUE,
    version INTEGER NOT NULL
);
CREATE INDEX meeting_participants_meeting ON meeting_participants(meeting_id);
CREATE INDEX meeting_participants_account ON meeting_participants(account_id);
-- Inviting someone twice is refused by the use case; these make it impossible.
CREATE UNIQUE INDEX meeting_participants_member ON meeting_participants(meeting_id, member_id);
CREATE UNIQUE INDEX meeting_participants_email ON meeting_participants(meeting_id, email);

CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    title TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL,
    responsible TEXT NOT NULL REFERENCES meeting_participants(id),
    participants TEXT NOT NULL,
    patient_present INTEGER NOT NULL,
    patient_request TEXT,
    minutes TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, start_offset);

CREATE TABLE pre_reads (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    author_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX pre_reads_meeting ON pre_reads(meeting_id, created_at);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    item_id TEXT NOT NULL REFERENCES agenda_items(id),
    text TEXT NOT NULL,
    owner_member_id TEXT NOT NULL,
    due_date TEXT NOT NULL,
    goal_id TEXT,
    action_id TEXT NOT NULL REFERENCES actions(id),
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_meeting ON decisions(meeting_id, created_at);
