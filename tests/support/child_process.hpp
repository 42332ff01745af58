#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::testing {

/// A program started by a test, with its stdout and stderr captured to a file; killed when
/// destroyed, and when the test process dies.
class ChildProcess final {
 public:
  /// Starts `program` with `arguments` and exactly the environment `environment`.
  /// Throws when it cannot be started.
  ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
               const std::map<std::string, std::string>& environment);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t Pid() const { return pid_; }
  /// Sends `signal` (e.g. SIGTERM, SIGKILL).
  void Signal(int signal) const;
  /// Waits for the exit; returns the exit code, 128+signal when killed, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  /// Everything the program wrote (stderr and stdout) so far.
  std::string Stderr() const;
  /// The "port" field of the first log line whose message is `message` (a server started on port
  /// 0 logs where it listens), waiting up to `timeout`; 0 when it never appeared.
  unsigned short LoggedPort(std::string_view message, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::string stderr_path_;
  bool exited_ = false;
};

/// The current process's environment as a map (tests add or remove variables from it).
std::map<std::string, std::string> CurrentEnvironment();

}  // namespace switchboard::testing
