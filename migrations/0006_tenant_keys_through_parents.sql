-- 0006_tenant_keys_through_parents: tables whose rows reference a parent of the same tenant by
-- (business_id, parent_id), NOT NULL and ON DELETE CASCADE, drop their own foreign key to
-- businesses. The composite key already implies it: the parent's business_id is that of a
-- business (through the parent's own keys), and deleting a business still deletes every row,
-- through the parents (businesses -> customers -> conversations -> messages, and so on).
--
-- Why: checking a foreign key locks the referenced row (FOR KEY SHARE). Each message insert
-- locked its business's row directly besides its conversation's; with a tenant's messages
-- written concurrently by the resolver and the agent, that one businesses row had several lockers
-- at a time, and PostgreSQL records every new set of lockers of a row as a MultiXact
-- (pipeline_bench at 200 msg/s: 2785 MultiXacts for ~2150 messages, each created under a global
-- lock and looked up by the next locker). Tables with no such parent (usage_events, send_states,
-- whose message_id becomes NULL when its message is deleted, and the rest) keep theirs.
ALTER TABLE messages DROP CONSTRAINT messages_business_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_business_id_fkey;
ALTER TABLE customer_identities DROP CONSTRAINT customer_identities_business_id_fkey;
ALTER TABLE appointments DROP CONSTRAINT appointments_business_id_fkey;
ALTER TABLE knowledge_chunks DROP CONSTRAINT knowledge_chunks_business_id_fkey;
