#pragma once

#include <cstdint>
#include <string>

namespace switchboard::ingest {

/// 128 random bits as 32 hex digits, not secret: a trace id, a correlation id, an instance id.
std::string NewTraceId();

/// Unix milliseconds now.
std::int64_t NowMillis();

}  // namespace switchboard::ingest
