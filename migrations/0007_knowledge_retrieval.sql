-- 0007_knowledge_retrieval: retrieval that answers the right passage.
--
-- * businesses.language (ISO 639-1, default 'en') picks the text-search configuration of the
--   tenant's chunks and questions (knowledge_search_config: 'de' -> german, unknown -> simple);
--   businesses.address is a structured fact like the opening hours.
-- * knowledge_chunks.tsv is no longer a generated column: a trigger writes it in the business's
--   language, with the chunk's own heading (the last part of its heading path, or the document's
--   title when it has none) weighted A, the headings above it and a title they do not repeat
--   weighted B, and the text D, so that a passage about the question outranks one that only
--   mentions its words. terms: the distinct lowercase words of the chunk, the vocabulary that
--   misspelt question words are matched against (pg_trgm similarity).
-- * The business's structured facts (opening hours, services with prices and durations, the
--   address) are chunks of one knowledge item per business with source 'facts', rewritten by
--   triggers whenever businesses or services change, by any writer (seed-demo, the admin API,
--   psql). A chunk whose text changed loses its embedding (it is re-embedded by
--   `switchboard-admin embed-knowledge`); unchanged chunks keep id and embedding.
-- * embedding_model: the model that computed knowledge_chunks.embedding; a search compares only
--   vectors of the model it embedded the question with.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE businesses
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2}$'),
  ADD COLUMN address text NOT NULL DEFAULT '';

-- The text-search configuration of a language (ISO 639-1); 'simple' (no stemming, no stop words)
-- for a language PostgreSQL has no stemmer for.
CREATE FUNCTION knowledge_search_config(p_language text) RETURNS regconfig
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT (CASE p_language
            WHEN 'en' THEN 'pg_catalog.english'
            WHEN 'de' THEN 'pg_catalog.german'
            WHEN 'fr' THEN 'pg_catalog.french'
            WHEN 'es' THEN 'pg_catalog.spanish'
            WHEN 'it' THEN 'pg_catalog.italian'
            WHEN 'pt' THEN 'pg_catalog.portuguese'
            WHEN 'nl' THEN 'pg_catalog.dutch'
            WHEN 'da' THEN 'pg_catalog.danish'
            WHEN 'sv' THEN 'pg_catalog.swedish'
            WHEN 'no' THEN 'pg_catalog.norwegian'
            WHEN 'nb' THEN 'pg_catalog.norwegian'
            WHEN 'fi' THEN 'pg_catalog.finnish'
            WHEN 'hu' THEN 'pg_catalog.hungarian'
            WHEN 'ro' THEN 'pg_catalog.romanian'
            WHEN 'ru' THEN 'pg_catalog.russian'
            WHEN 'tr' THEN 'pg_catalog.turkish'
            WHEN 'el' THEN 'pg_catalog.greek'
            WHEN 'ga' THEN 'pg_catalog.irish'
            WHEN 'lt' THEN 'pg_catalog.lithuanian'
            WHEN 'id' THEN 'pg_catalog.indonesian'
            WHEN 'ca' THEN 'pg_catalog.catalan'
            WHEN 'eu' THEN 'pg_catalog.basque'
            ELSE 'pg_catalog.simple'
          END)::regconfig
$$;

-- The search vector of a chunk (see the top of this file).
CREATE FUNCTION knowledge_chunk_tsv(p_config regconfig, p_title text, p_heading text,
                                    p_content text) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  parts text[] := string_to_array(coalesce(p_heading, ''), ' > ');
  own text;
  above text := '';
BEGIN
  IF coalesce(array_length(parts, 1), 0) = 0 OR parts[array_length(parts, 1)] = '' THEN
    own := coalesce(p_title, '');
  ELSE
    own := parts[array_length(parts, 1)];
    above := array_to_string(parts[1:array_length(parts, 1) - 1], ' ');
    IF p_title IS NOT NULL AND lower(p_title) <> lower(parts[1]) THEN
      above := p_title || ' ' || above;
    END IF;
  END IF;
  RETURN setweight(to_tsvector(p_config, own), 'A') ||
         setweight(to_tsvector(p_config, above), 'B') ||
         setweight(to_tsvector(p_config, coalesce(p_content, '')), 'D');
END
$$;

-- The distinct lowercase words (three letters or more) of a text: a chunk's vocabulary.
CREATE FUNCTION knowledge_terms(p_text text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(array_agg(DISTINCT word ORDER BY word), '{}')
    FROM regexp_split_to_table(lower(p_text), '[^[:alpha:]]+') AS word
   WHERE length(word) >= 3
$$;

ALTER TABLE knowledge_chunks ALTER COLUMN tsv DROP EXPRESSION;
-- Nothing wrote vectors before this migration; one without its model could not be compared.
UPDATE knowledge_chunks SET embedding = NULL WHERE embedding IS NOT NULL;
ALTER TABLE knowledge_chunks
  ADD COLUMN terms text[] NOT NULL DEFAULT '{}',
  ADD COLUMN embedding_model text,
  ADD CONSTRAINT knowledge_chunks_embedding_model_check
    CHECK ((embedding IS NULL) = (embedding_model IS NULL));

CREATE FUNCTION knowledge_chunks_index() RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  config regconfig;
  item_title text;
BEGIN
  SELECT knowledge_search_config(b.language) INTO config FROM businesses b
   WHERE b.id = NEW.business_id;
  SELECT i.title INTO item_title FROM knowledge_items i
   WHERE i.id = NEW.item_id AND i.business_id = NEW.business_id;
  NEW.tsv := knowledge_chunk_tsv(coalesce(config, 'pg_catalog.english'::regconfig), item_title,
                                 NEW.heading, NEW.content);
  NEW.terms := knowledge_terms(coalesce(item_title, '') || ' ' || coalesce(NEW.heading, '') ||
                               ' ' || NEW.content);
  RETURN NEW;
END
$$;
CREATE TRIGGER knowledge_chunks_index BEFORE INSERT OR UPDATE OF heading, content, item_id
  ON knowledge_chunks FOR EACH ROW EXECUTE FUNCTION knowledge_chunks_index();

-- A new title or language re-indexes the chunks it affects.
CREATE FUNCTION knowledge_items_reindex() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE knowledge_chunks SET heading = heading
   WHERE item_id = NEW.id AND business_id = NEW.business_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER knowledge_items_reindex AFTER UPDATE OF title ON knowledge_items
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
  EXECUTE FUNCTION knowledge_items_reindex();

UPDATE knowledge_chunks SET heading = heading;  -- the existing chunks, through the trigger

-- One facts item per business.
CREATE UNIQUE INDEX knowledge_items_facts_uq ON knowledge_items (business_id)
  WHERE source = 'facts';

-- "90.00 EUR" ("90,00 EUR" in German).
CREATE FUNCTION knowledge_price_text(p_cents bigint, p_currency text, p_language text)
  RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN p_language = 'de'
              THEN replace(to_char(p_cents / 100.0, 'FM999999990.00'), '.', ',')
              ELSE to_char(p_cents / 100.0, 'FM999999990.00') END || ' ' || p_currency
$$;

-- "Monday to Friday 09:00-17:00, Saturday 10:00-14:00; closed on Sunday" from
-- businesses.opening_hours (consecutive days with the same hours grouped).
CREATE FUNCTION knowledge_hours_text(p_hours jsonb, p_language text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  keys text[] := ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
                       'sunday'];
  names text[] := CASE WHEN p_language = 'de'
                       THEN ARRAY['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag',
                                  'Samstag', 'Sonntag']
                       ELSE ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
                                  'Saturday', 'Sunday'] END;
  word_to text := CASE WHEN p_language = 'de' THEN ' bis ' ELSE ' to ' END;
  word_and text := CASE WHEN p_language = 'de' THEN ' und ' ELSE ' and ' END;
  spans text[] := '{}';
  day_hours text[] := '{}';
  open_parts text[] := '{}';
  closed_parts text[] := '{}';
  interval_texts text[];
  range_text text;
  first_day int;
  d int;
BEGIN
  FOR d IN 1..7 LOOP
    SELECT coalesce(string_agg((x->>'open') || '-' || (x->>'close'), ', '), '')
      INTO range_text
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_hours->keys[d]) = 'array'
                                     THEN p_hours->keys[d] ELSE '[]'::jsonb END) AS x;
    day_hours := day_hours || range_text;
  END LOOP;
  d := 1;
  WHILE d <= 7 LOOP
    first_day := d;
    WHILE d < 7 AND day_hours[d + 1] = day_hours[first_day] LOOP
      d := d + 1;
    END LOOP;
    range_text := names[first_day] ||
                  CASE WHEN d = first_day THEN ''
                       WHEN d = first_day + 1 THEN word_and || names[d]
                       ELSE word_to || names[d] END;
    IF day_hours[first_day] = '' THEN
      closed_parts := closed_parts || range_text;
    ELSE
      open_parts := open_parts || (range_text || ' ' || day_hours[first_day]);
    END IF;
    d := d + 1;
  END LOOP;
  IF p_language = 'de' THEN
    RETURN 'Öffnungszeiten: geöffnet ' ||
           coalesce(nullif(array_to_string(open_parts, ', '), ''), 'nach Vereinbarung') ||
           CASE WHEN cardinality(closed_parts) > 0
                THEN '; ' || array_to_string(closed_parts, ', ') || ' geschlossen.' ELSE '.' END;
  END IF;
  RETURN 'Opening hours: open ' ||
         coalesce(nullif(array_to_string(open_parts, ', '), ''), 'by appointment') ||
         CASE WHEN cardinality(closed_parts) > 0
              THEN '; closed on ' || array_to_string(closed_parts, ', ') || '.' ELSE '.' END;
END
$$;

-- Rewrites the facts chunks of a business from its row and its active services: the opening
-- hours, a list of the services with prices and durations, one chunk per service, the address.
CREATE FUNCTION refresh_business_facts(p_business_id uuid) RETURNS void
  LANGUAGE plpgsql
AS $$
DECLARE
  b record;
  s record;
  de boolean;
  facts_id uuid;
  headings text[] := '{}';
  contents text[] := '{}';
  listing text[] := '{}';
  services_heading text;
  facts_title text;
  i int;
BEGIN
  SELECT name, language, address, opening_hours INTO b FROM businesses WHERE id = p_business_id;
  IF NOT FOUND THEN
    RETURN;  -- being deleted (the cascade deletes its services) or not visible to this role
  END IF;
  de := b.language = 'de';
  services_heading := CASE WHEN de THEN 'Leistungen und Preise' ELSE 'Services and prices' END;
  facts_title := CASE WHEN de THEN 'Angaben zum Betrieb' ELSE 'Business facts' END;

  headings := headings || CASE WHEN de THEN 'Öffnungszeiten' ELSE 'Opening hours' END;
  contents := contents || knowledge_hours_text(b.opening_hours, b.language);

  FOR s IN SELECT name, duration_minutes, price_cents, currency, description FROM services
            WHERE business_id = p_business_id AND active ORDER BY name LOOP
    listing := listing || (s.name || ' ' || knowledge_price_text(s.price_cents, s.currency,
                                                                  b.language) ||
                           ' (' || s.duration_minutes ||
                           CASE WHEN de THEN ' Minuten)' ELSE ' minutes)' END);
    headings := headings || (services_heading || ' > ' || s.name);
    contents := contents || (
      CASE WHEN de
           THEN s.name || ' kostet ' || knowledge_price_text(s.price_cents, s.currency, 'de') ||
                ' und dauert ' || s.duration_minutes || ' Minuten.'
           ELSE s.name || ' costs ' || knowledge_price_text(s.price_cents, s.currency, 'en') ||
                ' and takes ' || s.duration_minutes || ' minutes.' END ||
      CASE WHEN s.description <> '' THEN ' ' || s.description ELSE '' END);
  END LOOP;
  IF cardinality(listing) > 0 THEN
    headings := headings || services_heading;
    contents := contents || (
      CASE WHEN de THEN 'Unsere Leistungen und Preise: ' ELSE 'Our services and prices: ' END ||
      array_to_string(listing, ', ') || '.');
  END IF;

  IF b.address <> '' THEN
    headings := headings || CASE WHEN de THEN 'Adresse' ELSE 'Address' END;
    contents := contents || (CASE WHEN de THEN 'Unsere Adresse: ' ELSE 'Our address: ' END ||
                             b.name || ', ' || b.address || '.');
  END IF;

  SELECT id INTO facts_id FROM knowledge_items
   WHERE business_id = p_business_id AND source = 'facts';
  IF facts_id IS NULL THEN
    INSERT INTO knowledge_items (business_id, title, body, source)
    VALUES (p_business_id, facts_title, '', 'facts')
    ON CONFLICT (business_id) WHERE source = 'facts' DO NOTHING
    RETURNING id INTO facts_id;
    IF facts_id IS NULL THEN  -- created meanwhile by a concurrent transaction
      SELECT id INTO facts_id FROM knowledge_items
       WHERE business_id = p_business_id AND source = 'facts';
    END IF;
  END IF;
  UPDATE knowledge_items SET title = facts_title, body = array_to_string(contents, E'\n\n')
   WHERE id = facts_id AND business_id = p_business_id
     AND (title, body) IS DISTINCT FROM (facts_title, array_to_string(contents, E'\n\n'));

  FOR i IN 1..cardinality(headings) LOOP
    INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content, token_count)
    VALUES (p_business_id, facts_id, i - 1, headings[i], contents[i],
            (octet_length(contents[i]) + 3) / 4)
    ON CONFLICT (item_id, ordinal) DO UPDATE
      SET heading = excluded.heading, content = excluded.content,
          token_count = excluded.token_count, embedding = NULL, embedding_model = NULL
      WHERE knowledge_chunks.heading IS DISTINCT FROM excluded.heading
         OR knowledge_chunks.content IS DISTINCT FROM excluded.content;
  END LOOP;
  DELETE FROM knowledge_chunks
   WHERE item_id = facts_id AND business_id = p_business_id AND ordinal >= cardinality(headings);
END
$$;

CREATE FUNCTION businesses_refresh_facts() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.language IS DISTINCT FROM NEW.language THEN
    -- Re-index every chunk in the new language (the facts are rewritten below).
    UPDATE knowledge_chunks SET heading = heading WHERE business_id = NEW.id;
  END IF;
  PERFORM refresh_business_facts(NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER businesses_refresh_facts
  AFTER INSERT OR UPDATE OF name, language, address, opening_hours ON businesses
  FOR EACH ROW EXECUTE FUNCTION businesses_refresh_facts();

CREATE FUNCTION services_refresh_facts() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM refresh_business_facts(OLD.business_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.business_id <> OLD.business_id)
  THEN
    PERFORM refresh_business_facts(NEW.business_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER services_refresh_facts AFTER INSERT OR UPDATE OR DELETE ON services
  FOR EACH ROW EXECUTE FUNCTION services_refresh_facts();

-- Every existing business gets its facts now.
SELECT refresh_business_facts(id) FROM businesses;
