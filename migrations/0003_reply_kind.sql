-- 0003_reply_kind: what kind of reply the agent stored (replies.outbound "kind"), so that a
-- redelivered messages.resolved record re-emits exactly the reply it produced the first time
-- ("ai" from the LLM, "retrieval" from a knowledge passage, "fallback", "limit"). NULL on every
-- row the agent did not write (inbound messages, replies of other stages).
ALTER TABLE messages
  ADD COLUMN reply_kind text CHECK (reply_kind IN ('ai', 'retrieval', 'fallback', 'limit'));
