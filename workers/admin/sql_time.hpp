#pragma once

// How the admin API's statements write a timestamptz column: ISO 8601 in UTC with milliseconds
// ("2026-12-03T12:50:31.402Z"). A macro so that it joins the statements' string literals.
#define SWITCHBOARD_ISO_UTC(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
