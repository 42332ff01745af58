-- Each tenant's knowledge vocabulary as a table, kept by triggers, for the agent's search of
-- misspellings (workers/agent/knowledge_search.cpp). Until now the search read every chunk's
-- terms and compared a question word with each of them (pg_trgm similarity) on every question:
-- most of the search's time when a question has a word the knowledge does not contain, which
-- is most questions ("hello", "tomorrow"). Here a word is looked up by the primary key, and
-- its similar words are found through a trigram index (btree_gin lets the tenant be part of it).
--
-- knowledge_vocabulary: the distinct terms of a tenant's chunks (knowledge_chunks.terms),
-- rewritten for a tenant by statement-level triggers whenever its chunks are inserted, deleted
-- or change their terms (not when only their embeddings change).

CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE knowledge_vocabulary (
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  term text NOT NULL,
  PRIMARY KEY (business_id, term)
);
CREATE INDEX knowledge_vocabulary_similar_idx ON knowledge_vocabulary
  USING gin (business_id, term gin_trgm_ops);

ALTER TABLE knowledge_vocabulary ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_vocabulary
  USING (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid)
  WITH CHECK (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON knowledge_vocabulary TO switchboard_app;

-- Rewrites the vocabulary of every tenant whose chunks the statement touched (the transition
-- tables the trigger defines: new_chunks for INSERT, old_chunks for DELETE, both for UPDATE).
CREATE FUNCTION knowledge_vocabulary_sync() RETURNS trigger
  LANGUAGE plpgsql
AS $$
DECLARE
  tenants uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT business_id) INTO tenants FROM new_chunks;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT business_id) INTO tenants FROM old_chunks;
  ELSE  -- only rows whose terms changed (writing an embedding changes none)
    SELECT array_agg(DISTINCT t.business_id) INTO tenants
      FROM old_chunks o JOIN new_chunks n ON n.id = o.id,
           LATERAL (VALUES (o.business_id), (n.business_id)) AS t (business_id)
     WHERE o.terms IS DISTINCT FROM n.terms OR o.business_id <> n.business_id;
  END IF;
  IF tenants IS NULL THEN
    RETURN NULL;
  END IF;
  DELETE FROM knowledge_vocabulary WHERE business_id = ANY (tenants);
  INSERT INTO knowledge_vocabulary (business_id, term)
    SELECT DISTINCT c.business_id, term
      FROM knowledge_chunks c, unnest(c.terms) AS term
     WHERE c.business_id = ANY (tenants);
  RETURN NULL;
END
$$;
CREATE TRIGGER knowledge_vocabulary_insert AFTER INSERT ON knowledge_chunks
  REFERENCING NEW TABLE AS new_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION knowledge_vocabulary_sync();
CREATE TRIGGER knowledge_vocabulary_update AFTER UPDATE ON knowledge_chunks
  REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION knowledge_vocabulary_sync();
CREATE TRIGGER knowledge_vocabulary_delete AFTER DELETE ON knowledge_chunks
  REFERENCING OLD TABLE AS old_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION knowledge_vocabulary_sync();

INSERT INTO knowledge_vocabulary (business_id, term)
  SELECT DISTINCT c.business_id, term FROM knowledge_chunks c, unnest(c.terms) AS term;
