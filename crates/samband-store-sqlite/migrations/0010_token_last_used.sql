-- API tokens remember when they last authenticated a request (written at most once a
-- minute), and are listed per account newest first on "Your account".

ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX api_tokens_account ON api_tokens(account_id, created_at);
