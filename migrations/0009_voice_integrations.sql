-- 0009_voice_integrations: the Vapi phone numbers (and assistants) of each tenant, what ingest
-- answers Vapi's assistant-request with, and a monthly voice limit per business.
--
-- ingest never queries the database per request: it loads every active voice integration with
-- the facts its assistant speaks from (voice_directory()) at start and again in the background,
-- and keeps them in memory (ingest/voice_directory.hpp).

-- A business's voice minutes per month; the assistant-request answer refuses new calls past it.
-- Counted from usage_counters.voice_seconds (the calls stage reports each call's seconds).
ALTER TABLE businesses
  ADD COLUMN IF NOT EXISTS monthly_voice_minutes_limit integer NOT NULL DEFAULT 300
    CHECK (monthly_voice_minutes_limit >= 0);

-- phone_number_id: Vapi's id of the number customers call (call.phoneNumberId); assistant_id:
-- Vapi's assistant id when calls arrive through an assistant of the tenant's own (web calls),
-- else NULL. first_message: what the assistant says first ('' = the business's greeting).
-- voice: Vapi's voice object, e.g. {"provider": "11labs", "voiceId": "..."} ('{}' = Vapi's
-- default voice).
CREATE TABLE voice_integrations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id     uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  phone_number_id text NOT NULL UNIQUE CHECK (phone_number_id <> ''),
  assistant_id    text UNIQUE CHECK (assistant_id <> ''),
  first_message   text NOT NULL DEFAULT '',
  voice           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(voice) = 'object'),
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX voice_integrations_business_idx ON voice_integrations (business_id);

ALTER TABLE voice_integrations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON voice_integrations
  USING (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid)
  WITH CHECK (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON voice_integrations TO switchboard_app;

-- Every active voice integration with what its assistant speaks from: the business's name,
-- timezone, language, settings, opening hours, active services (by name) and limit, and the
-- voice seconds counted this month (UTC). Runs as the owner, so it reads across tenants (ingest
-- routes calls before it knows the tenant), and returns only what the answer needs.
CREATE FUNCTION voice_directory()
  RETURNS TABLE (phone_number_id text, assistant_id text, business_id uuid, first_message text,
                 voice jsonb, business_name text, timezone text, language text, settings jsonb,
                 opening_hours jsonb, services jsonb, monthly_voice_minutes_limit integer,
                 voice_seconds_this_month bigint)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
  SELECT v.phone_number_id, v.assistant_id, v.business_id, v.first_message, v.voice, b.name,
         b.timezone, b.language, b.settings, b.opening_hours,
         COALESCE((SELECT jsonb_agg(jsonb_build_object(
                            'name', s.name, 'duration_minutes', s.duration_minutes,
                            'price_cents', s.price_cents, 'currency', s.currency,
                            'description', s.description) ORDER BY s.name)
                     FROM public.services AS s
                    WHERE s.business_id = v.business_id AND s.active), '[]'::jsonb),
         b.monthly_voice_minutes_limit,
         COALESCE((SELECT u.voice_seconds FROM public.usage_counters AS u
                    WHERE u.business_id = v.business_id
                      AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0)
    FROM public.voice_integrations AS v
    JOIN public.businesses AS b ON b.id = v.business_id
   WHERE v.active
$$;
REVOKE ALL ON FUNCTION voice_directory() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION voice_directory() TO switchboard_app;
