-- 0008_voice_tools: the tools stage's answers to Vapi tool calls (tools.requests), one row per
-- tool call, so a tool call delivered again is answered with the same text without running the
-- tool twice (a booking is made once). The row is written after the tool's own transaction
-- commits; a crash in between runs the tool again, and the tools themselves answer a repeat the
-- same way (book_appointment finds its own booking).
-- answer: the single line sent as "result", or as "error" when failed.
-- completed_at: when the answer was first given; re-sent answers keep it.
CREATE TABLE voice_tool_calls (
  business_id  uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  call_id      text NOT NULL CHECK (call_id <> ''),
  tool_call_id text NOT NULL CHECK (tool_call_id <> ''),
  tool         text NOT NULL,
  customer_id  uuid,
  answer       text NOT NULL CHECK (answer <> ''),
  failed       boolean NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, call_id, tool_call_id),
  FOREIGN KEY (business_id, customer_id) REFERENCES customers (business_id, id)
    ON DELETE SET NULL (customer_id)
);
CREATE INDEX voice_tool_calls_completed_idx ON voice_tool_calls (business_id, completed_at);

ALTER TABLE voice_tool_calls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON voice_tool_calls
  USING (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid)
  WITH CHECK (business_id = NULLIF(current_setting('app.business_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON voice_tool_calls TO switchboard_app;
