#include "workers/admin/ops_commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>

#include "common/json.hpp"
#include "common/kafka_producer.hpp"
#include "common/partition_reader.hpp"
#include "common/text_shapes.hpp"
#include "workers/admin/consumer_groups.hpp"
#include "workers/admin/dead_letters.hpp"
#include "workers/admin/lag_report.hpp"
#include "workers/admin/text_table.hpp"
#include "workers/admin/topic_replay.hpp"

namespace switchboard::admin {
namespace {

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A whole number option at least `min`; throws UsageError naming it otherwise.
std::optional<std::int64_t> IntegerOption(Arguments& args, std::string_view name,
                                          std::int64_t min) {
  const std::optional<std::string> text = args.Optional(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min) {
    throw UsageError("--" + std::string(name) + " must be a whole number from " +
                     std::to_string(min) + ", not '" + *text + "'");
  }
  return value;
}

/// An ISO-8601 instant option as Unix ms; throws UsageError naming it otherwise.
std::optional<std::int64_t> TimeOption(Arguments& args, std::string_view name) {
  const std::optional<std::string> text = args.Optional(name);
  if (!text) return std::nullopt;
  const std::optional<std::int64_t> ms = ParseInstantMs(*text);
  if (!ms) {
    throw UsageError("--" + std::string(name) +
                     " must be an ISO-8601 instant such as 2026-12-03T09:30:00Z, not '" + *text +
                     "'");
  }
  return ms;
}

std::atomic<bool> interrupted{false};

extern "C" void OnInterrupt(int) {
  interrupted.store(true);
}

}  // namespace

int RunLag(Arguments& args, const AdminConfig& config) {
  const std::optional<std::string> group = args.Optional("group");
  const bool as_json = args.Flag("json");
  args.RejectUnused();
  PartitionReader reader(config.brokers, "switchboard-admin-lag");
  const std::vector<GroupLag> groups = ReadConsumerLag(reader, group, NowUnixMs());
  if (group && groups.empty()) throw std::runtime_error("no consumer group " + *group);
  std::cout << (as_json ? LagJson(groups) + "\n" : LagTable(groups));
  return 0;
}

int RunReplay(Arguments& args, const AdminConfig& config) {
  ReplayRequest request;
  request.topic = args.Required("topic");
  request.from_offset = IntegerOption(args, "from-offset", 0);
  request.from_time_ms = TimeOption(args, "from-time");
  request.to_offset = IntegerOption(args, "to-offset", 0);
  request.to_time_ms = TimeOption(args, "to-time");
  if (const auto partition = IntegerOption(args, "partition", 0)) {
    if (*partition > INT32_MAX) throw UsageError("--partition is too large");
    request.partition = static_cast<std::int32_t>(*partition);
  }
  request.tenant = args.Optional("tenant");
  const std::optional<std::string> to_file = args.Optional("to-file");
  const std::optional<std::string> to_topic = args.Optional("to-topic");
  const bool as_json = args.Flag("json");
  args.RejectUnused();
  if (request.from_offset.has_value() == request.from_time_ms.has_value()) {
    throw UsageError("give one of --from-offset and --from-time");
  }
  if (request.to_offset && request.to_time_ms) {
    throw UsageError("give at most one of --to-offset and --to-time");
  }
  if (to_file.has_value() == to_topic.has_value()) {
    throw UsageError("give one of --to-file and --to-topic");
  }
  if (to_topic && *to_topic == request.topic) {
    throw UsageError("--to-topic must not be the topic replayed");
  }

  PartitionReader reader(config.brokers, "switchboard-admin-replay");
  const std::vector<ReplayRange> ranges = PlanReplay(reader, request);
  std::int64_t total = 0;
  for (const ReplayRange& range : ranges) total += range.Records();

  std::function<void(const ConsumedRecord&)> write;
  std::ofstream file;
  std::unique_ptr<KafkaProducer> producer;
  std::mutex failure_mutex;
  std::int64_t failed = 0;
  std::string first_failure;
  if (to_file) {
    file.open(*to_file, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!file) throw std::runtime_error("cannot write " + *to_file);
    write = [&file](const ConsumedRecord& record) { file << ReplayJsonLine(record) << '\n'; };
  } else {
    const Result<std::vector<std::int32_t>> target =
        reader.Partitions(*to_topic, std::chrono::seconds(10));
    if (!target.ok()) throw std::runtime_error(target.error().message);
    producer = std::make_unique<KafkaProducer>(
        KafkaProducer::Options{.brokers = config.brokers,
                               .client_id = "switchboard-admin-replay",
                               .linger = std::chrono::milliseconds(5)});
    write = [&](const ConsumedRecord& record) {
      producer->Produce(ReplayedRecord(record, *to_topic), [&](const std::optional<Error>& error) {
        if (!error) return;
        const std::lock_guard lock(failure_mutex);
        if (failed++ == 0) first_failure = error->message;
      });
    };
  }

  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  const auto started = std::chrono::steady_clock::now();
  const auto progress = [&](std::int64_t read) {
    if (!terminal) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << '\r' << ProgressLine(read, total, elapsed) << std::flush;
  };
  interrupted.store(false);
  const auto previous = std::signal(SIGINT, OnInterrupt);
  ReplayCounts counts;
  try {
    counts = RunReplay(reader, ranges, request.tenant, write, interrupted, progress);
  } catch (...) {
    std::signal(SIGINT, previous);
    throw;
  }
  std::signal(SIGINT, previous);
  if (terminal) std::cerr << '\n';
  if (producer && producer->Flush(std::chrono::seconds(30)) > 0) {
    throw std::runtime_error("records still unacknowledged by the broker after 30 s");
  }
  if (file) file.flush();
  if (to_file && !file) throw std::runtime_error("writing " + *to_file + " failed");
  const std::int64_t written = counts.written - failed;

  if (as_json) {
    json::Writer writer;
    writer.StartObject()
        .Field("topic", request.topic)
        .Field("records", total)
        .Field("read", counts.read)
        .Field("written", written)
        .Field("skipped", counts.skipped)
        .Field("failed", failed)
        .Field("interrupted", counts.interrupted)
        .Key("partitions")
        .StartArray();
    for (const ReplayRange& range : ranges) {
      writer.StartObject()
          .Field("partition", static_cast<std::int64_t>(range.partition.partition))
          .Field("from", range.from)
          .Field("to", range.to)
          .EndObject();
    }
    writer.EndArray().EndObject();
    std::cout << writer.Take() << '\n';
  } else {
    TextTable table({"TOPIC", "PARTITION", "FROM", "TO", "RECORDS"});
    for (const ReplayRange& range : ranges) {
      table.Row({request.topic, std::to_string(range.partition.partition),
                 std::to_string(range.from), std::to_string(range.to),
                 std::to_string(range.Records())});
    }
    std::cout << table.Text() << counts.read << " of " << total << " records read, " << written
              << " written to " << (to_file ? *to_file : *to_topic);
    if (request.tenant) std::cout << ", " << counts.skipped << " of other tenants skipped";
    std::cout << '\n';
  }
  if (failed > 0) {
    throw std::runtime_error(std::to_string(failed) + " records not written to " + *to_topic +
                             ": " + first_failure);
  }
  if (counts.interrupted) {
    throw std::runtime_error("interrupted: " + std::to_string(written) + " of " +
                             std::to_string(total) + " records written");
  }
  return 0;
}

int RunDlq(Arguments& args, const AdminConfig& config) {
  // Options first: what they do not take are the action and its ids.
  const bool as_json = args.Flag("json");
  const bool all = args.Flag("all");
  const std::optional<std::string> stage = args.Optional("stage");
  std::vector<std::string> words = args.Positionals();
  args.RejectUnused();
  if (words.empty()) throw UsageError("give list, show, redrive or purge");
  const std::string action = words.front();
  words.erase(words.begin());
  if (all && action != "redrive" && action != "purge")
    throw UsageError("--all is for redrive and purge");
  if (action == "list") {
    if (!words.empty()) throw UsageError("dlq list takes no ids");
  } else if (action == "show") {
    if (words.size() != 1) throw UsageError("dlq show takes one id");
  } else if (action == "redrive" || action == "purge") {
    if (!stage) throw UsageError("dlq " + action + " needs --stage");
    if (all == !words.empty()) throw UsageError("give ids or --all, not both or neither");
  } else {
    throw UsageError("unknown dlq action '" + action + "' (list, show, redrive, purge)");
  }

  PartitionReader reader(config.brokers, "switchboard-admin-dlq");
  const DeadLetterScan scan = ScanDeadLetters(reader, stage);
  pqxx::connection connection(config.database_url);
  std::map<std::string, DeadLetterAction> actions;
  {
    pqxx::read_transaction tx(connection);
    actions = DeadLetterStore::Actions(tx);
  }
  const std::vector<StoredDeadLetter> pending = PendingOf(scan, actions);

  if (action == "list") {
    if (as_json) {
      std::cout << DeadLetterListJson(pending, scan.unreadable) << '\n';
    } else {
      std::cout << DeadLetterTable(pending) << pending.size() << " pending";
      if (scan.unreadable > 0) std::cout << ", " << scan.unreadable << " unreadable (logged)";
      std::cout << '\n';
    }
    return 0;
  }
  if (action == "show") {
    for (const StoredDeadLetter& stored : scan.letters) {
      if (stored.place.id != words.front()) continue;
      if (as_json) {
        std::cout << DeadLetterShowJson(stored, actions) << '\n';
      } else {
        const DeadLetter& letter = stored.letter;
        const auto acted = actions.find(stored.place.id);
        std::cout << "id          " << stored.place.id << "\nstatus      "
                  << (acted == actions.end() ? std::string_view("pending")
                                             : DeadLetterActionName(acted->second))
                  << "\nstage       " << letter.stage << "\ntopic       " << letter.original_topic
                  << " partition " << letter.original_partition << " offset "
                  << letter.original_offset << "\nevent id    "
                  << FindHeader(letter.headers, "event-id").value_or("-") << "\nattempts    "
                  << letter.attempts << "\nfailed      " << letter.first_failure_at << " .. "
                  << letter.last_failure_at << "\nerror       " << letter.error << "\nkey         "
                  << letter.key << "\nvalue       " << letter.value << '\n';
      }
      return 0;
    }
    throw std::runtime_error("no dead letter " + words.front());
  }

  std::vector<DeadLetterOutcome> outcomes;
  const std::vector<StoredDeadLetter> chosen =
      ChooseDeadLetters(scan, pending, words, all, outcomes);
  const DeadLetterAction kind =
      action == "redrive" ? DeadLetterAction::kRedriven : DeadLetterAction::kPurged;
  std::unique_ptr<KafkaProducer> producer;
  if (kind == DeadLetterAction::kRedriven) {
    producer = std::make_unique<KafkaProducer>(
        KafkaProducer::Options{.brokers = config.brokers, .client_id = "switchboard-admin-dlq"});
  }
  for (auto& outcome : ActOnDeadLetters(connection, producer.get(), chosen, kind)) {
    outcomes.push_back(std::move(outcome));
  }
  bool failed = false;
  if (as_json) {
    std::cout << OutcomesJson(outcomes) << '\n';
  } else {
    TextTable table({"ID", "RESULT"});
    for (const auto& outcome : outcomes) table.Row({outcome.id, outcome.result});
    std::cout << table.Text();
  }
  for (const auto& outcome : outcomes) failed = failed || outcome.failed;
  if (failed)
    throw std::runtime_error("some dead letters were not " +
                             std::string(DeadLetterActionName(kind)));
  return 0;
}

}  // namespace switchboard::admin
