-- 0014_admin_tenant_list: the platform admin's list of tenants (GET /v1/tenants of the admin API,
-- the operator console). Row-level security shows the application role one tenant per
-- transaction, so the list is a SECURITY DEFINER function of the owner, like the routing lookups,
-- returning only what the list shows: no settings, no key hashes, no tokens. The admin service
-- calls it for the platform admin token only.
CREATE FUNCTION admin_tenants(p_limit integer)
  RETURNS TABLE (id uuid, name text, slug text, language text, timezone text, active boolean,
                 created_at timestamptz, messages_this_month bigint,
                 monthly_message_limit integer)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
AS $$
  SELECT b.id, b.name, b.slug, b.language, b.timezone, b.active, b.created_at,
         COALESCE(u.messages, 0), b.monthly_message_limit
    FROM public.businesses AS b
    LEFT JOIN public.usage_counters AS u
      ON u.business_id = b.id AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
   ORDER BY b.created_at DESC, b.id
   LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION admin_tenants(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_tenants(integer) TO switchboard_app;
