-- 0001_init: the first Switchboard schema (DESIGN.md "State").
--
-- Applied by `switchboard-admin migrate` as the owner role (switchboard), inside one transaction:
-- no BEGIN/COMMIT and nothing that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
-- Never edit this file once applied anywhere; add 0002_... instead (the runner refuses changed
-- files).
--
-- Tenancy rules every later migration follows too:
--   * every tenant table has business_id uuid NOT NULL REFERENCES businesses;
--   * child rows reference their parent by (business_id, id), so a row can never point at
--     another tenant's row, even through a bug (foreign-key checks bypass row-level security);
--   * ENABLE ROW LEVEL SECURITY with the policy tenant_isolation on app.business_id, which
--     db::SetTenant sets per transaction (set_config(..., true)); unscoped, the app sees nothing;
--   * GRANT SELECT, INSERT, UPDATE, DELETE to switchboard_app explicitly (no default privileges,
--     so a table without a policy is never reachable by the app by accident).
--
-- The policies use NULLIF(current_setting('app.business_id', true), '')::uuid: once a session
-- has set the variable in any transaction, it reads '' (not NULL) afterwards, and ''::uuid would
-- raise instead of matching nothing.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The application role is created by the harness (compose/local/lib.sh) with LOGIN; elsewhere
-- (docker) make sure it exists so the GRANTs below work.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchboard_app') THEN
    CREATE ROLE switchboard_app NOLOGIN;
  END IF;
END
$$;

-- Tenants. settings: {"personality", "greeting", "fallback_message", "limit_message"}.
-- opening_hours: {"monday": [{"open": "09:00", "close": "17:00"}], ..., "sunday": []} in the
-- business's own timezone (an IANA name); a missing or empty day is closed.
CREATE TABLE businesses (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL,
  slug                  text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
  settings              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  timezone              text NOT NULL DEFAULT 'UTC',
  opening_hours         jsonb NOT NULL DEFAULT '{}'
                          CHECK (jsonb_typeof(opening_hours) = 'object'),
  booking_horizon_days  integer NOT NULL DEFAULT 30 CHECK (booking_horizon_days > 0),
  buffer_minutes        integer NOT NULL DEFAULT 0 CHECK (buffer_minutes >= 0),
  plan                  text NOT NULL DEFAULT 'free',
  monthly_message_limit integer NOT NULL DEFAULT 1000 CHECK (monthly_message_limit >= 0),
  created_at            timestamptz NOT NULL DEFAULT now()
);

-- A channel account of a tenant. platform_id: WhatsApp phone_number_id, Messenger page id,
-- Instagram account id, or the Vapi assistant / phone number id. The token is AES-256-GCM
-- ciphertext (common/token_cipher.hpp) under key token_key_id; NULL when the channel needs none.
CREATE TABLE integrations (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id             uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  type                    text NOT NULL
                            CHECK (type IN ('whatsapp', 'instagram', 'messenger', 'vapi')),
  platform_id             text NOT NULL,
  access_token_ciphertext bytea,
  token_key_id            text,
  active                  boolean NOT NULL DEFAULT true,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (type, platform_id),
  CHECK ((access_token_ciphertext IS NULL) = (token_key_id IS NULL))
);
CREATE INDEX integrations_business_idx ON integrations (business_id);

-- phone: E.164 without the '+', digits only (a WhatsApp wa_id has this form already).
CREATE TABLE customers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  name        text,
  email       text,
  phone       text CHECK (phone ~ '^[0-9]{4,15}$'),
  tags        text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, id)
);
CREATE INDEX customers_phone_idx ON customers (business_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_email_idx ON customers (business_id, lower(email)) WHERE email IS NOT NULL;

-- How a customer is known on each channel: (whatsapp, wa_id), (instagram, IGSID),
-- (messenger, PSID), (voice, caller number), (phone, E.164 digits). A caller and a WhatsApp
-- sender with the same number meet through customers.phone or the (phone, digits) identity.
CREATE TABLE customer_identities (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL,
  channel     text NOT NULL
                CHECK (channel IN ('whatsapp', 'instagram', 'messenger', 'voice', 'phone')),
  external_id text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, channel, external_id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_identities_customer_idx ON customer_identities (customer_id);

-- At most one open (ACTIVE or HANDED_OFF) conversation per customer and channel, so a handed-off
-- conversation is not bypassed by a new AI one: get-or-open with
--   INSERT ... ON CONFLICT (business_id, customer_id, channel) WHERE status <> 'CLOSED' DO NOTHING
-- metadata: channel-specific extras (for voice: call id, summary, recording URL, seconds).
CREATE TABLE conversations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id     uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  customer_id     uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('whatsapp', 'instagram', 'messenger', 'voice')),
  status          text NOT NULL DEFAULT 'ACTIVE'
                    CHECK (status IN ('ACTIVE', 'CLOSED', 'HANDED_OFF')),
  needs_human     boolean NOT NULL DEFAULT false,
  last_inbound_at timestamptz,
  opened_at       timestamptz NOT NULL DEFAULT now(),
  closed_at       timestamptz,
  metadata        jsonb NOT NULL DEFAULT '{}',
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE,
  CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
);
CREATE UNIQUE INDEX conversations_open_uq ON conversations (business_id, customer_id, channel)
  WHERE status <> 'CLOSED';
CREATE INDEX conversations_customer_idx ON conversations (business_id, customer_id, opened_at);
CREATE INDEX conversations_needs_human_idx ON conversations (business_id) WHERE needs_human;

-- Every message of a conversation. (business_id, channel, platform_message_id) is the inbound
-- dedupe key (INSERT ... ON CONFLICT DO NOTHING); outbound rows get platform_message_id once
-- sent. event_id: the id of the event that wrote the row (the agent's reply event), unique per
-- tenant, so a replayed event stores nothing twice.
CREATE TABLE messages (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id         uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  conversation_id     uuid NOT NULL,
  role                text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  content             text NOT NULL DEFAULT '',
  tool_calls          jsonb,
  sources             jsonb,
  prompt_tokens       integer,
  completion_tokens   integer,
  latency_ms          integer,
  platform_message_id text,
  channel             text NOT NULL
                        CHECK (channel IN ('whatsapp', 'instagram', 'messenger', 'voice')),
  status              text NOT NULL CHECK (status IN ('received', 'pending', 'sent', 'delivered',
                                                      'read', 'failed', 'unknown')),
  error               jsonb,
  event_id            text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, channel, platform_message_id),
  UNIQUE (business_id, event_id),
  UNIQUE (business_id, id),
  FOREIGN KEY (business_id, conversation_id) REFERENCES conversations (business_id, id)
    ON DELETE CASCADE
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at);

CREATE TABLE services (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id      uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  name             text NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
  price_cents      bigint NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
  currency         text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  description      text NOT NULL DEFAULT '',
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, name),
  UNIQUE (business_id, id)
);

-- Booked appointments of a business never overlap (half-open ranges: 10:00-11:00 and
-- 11:00-12:00 both fit); a second booking of a taken slot fails with SQLSTATE 23P01
-- (exclusion_violation) on appointments_no_overlap, even when both commit at the same time.
CREATE TABLE appointments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id  uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  customer_id  uuid NOT NULL,
  service_id   uuid,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  during       tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
  status       text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
  notes        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK (ends_at > starts_at),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE,
  FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id)
    ON DELETE SET NULL (service_id),
  CONSTRAINT appointments_no_overlap
    EXCLUDE USING gist (business_id WITH =, during WITH &&) WHERE (status = 'booked')
);
CREATE INDEX appointments_customer_idx ON appointments (business_id, customer_id, starts_at);

CREATE TABLE knowledge_items (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  title       text NOT NULL,
  body        text NOT NULL,
  source      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, id)
);

-- Search: WHERE tsv @@ websearch_to_tsquery('english', $q) ORDER BY ts_rank(tsv, ...).
-- embedding: the vector of an OpenAI-compatible embeddings endpoint, when one is configured.
CREATE TABLE knowledge_chunks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  item_id     uuid NOT NULL,
  ordinal     integer NOT NULL CHECK (ordinal >= 0),
  heading     text,
  content     text NOT NULL,
  tsv         tsvector GENERATED ALWAYS AS
                (to_tsvector('english', coalesce(heading, '') || ' ' || content)) STORED,
  token_count integer NOT NULL DEFAULT 0 CHECK (token_count >= 0),
  embedding   real[],
  UNIQUE (item_id, ordinal),
  FOREIGN KEY (business_id, item_id) REFERENCES knowledge_items (business_id, id)
    ON DELETE CASCADE
);
CREATE INDEX knowledge_chunks_tsv_idx ON knowledge_chunks USING gin (tsv);
CREATE INDEX knowledge_chunks_business_idx ON knowledge_chunks (business_id);

-- month: the first day of the month (UTC). Increment with
--   INSERT ... ON CONFLICT (business_id, month) DO UPDATE SET messages = usage_counters.messages + ...
CREATE TABLE usage_counters (
  business_id   uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  month         date NOT NULL CHECK (extract(day FROM month) = 1),
  messages      bigint NOT NULL DEFAULT 0,
  llm_tokens    bigint NOT NULL DEFAULT 0,
  voice_seconds bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, month)
);

-- The usage stage inserts the event first (ON CONFLICT DO NOTHING) and counts it only when the
-- insert took a row, in the same transaction as the counter update.
CREATE TABLE usage_events (
  business_id   uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  event_id      text NOT NULL,
  kind          text NOT NULL DEFAULT '',
  messages      bigint NOT NULL DEFAULT 0,
  llm_tokens    bigint NOT NULL DEFAULT 0,
  voice_seconds bigint NOT NULL DEFAULT 0,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, event_id)
);

CREATE TABLE leads (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  customer_id uuid,
  name        text,
  email       text,
  phone       text,
  source      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id)
    ON DELETE SET NULL (customer_id)
);
CREATE INDEX leads_business_idx ON leads (business_id, created_at);

-- The at-most-once record of an outbound send, keyed by the reply event. The sender claims it
-- (pending -> sending) in its own committed transaction before calling the platform; a row found
-- in 'sending' after a crash becomes 'unknown' and is never sent blindly again.
CREATE TABLE send_states (
  business_id         uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  reply_event_id      text NOT NULL,
  message_id          uuid,
  state               text NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  platform_message_id text,
  last_error          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, reply_event_id),
  FOREIGN KEY (business_id, message_id) REFERENCES messages (business_id, id)
    ON DELETE SET NULL (message_id)
);

-- Generic consumer idempotency: a stage inserts (stage, event_id) ON CONFLICT DO NOTHING in the
-- transaction that does the event's work; no row inserted means the event was done already.
CREATE TABLE processed_events (
  business_id  uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  stage        text NOT NULL,
  event_id     text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stage, event_id)
);
CREATE INDEX processed_events_business_idx ON processed_events (business_id);

-- Row-level security: a transaction sees and writes only the rows of the tenant it is scoped to.
ALTER TABLE businesses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON businesses
  USING (id = NULLIF(current_setting('app.business_id', true), '')::uuid)
  WITH CHECK (id = NULLIF(current_setting('app.business_id', true), '')::uuid);

DO $$
DECLARE
  tenant_table text;
BEGIN
  FOREACH tenant_table IN ARRAY ARRAY[
    'integrations', 'customers', 'customer_identities', 'conversations', 'messages', 'services',
    'appointments', 'knowledge_items', 'knowledge_chunks', 'usage_counters', 'usage_events',
    'leads', 'send_states', 'processed_events']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I '
      'USING (business_id = NULLIF(current_setting(''app.business_id'', true), '''')::uuid) '
      'WITH CHECK (business_id = NULLIF(current_setting(''app.business_id'', true), '''')::uuid)',
      tenant_table);
  END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO switchboard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  businesses, integrations, customers, customer_identities, conversations, messages, services,
  appointments, knowledge_items, knowledge_chunks, usage_counters, usage_events, leads,
  send_states, processed_events
  TO switchboard_app;

-- Maps a channel account to its tenant before the tenant is known (the resolver, ingest-side
-- lookups). Runs as the owner, so it bypasses row-level security, and returns only what routing
-- needs of active integrations.
CREATE FUNCTION resolve_integration(p_type text, p_platform_id text)
  RETURNS TABLE (business_id uuid, integration_id uuid, access_token_ciphertext bytea,
                 token_key_id text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
  SELECT i.business_id, i.id, i.access_token_ciphertext, i.token_key_id
    FROM public.integrations AS i
   WHERE i.type = p_type AND i.platform_id = p_platform_id AND i.active
$$;
REVOKE ALL ON FUNCTION resolve_integration(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_integration(text, text) TO switchboard_app;
