-- 0011_admin_api: what the admin API (switchboard-admin serve, issue 13) keeps.
--
-- * businesses.active: a deactivated tenant keeps its data, but its channels are no longer
--   answered: resolve_integration and voice_directory() (the routing lookups of the resolver,
--   the sender and ingest) return only integrations of active businesses.
-- * businesses.api_key_hash: SHA-256 of the tenant's API key (shown once, at creation or
--   rotation; never stored in clear). The key names its tenant ("sbk_<business id>_<secret>"), so
--   it is checked inside that tenant's row-level security scope, without a cross-tenant lookup.
-- * messages.role 'human': a person's reply through the API (stored like the agent's, sent by the
--   sender); messages.reply_kind and replies.outbound's kind 'human' likewise.

ALTER TABLE businesses
  ADD COLUMN active boolean NOT NULL DEFAULT true,
  ADD COLUMN api_key_hash bytea CHECK (octet_length(api_key_hash) = 32),
  ADD COLUMN api_key_created_at timestamptz,
  ADD COLUMN deactivated_at timestamptz,
  ADD CONSTRAINT businesses_deactivated_check CHECK (active = (deactivated_at IS NULL));

ALTER TABLE messages DROP CONSTRAINT messages_role_check,
  ADD CONSTRAINT messages_role_check
    CHECK (role IN ('user', 'assistant', 'system', 'tool', 'human'));
ALTER TABLE messages DROP CONSTRAINT messages_reply_kind_check,
  ADD CONSTRAINT messages_reply_kind_check
    CHECK (reply_kind IN ('ai', 'retrieval', 'fallback', 'limit', 'human'));

-- Same signature, rows and privileges as 0005's (CREATE OR REPLACE keeps the grants), plus: the
-- business is active.
CREATE OR REPLACE FUNCTION resolve_integration(p_type text, p_platform_id text)
  RETURNS TABLE (business_id uuid, integration_id uuid, access_token_ciphertext bytea,
                 token_key_id text)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
BEGIN
  -- Every column is qualified: the output columns are variables of the same names here.
  RETURN QUERY
    SELECT i.business_id, i.id, i.access_token_ciphertext, i.token_key_id
      FROM public.integrations AS i
      JOIN public.businesses AS b ON b.id = i.business_id
     WHERE i.type = p_type AND i.platform_id = p_platform_id AND i.active AND b.active;
END
$$;

-- 0009's voice_directory(), plus: the business is active.
CREATE OR REPLACE FUNCTION voice_directory()
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
   WHERE v.active AND b.active
$$;
