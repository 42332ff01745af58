-- 0004_tenant_last_keys: the keys and indexes of customers, conversations and messages put
-- business_id last instead of first; uniqueness, conflict targets and foreign keys are the same
-- (both match a unique key by its set of columns, in any order).
--
-- Why: to the planner, business_id = <a tenant that was new at the last ANALYZE> is one row, so
-- every index that starts with business_id looks like a one-row lookup, whatever else the query
-- asks for. It then took (business_id, id) or (business_id, event_id) to find a message by its
-- platform id, to read a conversation's history, or to join a message to its conversation, and
-- scanned all of the tenant's rows each time: every turn got slower with every message until the
-- next ANALYZE (at 150 messages/s the pipeline fell behind within seconds). With the selective
-- column first, each lookup has one index that fits it; RLS and the queries still filter by
-- tenant. Later migrations follow this rule too: an index of a table that grows with use puts
-- business_id after the columns a lookup selects by (a tenant-wide listing may lead with it).

-- The foreign keys that use the keys being replaced come back at the end.
ALTER TABLE customer_identities DROP CONSTRAINT customer_identities_business_id_customer_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_business_id_customer_id_fkey;
ALTER TABLE appointments DROP CONSTRAINT appointments_business_id_customer_id_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_business_id_customer_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_business_id_conversation_id_fkey;
ALTER TABLE send_states DROP CONSTRAINT send_states_business_id_message_id_fkey;

ALTER TABLE customers DROP CONSTRAINT customers_business_id_id_key;
ALTER TABLE customers ADD CONSTRAINT customers_id_business_id_key UNIQUE (id, business_id);
DROP INDEX customers_phone_idx;
CREATE INDEX customers_phone_idx ON customers (phone, business_id) WHERE phone IS NOT NULL;
DROP INDEX customers_email_idx;
CREATE INDEX customers_email_idx ON customers (lower(email), business_id) WHERE email IS NOT NULL;

ALTER TABLE conversations DROP CONSTRAINT conversations_business_id_id_key;
ALTER TABLE conversations ADD CONSTRAINT conversations_id_business_id_key UNIQUE (id, business_id);
DROP INDEX conversations_open_uq;
CREATE UNIQUE INDEX conversations_open_uq ON conversations (customer_id, channel, business_id)
  WHERE status <> 'CLOSED';
DROP INDEX conversations_customer_idx;
CREATE INDEX conversations_customer_idx ON conversations (customer_id, opened_at);

ALTER TABLE messages DROP CONSTRAINT messages_business_id_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_id_business_id_key UNIQUE (id, business_id);
ALTER TABLE messages DROP CONSTRAINT messages_business_id_event_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_event_id_business_id_key UNIQUE (event_id, business_id);
ALTER TABLE messages DROP CONSTRAINT messages_business_id_channel_platform_message_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_platform_message_id_channel_business_id_key
  UNIQUE (platform_message_id, channel, business_id);

ALTER TABLE customer_identities ADD CONSTRAINT customer_identities_business_id_customer_id_fkey
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_business_id_customer_id_fkey
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE;
ALTER TABLE appointments ADD CONSTRAINT appointments_business_id_customer_id_fkey
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id) ON DELETE CASCADE;
ALTER TABLE leads ADD CONSTRAINT leads_business_id_customer_id_fkey
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id)
  ON DELETE SET NULL (customer_id);
ALTER TABLE messages ADD CONSTRAINT messages_business_id_conversation_id_fkey
  FOREIGN KEY (business_id, conversation_id) REFERENCES conversations (business_id, id)
  ON DELETE CASCADE;
ALTER TABLE send_states ADD CONSTRAINT send_states_business_id_message_id_fkey
  FOREIGN KEY (business_id, message_id) REFERENCES messages (business_id, id)
  ON DELETE SET NULL (message_id);
