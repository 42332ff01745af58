// Retrieval quality on the evaluation set (tests/retrieval/evaluation_set.json): recall@1 and
// recall@3 of the questions some passage answers, and what retrieval-only mode would reply to
// every question (right passage, wrong passage, fallback). Three rankings side by side:
//   baseline  the agent's search before this ranking (english, ts_rank_cd over heading + text,
//             no facts passages) with its rule (best rank >= RETRIEVAL_MIN_RANK 0.2);
//   text      SearchKnowledge without embeddings, with ConfidentAnswer;
//   hybrid    SearchKnowledge with embeddings (--embeddings fake: the fake server of
//             tests/support in this process; env: EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL,
//             EMBEDDINGS_API_KEY), fused by reciprocal rank fusion.
// The bench seeds its own tenants (the demo's content under another id, and the set's German
// tenant) through DATABASE_OWNER_URL, searches through DATABASE_URL scoped to each tenant like
// the agent, and deletes its tenants at the end.
//
//   retrieval_bench [--set FILE] [--questions FILE] [--embeddings none|fake|env] [--misses]
//   retrieval_bench --similarity-timing [--chunks 50,500,2000] [--dimensions 384,1536]
#define DOCTEST_CONFIG_IMPLEMENT  // the test-support helpers report failures through doctest
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/embeddings_client.hpp"
#include "common/json.hpp"
#include "common/knowledge_chunks.hpp"
#include "common/knowledge_embeddings.hpp"
#include "common/tenant_scope.hpp"
#include "tests/support/fake_embeddings.hpp"
#include "tests/support/knowledge_seed.hpp"
#include "tests/support/tenant_seed.hpp"
#include "workers/agent/context.hpp"
#include "workers/agent/knowledge_query.hpp"
#include "workers/agent/knowledge_search.hpp"
#include "workers/agent/passage_ranking.hpp"

namespace {

using namespace switchboard;
using Clock = std::chrono::steady_clock;

struct Question {
  std::string tenant;
  std::string kind;
  std::string text;
  std::vector<std::string> expect;
};

struct Tenant {
  std::string key;
  std::string business_id;
};

/// The passage's name in the evaluation set: "facts:<heading>" or the heading path (the title
/// when it has none).
std::string PassageKey(const std::string& source, const std::string& title,
                       const std::string& heading) {
  if (source == "facts") return "facts:" + heading;
  return heading.empty() ? title : heading;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Strings(const json::Value& array) {
  std::vector<std::string> values;
  for (const auto& value : array.GetArray()) values.emplace_back(json::View(value));
  return values;
}

std::string InsertBusiness(pqxx::work& tx, const std::string& key, const std::string& name,
                           const std::string& language, const std::string& timezone,
                           const std::string& address, const std::string& hours,
                           const std::string& settings) {
  return tx
      .exec_params1(
          "INSERT INTO businesses (name, slug, settings, timezone, opening_hours, language, "
          "address) VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7) RETURNING id",
          name, "bench-retrieval-" + key + "-" + testing::UniqueSuffix(), settings, timezone, hours,
          language, address)[0]
      .as<std::string>();
}

/// Seeds the set's tenants; returns them by key.
std::map<std::string, Tenant> SeedTenants(pqxx::connection& owner, const json::Value& set) {
  std::map<std::string, Tenant> tenants;
  pqxx::work tx(owner);
  for (const auto& spec : json::Find(set, "tenants")->GetArray()) {
    const std::string key = json::StringOr(spec, "key");
    Tenant tenant{key, {}};
    if (json::StringOr(spec, "content") == "demo-seed") {
      tenant.business_id = testing::InsertDemoLikeTenant(tx, "bench-retrieval-" + key);
    } else {
      tenant.business_id =
          InsertBusiness(tx, key, json::StringOr(spec, "name"), json::StringOr(spec, "language"),
                         json::StringOr(spec, "timezone", "UTC"), json::StringOr(spec, "address"),
                         json::Serialize(*json::Find(spec, "opening_hours")), "{}");
      for (const auto& service : json::Find(spec, "services")->GetArray()) {
        tx.exec_params(
            "INSERT INTO services (business_id, name, duration_minutes, price_cents, currency, "
            "description) VALUES ($1, $2, $3, $4, 'EUR', $5)",
            tenant.business_id, json::StringOr(service, "name"),
            *json::Int(service, "duration_minutes"), *json::Int(service, "price_cents"),
            json::StringOr(service, "description"));
      }
      for (const auto& document : json::Find(spec, "documents")->GetArray()) {
        testing::InsertKnowledgeDocument(tx, tenant.business_id, json::StringOr(document, "title"),
                                         json::StringOr(document, "body"));
      }
    }
    tenants[key] = tenant;
  }
  tx.commit();
  return tenants;
}

/// A ranking's answer to one question: passage keys best first, and the passage retrieval-only
/// mode answers with ("" for the fallback).
struct Ranked {
  std::vector<std::string> keys;
  /// The evidence of each passage, for --misses ("rank" or "rank/similarity").
  std::vector<std::string> evidence;
  std::string answer;
};

std::string Evidence(double rank, double coverage = -1,
                     std::optional<double> similarity = std::nullopt) {
  char text[64];
  if (similarity) {
    std::snprintf(text, sizeof text, "%.3f c%.2f s%.2f", rank, coverage, *similarity);
  } else if (coverage >= 0) {
    std::snprintf(text, sizeof text, "%.3f c%.2f", rank, coverage);
  } else {
    std::snprintf(text, sizeof text, "%.3f", rank);
  }
  return text;
}

/// RETRIEVAL_MIN_RANK's default before this ranking.
constexpr double kBaselineMinRank = 0.2;

/// The agent's search and rule before this ranking, reproduced: the generated column it used was
/// to_tsvector('english', heading || ' ' || content), and there were no facts passages.
Ranked BaselineSearch(pqxx::transaction_base& tx, const std::string& business_id,
                      const std::string& text) {
  Ranked ranked;
  // Its query text: the question's words joined with " or " (websearch_to_tsquery syntax).
  std::string search;
  for (const std::string& word : agent::BuildSearchTerms(text, "").words) {
    search += (search.empty() ? "" : " or ") + word;
  }
  if (search.empty()) return ranked;
  const auto rows = tx.exec_params(
      "SELECT i.title, coalesce(c.heading, ''), ts_rank_cd(v.tsv, q.query)::float8 AS rank "
      "FROM knowledge_chunks c "
      "JOIN knowledge_items i ON i.business_id = c.business_id AND i.id = c.item_id "
      "CROSS JOIN LATERAL (SELECT to_tsvector('english', coalesce(c.heading, '') || ' ' || "
      "  c.content) AS tsv) v "
      "CROSS JOIN websearch_to_tsquery('english', $2) AS q(query) "
      "WHERE c.business_id = $1 AND i.source <> 'facts' AND v.tsv @@ q.query "
      "ORDER BY rank DESC, c.id LIMIT 4",
      business_id, search);
  for (const auto& row : rows) {
    ranked.keys.push_back(PassageKey("", row[0].as<std::string>(), row[1].as<std::string>()));
    ranked.evidence.push_back(Evidence(row[2].as<double>()));
  }
  if (!rows.empty() && rows[0][2].as<double>() >= kBaselineMinRank) {
    ranked.answer = ranked.keys.front();
  }
  return ranked;
}

/// The ranking and the rule under test (--rank-weight, --min-coverage, --margin try others).
agent::RankingOptions ranking_options;
agent::ConfidenceRule confidence_rule;

Ranked NewSearch(pqxx::transaction_base& tx, const std::string& business_id,
                 const std::string& text, const EmbeddingsClient* embeddings) {
  agent::KnowledgeSearch search{business_id, text, 4, {}, {}};
  if (embeddings != nullptr) {
    auto vectors = embeddings->Embed({text});
    if (!vectors.ok()) throw std::runtime_error(vectors.error().message);
    search.embedding = vectors->front();
    search.embedding_model = embeddings->Model();
  }
  const auto passages = agent::SearchKnowledge(tx, search, ranking_options);
  Ranked ranked;
  for (const auto& passage : passages) {
    ranked.keys.push_back(PassageKey(passage.source, passage.title, passage.heading));
    ranked.evidence.push_back(Evidence(passage.text_rank, passage.coverage, passage.similarity));
  }
  if (const auto chosen = agent::ConfidentAnswer(passages, confidence_rule)) {
    ranked.answer = ranked.keys[*chosen];
  }
  return ranked;
}

struct Tally {
  int answerable = 0;
  int at1 = 0;
  int at3 = 0;
  int questions = 0;
  int right = 0;
  int wrong = 0;
  int fallback = 0;
  int none_questions = 0;
  int none_fallback = 0;
  double seconds = 0;

  void Add(const Question& question, const Ranked& ranked) {
    const auto expected = [&](const std::string& key) {
      return std::find(question.expect.begin(), question.expect.end(), key) !=
             question.expect.end();
    };
    ++questions;
    if (!question.expect.empty()) {
      ++answerable;
      if (!ranked.keys.empty() && expected(ranked.keys[0])) ++at1;
      for (std::size_t i = 0; i < ranked.keys.size() && i < 3; ++i) {
        if (expected(ranked.keys[i])) {
          ++at3;
          break;
        }
      }
    } else {
      ++none_questions;
      if (ranked.answer.empty()) ++none_fallback;
    }
    // Right: the answer is a passage that answers the question, or the fallback for a question
    // no passage answers. Wrong: any other passage. Fallback: no answer to an answerable one.
    if (ranked.answer.empty()) {
      ++(question.expect.empty() ? right : fallback);
    } else if (expected(ranked.answer)) {
      ++right;
    } else {
      ++wrong;
    }
  }
};

std::string Percent(int part, int whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%5.1f %%", whole == 0 ? 0.0 : 100.0 * part / whole);
  return text;
}

void PrintRow(const std::string& ranking, const std::string& scope, const Tally& tally) {
  std::printf("%-9s %-10s %4d %4d  %s  %s   %3d  %s   %3d  %3d   %d/%d   %7.2f ms\n",
              ranking.c_str(), scope.c_str(), tally.questions, tally.answerable,
              Percent(tally.at1, tally.answerable).c_str(),
              Percent(tally.at3, tally.answerable).c_str(), tally.right,
              Percent(tally.right, tally.questions).c_str(), tally.wrong, tally.fallback,
              tally.none_fallback, tally.none_questions,
              tally.questions == 0 ? 0.0 : 1000.0 * tally.seconds / tally.questions);
}

int RunEvaluation(const std::string& set_path, const std::string& questions_path,
                  const std::string& embeddings_mode, bool misses) {
  const auto set = json::Parse(ReadFile(set_path));
  if (!set.ok()) throw std::runtime_error(set_path + ": " + set.error().message);
  // The questions: the set's own, or another file's over the set's tenants.
  const auto other = json::Parse(questions_path.empty() ? "{}" : ReadFile(questions_path));
  if (!other.ok()) throw std::runtime_error(questions_path + ": " + other.error().message);
  const json::Value& question_source = questions_path.empty() ? *set : *other;
  std::vector<Question> questions;
  for (const auto& item : json::Find(question_source, "questions")->GetArray()) {
    questions.push_back({json::StringOr(item, "tenant"), json::StringOr(item, "kind"),
                         json::StringOr(item, "q"), Strings(*json::Find(item, "expect"))});
  }

  pqxx::connection owner(RequiredEnv("DATABASE_OWNER_URL"));
  const auto tenants = SeedTenants(owner, *set);

  std::unique_ptr<testing::FakeEmbeddings> fake;
  std::unique_ptr<EmbeddingsClient> embeddings;
  if (embeddings_mode == "fake") {
    fake = std::make_unique<testing::FakeEmbeddings>();
    embeddings = std::make_unique<EmbeddingsClient>(
        EmbeddingsOptions{.base_url = fake->BaseUrl(), .model = "fake-trigram-256"});
  } else if (embeddings_mode == "env") {
    embeddings = std::make_unique<EmbeddingsClient>(
        EmbeddingsOptions{.base_url = RequiredEnv("EMBEDDINGS_BASE_URL"),
                          .api_key = EnvOr("EMBEDDINGS_API_KEY", ""),
                          .model = RequiredEnv("EMBEDDINGS_MODEL")});
  }
  if (embeddings) {
    for (const auto& [key, tenant] : tenants) {
      const auto summary = EmbedKnowledgeChunks(owner, *embeddings, tenant.business_id);
      std::printf("embedded %zu chunks of %s with %s\n", summary.embedded, key.c_str(),
                  embeddings->Model().c_str());
    }
  }

  std::vector<std::string> rankings = {"baseline", "text"};
  if (embeddings) rankings.emplace_back("hybrid");
  std::map<std::string, std::map<std::string, Tally>> tallies;  // ranking -> scope -> tally
  std::map<std::string, std::map<std::string, Tally>> by_kind;
  pqxx::connection app(RequiredEnv("DATABASE_URL"));
  for (const Question& question : questions) {
    const Tenant& tenant = tenants.at(question.tenant);
    for (const std::string& ranking : rankings) {
      const auto started = Clock::now();
      Ranked ranked;
      {
        db::TenantWork tx(app, tenant.business_id, db::TenantWork::Access::kReadOnly);
        if (ranking == "baseline") {
          ranked = BaselineSearch(tx, tenant.business_id, question.text);
        } else {
          ranked = NewSearch(tx, tenant.business_id, question.text,
                             ranking == "hybrid" ? embeddings.get() : nullptr);
        }
        tx.commit();
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      for (const std::string& scope : {question.tenant, std::string("all")}) {
        tallies[ranking][scope].Add(question, ranked);
        tallies[ranking][scope].seconds += seconds;
      }
      by_kind[ranking][question.kind].Add(question, ranked);
      const bool right = std::find(question.expect.begin(), question.expect.end(), ranked.answer) !=
                         question.expect.end();
      if (misses && ranking != "baseline" &&
          !(right || (question.expect.empty() && ranked.answer.empty()))) {
        std::printf("  %-7s [%s/%s] %s\n      answer: %s\n      top: ", ranking.c_str(),
                    question.tenant.c_str(), question.kind.c_str(), question.text.c_str(),
                    ranked.answer.empty() ? "(fallback)" : ranked.answer.c_str());
        for (std::size_t k = 0; k < ranked.keys.size(); ++k) {
          std::printf("%s (%s) | ", ranked.keys[k].c_str(), ranked.evidence[k].c_str());
        }
        std::printf("\n");
      }
    }
  }

  std::printf(
      "\nranking   scope      questions   recall@1  recall@3   retrieval-only: right  "
      "wrong fallback  none->fallback  search\n");
  std::printf(
      "                     all answerable                  (a fallback to a question no "
      "passage answers is right)\n");
  for (const std::string& ranking : rankings) {
    for (const auto& [scope, tally] : tallies[ranking]) PrintRow(ranking, scope, tally);
  }
  std::printf("\nby kind of question:\n");
  for (const std::string& ranking : rankings) {
    for (const auto& [kind, tally] : by_kind[ranking]) PrintRow(ranking, kind, tally);
  }

  pqxx::work cleanup(owner);
  for (const auto& [key, tenant] : tenants) {
    cleanup.exec_params("DELETE FROM businesses WHERE id = $1", tenant.business_id);
  }
  cleanup.commit();
  return 0;
}

std::vector<int> Numbers(const std::string& list) {
  std::vector<int> numbers;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) numbers.push_back(std::stoi(item));
  return numbers;
}

/// Where cosine similarity is fastest for one tenant's chunks: in SQL next to the rows
/// (knowledge_similarity, the top 20 ids returned), or in this process after reading the
/// tenant's vectors (as text: libpqxx 6 reads results as text).
int RunSimilarityTiming(const std::vector<int>& chunk_counts, const std::vector<int>& dimensions) {
  pqxx::connection owner(RequiredEnv("DATABASE_OWNER_URL"));
  pqxx::connection app(RequiredEnv("DATABASE_URL"));
  // (a)'s function: the dot product of two unit-length real[] of the same length.
  {
    pqxx::nontransaction create(app);
    create.exec(
        "CREATE FUNCTION pg_temp.similarity(a real[], b real[]) RETURNS double precision "
        "LANGUAGE sql IMMUTABLE STRICT AS "
        "$$ SELECT sum(x::float8 * y) FROM unnest(a, b) AS t(x, y) $$");
  }
  std::mt19937 random(42);
  std::normal_distribution<float> normal;
  std::printf(
      "per query, ms: (a) SQL dot product (unnest), top 20 ids; (b) the agent reads real[] as "
      "text, parses, computes; (c) the agent reads array_send() as bytea, computes\n");
  std::printf("chunks  dims          (a)            (b)                (c)\n");
  for (const int dims : dimensions) {
    for (const int count : chunk_counts) {
      std::string business_id;
      {
        pqxx::work tx(owner);
        business_id =
            InsertBusiness(tx, "similarity", "Similarity timing", "en", "UTC", "", "{}", "{}");
        const auto item =
            tx.exec_params1(
                  "INSERT INTO knowledge_items (business_id, title, body) VALUES ($1, 't', '') "
                  "RETURNING id",
                  business_id)[0]
                .as<std::string>();
        for (int i = 0; i < count; ++i) {
          std::vector<float> vector(static_cast<std::size_t>(dims));
          for (float& value : vector) value = normal(random);
          tx.exec_params(
              "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, content, embedding, "
              "embedding_model) VALUES ($1, $2, $3, 'x', $4::real[], 'timing')",
              business_id, item, i, agent::RealArrayLiteral(agent::UnitLength(vector)));
        }
        tx.commit();
      }
      std::vector<float> query(static_cast<std::size_t>(dims));
      for (float& value : query) value = normal(random);
      const std::string literal = agent::RealArrayLiteral(agent::UnitLength(query));
      constexpr int kRepeats = 10;
      double sql_seconds = 0;
      double agent_seconds = 0;
      double binary_seconds = 0;
      for (int repeat = 0; repeat < kRepeats; ++repeat) {
        auto started = Clock::now();
        {
          db::TenantWork tx(app, business_id, db::TenantWork::Access::kReadOnly);
          tx.exec_params(
              "SELECT id FROM knowledge_chunks WHERE business_id = $1 AND embedding_model = "
              "'timing' ORDER BY pg_temp.similarity(embedding, $2::real[]) DESC LIMIT 20",
              business_id, literal);
          tx.commit();
        }
        sql_seconds += std::chrono::duration<double>(Clock::now() - started).count();
        started = Clock::now();
        {
          db::TenantWork tx(app, business_id, db::TenantWork::Access::kReadOnly);
          const auto rows = tx.exec_params(
              "SELECT id, embedding FROM knowledge_chunks WHERE business_id = $1 AND "
              "embedding_model = 'timing'",
              business_id);
          std::vector<std::pair<double, std::string>> scored;
          std::vector<float> vector;
          for (const auto& row : rows) {
            vector.clear();
            const char* text = row[1].c_str();
            for (const char* p = text + 1; *p != '\0' && *p != '}';) {
              char* end = nullptr;
              vector.push_back(std::strtof(p, &end));
              p = *end == ',' ? end + 1 : end;
            }
            scored.emplace_back(agent::CosineSimilarity(vector, query).value_or(-1),
                                row[0].as<std::string>());
          }
          std::partial_sort(scored.begin(),
                            scored.begin() + std::min<std::ptrdiff_t>(20, scored.size()),
                            scored.end(), std::greater<>());
          tx.commit();
        }
        agent_seconds += std::chrono::duration<double>(Clock::now() - started).count();
        started = Clock::now();
        {
          db::TenantWork tx(app, business_id, db::TenantWork::Access::kReadOnly);
          const auto rows = tx.exec_params(
              "SELECT id, array_send(embedding) FROM knowledge_chunks WHERE business_id = $1 AND "
              "embedding_model = 'timing'",
              business_id);
          std::vector<std::pair<double, std::string>> scored;
          for (const auto& row : rows) {
            const pqxx::binarystring bytes(row[1]);
            scored.emplace_back(agent::DotOfArraySend(bytes.str(), query).value_or(-1),
                                row[0].as<std::string>());
          }
          std::partial_sort(scored.begin(),
                            scored.begin() + std::min<std::ptrdiff_t>(20, scored.size()),
                            scored.end(), std::greater<>());
          tx.commit();
        }
        binary_seconds += std::chrono::duration<double>(Clock::now() - started).count();
      }
      std::printf("%6d %5d   %10.2f     %10.2f         %10.2f\n", count, dims,
                  1000 * sql_seconds / kRepeats, 1000 * agent_seconds / kRepeats,
                  1000 * binary_seconds / kRepeats);
      pqxx::work cleanup(owner);
      cleanup.exec_params("DELETE FROM businesses WHERE id = $1", business_id);
      cleanup.commit();
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string set_path =
      std::string(SWITCHBOARD_SOURCE_DIR) + "/tests/retrieval/evaluation_set.json";
  std::string questions_path;
  std::string embeddings = "none";
  bool misses = false;
  bool timing = false;
  std::string chunks = "50,500,2000";
  std::string dims = "384,1536";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--set") {
      set_path = value();
    } else if (arg == "--questions") {
      questions_path = value();
    } else if (arg == "--embeddings") {
      embeddings = value();
    } else if (arg == "--misses") {
      misses = true;
    } else if (arg == "--similarity-timing") {
      timing = true;
    } else if (arg == "--chunks") {
      chunks = value();
    } else if (arg == "--dimensions") {
      dims = value();
    } else if (arg == "--rank-weight") {
      ranking_options.rank_weight = std::stod(value());
    } else if (arg == "--related-weight") {
      ranking_options.related_weight = std::stod(value());
    } else if (arg == "--normalization") {
      ranking_options.normalization = std::stoi(value());
    } else if (arg == "--typo-similarity") {
      ranking_options.typo_similarity = std::stod(value());
    } else if (arg == "--text-only-weight") {
      ranking_options.text_only_weight = std::stod(value());
    } else if (arg == "--min-coverage") {
      confidence_rule.min_coverage = std::stod(value());
    } else if (arg == "--margin") {
      confidence_rule.min_margin = std::stod(value());
    } else {
      std::cerr << "usage: retrieval_bench [--set FILE] [--questions FILE] "
                   "[--embeddings none|fake|env] [--misses]\n"
                   "       retrieval_bench --similarity-timing [--chunks 50,500] "
                   "[--dimensions 384,1536]\n";
      return 2;
    }
  }
  try {
    if (timing) return RunSimilarityTiming(Numbers(chunks), Numbers(dims));
    if (embeddings != "none" && embeddings != "fake" && embeddings != "env") {
      std::cerr << "--embeddings must be none, fake or env\n";
      return 2;
    }
    return RunEvaluation(set_path, questions_path, embeddings, misses);
  } catch (const std::exception& e) {
    std::cerr << "retrieval_bench: " << e.what() << '\n';
    return 1;
  }
}
