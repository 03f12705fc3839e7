-- Proxies sign in for the patient who named them; some are authorised (e.g. by a
-- signed power of attorney) to change the patient's consent.

ALTER TABLE accounts ADD COLUMN proxy_may_consent BOOLEAN NOT NULL DEFAULT FALSE;
