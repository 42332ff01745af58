-- 0002_sender: what the sender stage needs beyond 0001 (see workers/sender/send_reply.hpp).
--
-- A reply longer than its channel allows goes out as several messages. parts_sent counts the
-- parts the platform has confirmed, committed after each one, so a retried reply resumes after
-- the last confirmed part instead of sending the earlier parts again.
ALTER TABLE send_states
  ADD COLUMN parts_sent integer NOT NULL DEFAULT 0 CHECK (parts_sent >= 0);
