-- Privacy officers: professionals who review emergency access by people in their own
-- organisation (administrators review too, seeing no clinical content).

ALTER TABLE accounts ADD COLUMN privacy_officer BOOLEAN NOT NULL DEFAULT FALSE;
