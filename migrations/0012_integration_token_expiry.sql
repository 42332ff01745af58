-- 0012_integration_token_expiry: when an integration's access token expires (Meta's long-lived
-- user tokens last about 60 days; page tokens derived from them do not expire: NULL). The admin
-- API shows each integration's status from it: active, expiring (within 7 days), expired, or
-- revoked (the integration is inactive).
ALTER TABLE integrations ADD COLUMN token_expires_at timestamptz;
