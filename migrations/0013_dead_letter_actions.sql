-- Dead letters an admin has dealt with (switchboard-admin dlq redrive / purge, /v1/ops/dlq).
--
-- The dead letters themselves stay in their "<topic>.dlq" topics (common/dead_letter); this
-- table only says which are no longer pending: one row per dead letter id (the event_id of the
-- dead-letter/1 envelope), written in the transaction that re-drives it, committed only after the
-- broker acknowledged the re-driven record, so two admins re-driving at once produce it once.
-- Platform operations state, not a tenant's: no business_id; its policy shows the rows only to
-- work that is not scoped to a tenant (db::TenantWork sets app.business_id), so no tenant's
-- transaction reads or writes them.
CREATE TABLE dead_letter_actions (
  dead_letter_id text PRIMARY KEY,
  stage text NOT NULL,
  dlq_topic text NOT NULL,
  dlq_partition integer NOT NULL,
  dlq_offset bigint NOT NULL,
  action text NOT NULL CHECK (action IN ('redriven', 'purged')),
  acted_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE dead_letter_actions ENABLE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON dead_letter_actions
  USING (NULLIF(current_setting('app.business_id', true), '') IS NULL);

GRANT SELECT, INSERT ON dead_letter_actions TO switchboard_app;
