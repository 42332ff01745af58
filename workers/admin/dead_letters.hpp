#pragma once

// Dead letters for admins (switchboard-admin dlq, /v1/ops/dlq): read from every "<topic>.dlq"
// by assignment, pending unless dead_letter_actions says they were re-driven or purged.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/dead_letter.hpp"
#include "common/json.hpp"
#include "common/kafka_producer.hpp"
#include "common/partition_reader.hpp"
#include "workers/admin/dead_letter_store.hpp"

namespace switchboard::admin {

/// A dead letter and where it is.
struct StoredDeadLetter {
  DeadLetter letter;
  DeadLetterPlace place;
};

/// What a scan of the dead-letter topics found.
struct DeadLetterScan {
  std::vector<StoredDeadLetter> letters;  ///< oldest first per topic, each id once
  std::int64_t unreadable = 0;            ///< records that are not dead-letter/1 (logged)
};

/// Every dead letter in every "<topic>.dlq" up to its end at the start, of `stage` when given.
/// Throws std::runtime_error when the broker does not answer.
DeadLetterScan ScanDeadLetters(PartitionReader& reader, const std::optional<std::string>& stage);

/// The letters of `scan` that `actions` does not name.
std::vector<StoredDeadLetter> PendingOf(const DeadLetterScan& scan,
                                        const std::map<std::string, DeadLetterAction>& actions);

/// What happened to one dead letter a redrive or purge named.
struct DeadLetterOutcome {
  std::string id;
  std::string result;  ///< redriven, purged, already dealt with, failed: <why>
  bool failed = false;
};

/// Re-drives (`producer` set: the record goes back to its original topic with
/// dead-letter-attempts, and is marked only once the broker acknowledged it) or purges each
/// letter, one transaction each, on `connection` (unscoped). A letter dealt with already,
/// here or concurrently, is left alone and says so.
std::vector<DeadLetterOutcome> ActOnDeadLetters(pqxx::connection& connection,
                                                KafkaProducer* producer,
                                                const std::vector<StoredDeadLetter>& letters,
                                                DeadLetterAction action);

/// {"id","stage","topic","partition","offset","event_id","error","attempts","time",
/// "dlq_topic","dlq_partition","dlq_offset"}; with `detail` also first_failure_at, trace_id,
/// key, headers and value (as JSON when it is JSON).
void WriteDeadLetter(json::Writer& writer, const StoredDeadLetter& stored, bool detail);

/// The letters `ids` name (found in `scan`, of the scan's stage), or every `pending` one with
/// `all`; an id not found becomes a failed outcome in `missing`.
std::vector<StoredDeadLetter> ChooseDeadLetters(const DeadLetterScan& scan,
                                                const std::vector<StoredDeadLetter>& pending,
                                                const std::vector<std::string>& ids, bool all,
                                                std::vector<DeadLetterOutcome>& missing);

/// {"dead_letters":[...],"unreadable":n} (dlq list, GET /v1/ops/dlq).
std::string DeadLetterListJson(const std::vector<StoredDeadLetter>& pending,
                               std::int64_t unreadable);

/// {"status":"pending|redriven|purged","dead_letter":{... detail}} (dlq show).
std::string DeadLetterShowJson(const StoredDeadLetter& stored,
                               const std::map<std::string, DeadLetterAction>& actions);

/// {"results":[{"id","result"}]} (dlq redrive/purge).
std::string OutcomesJson(const std::vector<DeadLetterOutcome>& outcomes);

/// One row per letter: ID, STAGE, TOPIC, PARTITION, OFFSET, ATTEMPTS, TIME, ERROR.
std::string DeadLetterTable(const std::vector<StoredDeadLetter>& letters);

}  // namespace switchboard::admin
