#include "ingest/request_ids.hpp"

#include <chrono>
#include <random>

#include "common/encoding.hpp"

namespace switchboard::ingest {

std::string NewTraceId() {
  // A per-thread generator seeded once from the operating system, so a request does not pay for
  // the CSPRNG's lock and fork check (RAND_bytes) as it did.
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  unsigned char bytes[16];
  for (int half = 0; half < 2; ++half) {
    std::uint64_t word = engine();
    for (int i = 0; i < 8; ++i, word >>= 8) bytes[8 * half + i] = static_cast<unsigned char>(word);
  }
  return HexEncode(bytes);
}

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace switchboard::ingest
