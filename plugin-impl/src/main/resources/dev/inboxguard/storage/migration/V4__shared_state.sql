-- State that several nodes must share: rate-limit buckets and sign-ins to the approval page.
CREATE TABLE rate_buckets (
  bucket VARCHAR(255) PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  updated BIGINT NOT NULL,
  burst INT NOT NULL,
  per_hour INT NOT NULL);

-- the token itself is never stored, only its SHA-256, so a copy of the database signs no one in
CREATE TABLE web_sessions (
  token_hash VARCHAR(64) PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  csrf VARCHAR(64) NOT NULL,
  expires BIGINT NOT NULL);
CREATE INDEX web_sessions_user ON web_sessions (username, expires);
CREATE INDEX web_sessions_expires ON web_sessions (expires);
