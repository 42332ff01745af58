#include "workers/admin/operator_routes.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/json.hpp"
#include "common/log.hpp"
#include "common/partition_reader.hpp"
#include "workers/admin/consumer_groups.hpp"
#include "workers/admin/dead_letters.hpp"
#include "workers/admin/lag_report.hpp"

namespace switchboard::admin {

namespace http = boost::beast::http;

namespace {

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The body of a redrive or purge: stage, and ids or all.
struct DeadLetterChoice {
  std::string stage;
  std::vector<std::string> ids;
  bool all = false;
};

DeadLetterChoice ReadChoice(const std::string& body) {
  const auto parsed = json::Parse(body);
  if (!parsed.ok() || !parsed->IsObject())
    throw ApiError::BadRequest("the body must be a JSON object");
  DeadLetterChoice choice;
  choice.stage = json::StringOr(*parsed, "stage");
  if (choice.stage.empty()) throw ApiError::BadRequest("stage must be a non-empty string");
  choice.all = json::Bool(*parsed, "all").value_or(false);
  if (const json::Value* ids = json::Find(*parsed, "ids")) {
    if (!ids->IsArray()) throw ApiError::BadRequest("ids must be an array of strings");
    for (const json::Value& id : ids->GetArray()) {
      if (!id.IsString() || id.GetStringLength() == 0) {
        throw ApiError::BadRequest("ids must be an array of strings");
      }
      choice.ids.emplace_back(json::View(id));
    }
  }
  if (choice.all == !choice.ids.empty()) throw ApiError::BadRequest("give ids or all, not both");
  return choice;
}

}  // namespace

struct LagMonitor::Gauges {
  explicit Gauges(prometheus::Registry& registry)
      : records(prometheus::BuildGauge()
                    .Name("switchboard_group_lag_records")
                    .Help("Records between a group's committed offset and the partition's end")
                    .Register(registry)),
        seconds(prometheus::BuildGauge()
                    .Name("switchboard_group_lag_seconds")
                    .Help("Age of the oldest record a group has not consumed yet")
                    .Register(registry)),
        status(prometheus::BuildGauge()
                   .Name("switchboard_group_status")
                   .Help("Burrow-style status: 0 OK, 1 LAGGING, 2 STALLED, 3 STOPPED")
                   .Register(registry)) {}

  /// Sets the gauges of `groups` and removes those of groups and partitions no longer there.
  void Set(const std::vector<GroupLag>& groups) {
    std::map<std::map<std::string, std::string>, std::pair<double, double>> partitions;
    std::map<std::string, double> statuses;
    for (const GroupLag& group : groups) {
      statuses[group.group] = static_cast<double>(group.status);
      for (const PartitionLag& partition : group.partitions) {
        if (!partition.lag) continue;
        partitions[{{"group", group.group},
                    {"topic", partition.topic},
                    {"partition", std::to_string(partition.partition)}}] = {
            static_cast<double>(*partition.lag), partition.lag_seconds.value_or(0.0)};
      }
    }
    for (auto& [labels, pair] : shown_partitions) {
      if (partitions.contains(labels)) continue;
      records.Remove(pair.first);
      seconds.Remove(pair.second);
    }
    for (auto& [group, gauge] : shown_groups) {
      if (!statuses.contains(group)) status.Remove(gauge);
    }
    std::map<std::map<std::string, std::string>, std::pair<prometheus::Gauge*, prometheus::Gauge*>>
        next_partitions;
    for (const auto& [labels, values] : partitions) {
      auto& pair = next_partitions[labels] = {&records.Add(labels), &seconds.Add(labels)};
      pair.first->Set(values.first);
      pair.second->Set(values.second);
    }
    std::map<std::string, prometheus::Gauge*> next_groups;
    for (const auto& [group, value] : statuses) {
      (next_groups[group] = &status.Add({{"group", group}}))->Set(value);
    }
    shown_partitions = std::move(next_partitions);
    shown_groups = std::move(next_groups);
  }

  prometheus::Family<prometheus::Gauge>& records;
  prometheus::Family<prometheus::Gauge>& seconds;
  prometheus::Family<prometheus::Gauge>& status;
  std::map<std::map<std::string, std::string>, std::pair<prometheus::Gauge*, prometheus::Gauge*>>
      shown_partitions;
  std::map<std::string, prometheus::Gauge*> shown_groups;
};

LagMonitor::LagMonitor(std::string brokers, prometheus::Registry& registry,
                       std::chrono::milliseconds interval, std::size_t window)
    : brokers_(std::move(brokers)),
      gauges_(std::make_unique<Gauges>(registry)),
      window_(window),
      thread_([this, interval] { Loop(interval); }) {}

LagMonitor::~LagMonitor() {
  {
    const std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  thread_.join();
}

void LagMonitor::Sample() {
  const std::lock_guard one(sampling_);
  PartitionReader reader(brokers_, "switchboard-admin-lag");
  std::vector<GroupLag> groups =
      ReadConsumerLag(reader, std::nullopt, NowUnixMs(), std::chrono::seconds(10), &stopping_);
  const std::lock_guard lock(mutex_);
  window_.Add(groups);
  gauges_->Set(groups);
  latest_ = std::move(groups);
}

void LagMonitor::Loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(mutex_);
  while (!stopping_.load()) {
    lock.unlock();
    try {
      Sample();
    } catch (const std::exception& e) {
      if (stopping_.load()) break;
      Log(LogLevel::kWarning, "consumer lag sample failed", {{"error", e.what()}});
    }
    lock.lock();
    wake_.wait_for(lock, interval, [this] { return stopping_.load(); });
  }
}

std::vector<GroupLag> LagMonitor::Latest() {
  {
    const std::lock_guard lock(mutex_);
    if (latest_) return *latest_;
  }
  Sample();
  const std::lock_guard lock(mutex_);
  return latest_.value_or(std::vector<GroupLag>{});
}

void RegisterOperatorRoutes(AdminRoutes& routes, OperatorServices services) {
  auto& pending_gauges = prometheus::BuildGauge()
                             .Name("switchboard_dead_letters_pending")
                             .Help(
                                 "Pending dead letters per stage and source topic at the last "
                                 "listing")
                             .Register(services.registry);
  auto& action_counts = prometheus::BuildCounter()
                            .Name("switchboard_dead_letter_actions_total")
                            .Help("Dead letters re-driven or purged, per stage")
                            .Register(services.registry);

  routes.Add(http::verb::get, "/v1/ops/lag", Access::kPlatform,
             [lag = &services.lag](const ApiRequest& request) {
               std::vector<GroupLag> groups = lag->Latest();
               if (const auto group = request.Query("group")) {
                 std::erase_if(groups, [&](const GroupLag& g) { return g.group != *group; });
                 if (groups.empty()) throw ApiError::NotFound("no consumer group " + *group);
               }
               return JsonResponse(request.http, http::status::ok, LagJson(groups));
             });

  // Reads the dead letters of `stage` (every stage when none) and what was done with them.
  const auto scan = [services](const std::optional<std::string>& stage) {
    PartitionReader reader(services.brokers, "switchboard-admin-dlq");
    DeadLetterScan found = ScanDeadLetters(reader, stage);
    std::map<std::string, DeadLetterAction> actions;
    {
      auto connection = services.database.Acquire();
      pqxx::read_transaction tx(*connection);
      actions = DeadLetterStore::Actions(tx);
    }
    return std::make_pair(std::move(found), std::move(actions));
  };

  routes.Add(
      http::verb::get, "/v1/ops/dlq", Access::kPlatform,
      [scan, &pending_gauges](const ApiRequest& request) {
        const std::optional<std::string> stage = request.Query("stage");
        const auto [found, actions] = scan(stage);
        const std::vector<StoredDeadLetter> pending = PendingOf(found, actions);
        if (!stage) {
          std::map<std::pair<std::string, std::string>, double> counts;
          for (const auto& stored : pending) {
            counts[{stored.letter.stage, stored.letter.original_topic}] += 1;
          }
          for (const auto& stored : found.letters) {  // a stage down to 0 shows 0
            counts.try_emplace({stored.letter.stage, stored.letter.original_topic}, 0);
          }
          for (const auto& [labels, count] : counts) {
            pending_gauges.Add({{"stage", labels.first}, {"topic", labels.second}}).Set(count);
          }
        }
        return JsonResponse(request.http, http::status::ok,
                            DeadLetterListJson(pending, found.unreadable));
      });

  routes.Add(http::verb::get, "/v1/ops/dlq/{id}", Access::kPlatform,
             [scan](const ApiRequest& request) {
               const auto [found, actions] = scan(std::nullopt);
               for (const StoredDeadLetter& stored : found.letters) {
                 if (stored.place.id == request.Param("id")) {
                   return JsonResponse(request.http, http::status::ok,
                                       DeadLetterShowJson(stored, actions));
                 }
               }
               throw ApiError::NotFound("dead letter not found");
             });

  for (const DeadLetterAction kind : {DeadLetterAction::kRedriven, DeadLetterAction::kPurged}) {
    const std::string path =
        kind == DeadLetterAction::kRedriven ? "/v1/ops/dlq/redrive" : "/v1/ops/dlq/purge";
    routes.Add(
        http::verb::post, path, Access::kPlatform,
        [scan, services, kind, &action_counts](const ApiRequest& request) {
          const DeadLetterChoice choice = ReadChoice(request.http.body());
          const auto [found, actions] = scan(choice.stage);
          std::vector<DeadLetterOutcome> outcomes;
          const auto chosen =
              ChooseDeadLetters(found, PendingOf(found, actions), choice.ids, choice.all, outcomes);
          if (chosen.empty() && !outcomes.empty()) {
            throw ApiError::NotFound("no dead letter " + outcomes.front().id + " of stage " +
                                     choice.stage);
          }
          auto connection = services.database.Acquire();
          const auto acted = ActOnDeadLetters(
              *connection, kind == DeadLetterAction::kRedriven ? &services.producer : nullptr,
              chosen, kind);
          for (const DeadLetterOutcome& outcome : acted) {
            if (!outcome.failed && outcome.result == DeadLetterActionName(kind)) {
              action_counts
                  .Add({{"stage", choice.stage},
                        {"action", std::string(DeadLetterActionName(kind))}})
                  .Increment();
            }
            outcomes.push_back(outcome);
          }
          // A record the broker did not take: 502 with every id's result.
          const bool failed = std::any_of(acted.begin(), acted.end(),
                                          [](const auto& outcome) { return outcome.failed; });
          return JsonResponse(request.http, failed ? http::status::bad_gateway : http::status::ok,
                              OutcomesJson(outcomes));
        });
  }
}

}  // namespace switchboard::admin
