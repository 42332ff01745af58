#include "tests/support/steady_load.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "tests/support/fake_graph_api.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/quantile.hpp"
#include "tests/support/tenant_seed.hpp"

namespace switchboard::testing {
namespace {

constexpr char kReplyPrefix[] = "You said: m";

double Millis(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

}  // namespace

double LoadReport::Quantile(double q) const {
  return SortedQuantile(latencies_ms, q);
}

std::string LoadReport::Summary(const std::string& title) const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %zu posted, %zu acknowledged, %zu answered, %zu lost, %zu duplicated, %zu out "
                "of order, %zu unexpected; %zu refused and %zu unreachable posts (posted again); "
                "webhook to reply p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                title.c_str(), posted, acknowledged, answered, lost, duplicated, out_of_order,
                unexpected, refused, unreachable, Quantile(0.5), Quantile(0.99),
                latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::string summary = line;
  for (const EventFigures& event : events) {
    std::snprintf(line, sizeof line,
                  "  at %6.1f s %-28s %4zu messages after it: p50 %6.0f ms, p99 %6.0f ms, max "
                  "%6.0f ms\n",
                  event.at_seconds, event.event.c_str(), event.messages, event.p50_ms, event.p99_ms,
                  event.max_ms);
    summary += line;
  }
  for (const std::string& problem : problems) summary += "  problem: " + problem + "\n";
  return summary;
}

SteadyLoad::SteadyLoad(SteadyLoadOptions options, Post post)
    : options_(std::move(options)),
      post_(std::move(post)),
      run_(RandomDigits(6)),
      started_(Clock::now()) {
  if (options_.senders < 1 || options_.conversations < options_.senders ||
      options_.messages_per_second <= 0) {
    throw std::invalid_argument("SteadyLoad: senders >= 1, conversations >= senders, rate > 0");
  }
  for (int i = 0; i < options_.senders; ++i) senders_.emplace_back([this, i] { Send(i); });
}

SteadyLoad::~SteadyLoad() {
  Stop();
}

void SteadyLoad::Stop() {
  stopping_ = true;
  for (std::thread& sender : senders_) {
    if (sender.joinable()) sender.join();
  }
}

void SteadyLoad::Mark(const std::string& event, std::chrono::milliseconds window) {
  std::lock_guard lock(mutex_);
  events_.push_back({event, Clock::now(), window});
}

std::size_t SteadyLoad::Acknowledged() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(messages_.begin(), messages_.end(),
                                                [](const Message& m) { return m.acknowledged; }));
}

std::size_t SteadyLoad::Refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

void SteadyLoad::Send(int sender) {
  struct Conversation {
    std::string wa_id;
    int seq = 0;
    std::size_t message = 0;  // index in messages_ of the one being posted
    bool posting = false;     // `message` was posted and not acknowledged yet
    Clock::time_point not_before;
  };
  std::vector<Conversation> mine;
  for (int c = sender; c < options_.conversations; c += options_.senders) {
    char wa_id[32];
    std::snprintf(wa_id, sizeof wa_id, "4918%s%03d", run_.c_str(), c);
    mine.push_back({.wa_id = wa_id});
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.senders / options_.messages_per_second));
  Clock::time_point tick = Clock::now();
  std::size_t next = 0;
  while (!stopping_) {
    tick += interval;
    if (Clock::now() > tick + interval) tick = Clock::now();  // a slow post: no burst after it
    std::this_thread::sleep_until(tick);
    const Clock::time_point now = Clock::now();
    Conversation* conversation = nullptr;
    for (std::size_t tried = 0; tried < mine.size() && conversation == nullptr; ++tried) {
      Conversation& candidate = mine[next];
      next = (next + 1) % mine.size();
      if (candidate.not_before <= now) conversation = &candidate;
    }
    if (conversation == nullptr) continue;
    if (!conversation->posting) {
      std::lock_guard lock(mutex_);
      conversation->message = messages_.size();
      messages_.push_back({.wa_id = conversation->wa_id, .seq = conversation->seq});
      conversation->posting = true;
    }
    const std::string id =
        "wamid.load-" + run_ + "-" + conversation->wa_id + "-" + std::to_string(conversation->seq);
    const std::string body = WhatsAppText(options_.phone_number_id, conversation->wa_id, id,
                                          "m" + std::to_string(conversation->seq));
    const Clock::time_point sent = Clock::now();
    int status = 0;
    try {
      status = post_(body).status;
    } catch (const std::exception&) {
      status = 0;  // the connection failed: ingest is not there (restarting)
    }
    std::lock_guard lock(mutex_);
    if (status == 200) {
      messages_[conversation->message].acknowledged = true;
      messages_[conversation->message].acknowledged_post = sent;
      conversation->posting = false;
      ++conversation->seq;
    } else {
      ++(status == 0 ? unreachable_ : refused_);
      conversation->not_before = Clock::now() + options_.retry_pause;
    }
  }
}

bool SteadyLoad::WaitForReplies(const FakeGraphApi& graph,
                                std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const LoadReport report = Report(graph);
    if (report.lost == 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // replies arrive meanwhile
  }
}

LoadReport SteadyLoad::Report(const FakeGraphApi& graph) const {
  std::lock_guard lock(mutex_);
  LoadReport report;
  report.posted = messages_.size();
  report.refused = refused_;
  report.unreachable = unreachable_;
  std::map<std::pair<std::string, int>, std::size_t> index;  // (wa_id, seq) -> message
  std::set<std::string> customers;                           // the load's wa_ids
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    index.emplace(std::make_pair(messages_[i].wa_id, messages_[i].seq), i);
    customers.insert(messages_[i].wa_id);
    if (messages_[i].acknowledged) ++report.acknowledged;
  }
  const auto note = [&report](std::string problem) {
    if (report.problems.size() < 10) report.problems.push_back(std::move(problem));
  };

  std::vector<std::optional<Clock::time_point>> replied(messages_.size());
  std::map<std::string, int> last_seq;  // per conversation: the highest seq answered so far
  for (const RecordedRequest& request : graph.Requests()) {
    rapidjson::Document body;
    body.Parse(request.body.c_str());
    if (!body.IsObject() || !body.HasMember("to") || !body["to"].IsString() ||
        !body.HasMember("text") || !body["text"].IsObject() || !body["text"].HasMember("body")) {
      continue;
    }
    const std::string to = body["to"].GetString();
    if (!customers.contains(to)) continue;  // another conversation of the test's
    const std::string text = body["text"]["body"].GetString();
    std::optional<int> seq;
    if (text.starts_with(kReplyPrefix)) {
      try {
        seq = std::stoi(text.substr(sizeof kReplyPrefix - 1));
      } catch (const std::exception&) {
      }
    }
    const auto found = seq ? index.find({to, *seq}) : index.end();
    if (found == index.end()) {
      ++report.unexpected;
      note("a reply to " + to + " that matches no message: " + text);
      continue;
    }
    auto& when = replied[found->second];
    if (when) {
      ++report.duplicated;
      note("message " + std::to_string(*seq) + " of " + to + " answered again");
      continue;
    }
    when = request.arrived;
    const auto last = last_seq.find(to);
    if (last != last_seq.end() && last->second > *seq) {
      ++report.out_of_order;
      note("message " + std::to_string(*seq) + " of " + to + " answered after message " +
           std::to_string(last->second));
    }
    if (last == last_seq.end() || last->second < *seq) last_seq[to] = *seq;
  }

  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const Message& message = messages_[i];
    if (!message.acknowledged) continue;
    if (!replied[i]) {
      ++report.lost;
      note("message " + std::to_string(message.seq) + " of " + message.wa_id +
           " acknowledged, never answered");
      continue;
    }
    ++report.answered;
    report.latencies_ms.push_back(Millis(*replied[i] - message.acknowledged_post));
  }
  std::sort(report.latencies_ms.begin(), report.latencies_ms.end());

  for (const Event& event : events_) {
    std::vector<double> after;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      const Message& message = messages_[i];
      if (!message.acknowledged || !replied[i] || message.acknowledged_post < event.at ||
          message.acknowledged_post >= event.at + event.window) {
        continue;
      }
      after.push_back(Millis(*replied[i] - message.acknowledged_post));
    }
    std::sort(after.begin(), after.end());
    report.events.push_back({.event = event.name,
                             .at_seconds = Millis(event.at - started_) / 1000,
                             .messages = after.size(),
                             .p50_ms = SortedQuantile(after, 0.5),
                             .p99_ms = SortedQuantile(after, 0.99),
                             .max_ms = after.empty() ? 0 : after.back()});
  }
  return report;
}

}  // namespace switchboard::testing
