-- 0016_conversation_account: the account of the tenant (WhatsApp phone_number_id, Page or
-- Instagram account id) that the customer last wrote to in a conversation. The resolver keeps it
-- from each inbound message (the newest wins), so that a person's reply from the admin API goes
-- out through the number the customer wrote to, not through the tenant's oldest one: a tenant with
-- two numbers would otherwise answer from a number the customer never wrote to, outside that
-- number's 24-hour window. Empty for conversations stored before (the reply then falls back to
-- the tenant's oldest active account of the channel, as before).
ALTER TABLE conversations ADD COLUMN channel_account_id text;
