#include "workers/admin/dead_letters.hpp"

#include <algorithm>
#include <atomic>
#include <set>

#include "common/log.hpp"
#include "workers/admin/text_table.hpp"
#include "workers/admin/topic_replay.hpp"

namespace switchboard::admin {

DeadLetterScan ScanDeadLetters(PartitionReader& reader, const std::optional<std::string>& stage) {
  const Result<std::vector<std::string>> topics = reader.Topics(std::chrono::seconds(10));
  if (!topics.ok()) throw std::runtime_error(topics.error().message);
  const std::string suffix = DeadLetterTopic("");
  DeadLetterScan scan;
  std::set<std::string> seen;
  const std::atomic<bool> never{false};
  for (const std::string& topic : topics.value()) {
    if (!topic.ends_with(suffix)) continue;
    const auto ranges = PlanReplay(reader, ReplayRequest{.topic = topic, .from_offset = 0});
    RunReplay(
        reader, ranges, std::nullopt,
        [&](const ConsumedRecord& record) {
          Result<DeadLetter> letter = DecodeDeadLetter(record);
          if (!letter.ok()) {
            ++scan.unreadable;
            Log(LogLevel::kWarning, "unreadable dead letter",
                {{"topic", record.topic},
                 {"partition", record.partition},
                 {"offset", record.offset},
                 {"error", letter.error().message}});
            return;
          }
          if (stage && letter->stage != *stage) return;
          if (!seen.insert(letter->event_id).second) return;  // written twice (a retried write)
          StoredDeadLetter stored{.letter = std::move(letter).value()};
          stored.place = {.id = stored.letter.event_id,
                          .stage = stored.letter.stage,
                          .dlq_topic = record.topic,
                          .dlq_partition = record.partition,
                          .dlq_offset = record.offset};
          scan.letters.push_back(std::move(stored));
        },
        never, [](std::int64_t) {});
  }
  return scan;
}

std::vector<StoredDeadLetter> PendingOf(const DeadLetterScan& scan,
                                        const std::map<std::string, DeadLetterAction>& actions) {
  std::vector<StoredDeadLetter> pending;
  for (const StoredDeadLetter& stored : scan.letters) {
    if (!actions.contains(stored.place.id)) pending.push_back(stored);
  }
  return pending;
}

std::vector<DeadLetterOutcome> ActOnDeadLetters(pqxx::connection& connection,
                                                KafkaProducer* producer,
                                                const std::vector<StoredDeadLetter>& letters,
                                                DeadLetterAction action) {
  std::vector<DeadLetterOutcome> outcomes;
  for (const StoredDeadLetter& stored : letters) {
    DeadLetterOutcome outcome{.id = stored.place.id};
    pqxx::work tx(connection);
    if (!DeadLetterStore::Record(tx, stored.place, action)) {
      tx.abort();
      outcome.result = "already dealt with";
      outcomes.push_back(outcome);
      continue;
    }
    if (action == DeadLetterAction::kRedriven) {
      const OutboundRecord record = RedriveRecord(stored.letter);
      if (const auto error = producer->ProduceAndWait(std::span(&record, 1))) {
        tx.abort();
        outcome.result = "failed: " + error->message;
        outcome.failed = true;
        outcomes.push_back(outcome);
        continue;
      }
    }
    tx.commit();
    outcome.result = std::string(DeadLetterActionName(action));
    Log(LogLevel::kInfo, "dead letter " + outcome.result,
        {{"id", stored.place.id},
         {"stage", stored.place.stage},
         {"topic", stored.letter.original_topic}});
    outcomes.push_back(outcome);
  }
  return outcomes;
}

void WriteDeadLetter(json::Writer& writer, const StoredDeadLetter& stored, bool detail) {
  const DeadLetter& letter = stored.letter;
  writer.StartObject()
      .Field("id", stored.place.id)
      .Field("stage", letter.stage)
      .Field("topic", letter.original_topic)
      .Field("partition", static_cast<std::int64_t>(letter.original_partition))
      .Field("offset", letter.original_offset)
      .Field("event_id", FindHeader(letter.headers, "event-id"))
      .Field("error", letter.error)
      .Field("attempts", letter.attempts)
      .Field("time", letter.last_failure_at)
      .Field("dlq_topic", stored.place.dlq_topic)
      .Field("dlq_partition", static_cast<std::int64_t>(stored.place.dlq_partition))
      .Field("dlq_offset", stored.place.dlq_offset);
  if (detail) {
    writer.Field("first_failure_at", letter.first_failure_at)
        .NonEmptyField("original_timestamp", letter.original_timestamp)
        .NonEmptyField("trace_id", letter.trace_id)
        .Field("key", letter.key)
        .Key("headers")
        .StartArray();
    for (const Header& header : letter.headers) {
      writer.StartObject().Field("name", header.name).Field("value", header.value).EndObject();
    }
    writer.EndArray().Key("value").JsonOrString(letter.value);
  }
  writer.EndObject();
}

std::vector<StoredDeadLetter> ChooseDeadLetters(const DeadLetterScan& scan,
                                                const std::vector<StoredDeadLetter>& pending,
                                                const std::vector<std::string>& ids, bool all,
                                                std::vector<DeadLetterOutcome>& missing) {
  if (all) return pending;
  std::vector<StoredDeadLetter> chosen;
  for (const std::string& id : ids) {
    const auto found = std::find_if(scan.letters.begin(), scan.letters.end(),
                                    [&](const auto& stored) { return stored.place.id == id; });
    if (found == scan.letters.end()) {
      missing.push_back(
          {.id = id, .result = "failed: no dead letter of this stage", .failed = true});
    } else {
      chosen.push_back(*found);
    }
  }
  return chosen;
}

std::string DeadLetterListJson(const std::vector<StoredDeadLetter>& pending,
                               std::int64_t unreadable) {
  json::Writer writer;
  writer.StartObject().Key("dead_letters").StartArray();
  for (const auto& stored : pending) WriteDeadLetter(writer, stored, false);
  writer.EndArray().Field("unreadable", unreadable).EndObject();
  return writer.Take();
}

std::string DeadLetterShowJson(const StoredDeadLetter& stored,
                               const std::map<std::string, DeadLetterAction>& actions) {
  const auto acted = actions.find(stored.place.id);
  json::Writer writer;
  writer.StartObject()
      .Field("status", acted == actions.end() ? std::string_view("pending")
                                              : DeadLetterActionName(acted->second))
      .Key("dead_letter");
  WriteDeadLetter(writer, stored, true);
  writer.EndObject();
  return writer.Take();
}

std::string OutcomesJson(const std::vector<DeadLetterOutcome>& outcomes) {
  json::Writer writer;
  writer.StartObject().Key("results").StartArray();
  for (const auto& outcome : outcomes) {
    writer.StartObject().Field("id", outcome.id).Field("result", outcome.result).EndObject();
  }
  writer.EndArray().EndObject();
  return writer.Take();
}

std::string DeadLetterTable(const std::vector<StoredDeadLetter>& letters) {
  TextTable table({"ID", "STAGE", "TOPIC", "PARTITION", "OFFSET", "ATTEMPTS", "TIME", "ERROR"});
  for (const StoredDeadLetter& stored : letters) {
    const DeadLetter& letter = stored.letter;
    std::string error = letter.error.substr(0, 80);
    for (char& c : error) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    table.Row({stored.place.id, letter.stage, letter.original_topic,
               std::to_string(letter.original_partition), std::to_string(letter.original_offset),
               std::to_string(letter.attempts), letter.last_failure_at, error});
  }
  return table.Text();
}

}  // namespace switchboard::admin
