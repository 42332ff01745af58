#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace switchboard::testing {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
                           const std::map<std::string, std::string>& environment) {
  char path_template[] = "/tmp/switchboard-child-XXXXXX";
  const int fd = mkstemp(path_template);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  stderr_path_ = path_template;
  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (const auto& [name, value] : environment) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& variable : env_storage) envp.push_back(variable.data());
  envp.push_back(nullptr);
  // The child reports a failed exec through this pipe; a successful exec closes it.
  int exec_error[2];
  if (pipe2(exec_error, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t parent = getpid();
  pid_ = fork();
  const int fork_error = pid_ < 0 ? errno : 0;
  if (pid_ == 0) {
    // Only async-signal-safe calls from here on. The child dies with the thread that started it
    // (tests start children from their main thread: a test that crashes leaves none running), and
    // writes stdout and stderr to the log file: an inherited stdout would keep ctest waiting for
    // the crashed test's output to end.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execve(program.c_str(), argv.data(), envp.data());
    const int error = errno;
    (void)!write(exec_error[1], &error, sizeof error);
    _exit(127);
  }
  close(exec_error[1]);
  close(fd);
  int rc = fork_error;
  if (pid_ > 0 && read(exec_error[0], &rc, sizeof rc) == static_cast<ssize_t>(sizeof rc)) {
    waitpid(pid_, nullptr, 0);
  }
  close(exec_error[0]);
  if (rc != 0) {
    std::remove(stderr_path_.c_str());
    throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  }
}

ChildProcess::~ChildProcess() {
  if (!exited_) {
    Signal(SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  std::remove(stderr_path_.c_str());
}

void ChildProcess::Signal(int signal) const {
  if (!exited_) kill(pid_, signal);
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling waitpid, not a sync
  }
}

std::string ChildProcess::Stderr() const {
  std::ifstream in(stderr_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned short ChildProcess::LoggedPort(std::string_view message,
                                        std::chrono::milliseconds timeout) const {
  const std::string needle = "\"msg\":\"" + std::string(message) + "\"";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = Stderr();
    const auto line = log.find(needle);
    const auto field = line == std::string::npos ? line : log.find("\"port\":", line);
    if (field != std::string::npos) {
      return static_cast<unsigned short>(std::stoi(log.substr(field + 7)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a file with a deadline
  }
  return 0;
}

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string entry = *variable;
    const auto equals = entry.find('=');
    if (equals != std::string::npos)
      environment[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return environment;
}

}  // namespace switchboard::testing
