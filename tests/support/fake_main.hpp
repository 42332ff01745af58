#pragma once

#include <functional>

namespace switchboard::testing {

/// The body of a fake service program's main(): runs `run` and returns its exit code; an
/// exception is logged as `failure` with its message and exits 1.
int FakeMain(const char* failure, const std::function<int()>& run);

/// Blocks until SIGTERM or SIGINT arrives, then logs "stopping" with the signal.
void WaitForStopSignal();

}  // namespace switchboard::testing
