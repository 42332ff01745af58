#include "workers/agent/passage_ranking.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace switchboard::agent {
namespace {

/// The heading a passage is about: the last part of its heading path, else its title;
/// lowercased, runs of non-letters as one space.
std::string OwnHeading(const RetrievedPassage& passage) {
  std::string_view heading = passage.heading;
  if (const auto separator = heading.rfind(" > "); separator != std::string_view::npos) {
    heading.remove_prefix(separator + 3);
  }
  if (heading.empty()) heading = passage.title;
  std::string words;
  bool space = false;
  for (const char c : heading) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || byte >= 0x80) {
      if (space && !words.empty()) words.push_back(' ');
      space = false;
      words.push_back(static_cast<char>(std::tolower(byte)));
    } else {
      space = true;
    }
  }
  return words;
}

}  // namespace

std::vector<FusedId> FuseReciprocalRanks(std::span<const std::vector<std::string>> rankings,
                                         double k) {
  std::vector<FusedId> fused;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& ranking : rankings) {
    std::unordered_map<std::string, bool> seen;
    for (std::size_t place = 0; place < ranking.size(); ++place) {
      const std::string& id = ranking[place];
      if (!seen.emplace(id, true).second) continue;
      const auto [it, inserted] = index.emplace(id, fused.size());
      if (inserted) fused.push_back({id, 0});
      fused[it->second].score += 1.0 / (k + static_cast<double>(place + 1));
    }
  }
  std::stable_sort(fused.begin(), fused.end(),
                   [](const FusedId& a, const FusedId& b) { return a.score > b.score; });
  return fused;
}

std::optional<double> CosineSimilarity(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size() || a.empty()) return std::nullopt;
  double dot = 0;
  double norm_a = 0;
  double norm_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    norm_a += static_cast<double>(a[i]) * a[i];
    norm_b += static_cast<double>(b[i]) * b[i];
  }
  if (norm_a == 0 || norm_b == 0) return std::nullopt;
  return dot / (std::sqrt(norm_a) * std::sqrt(norm_b));
}

std::optional<double> DotOfArraySend(std::string_view bytes, std::span<const float> query) {
  const auto u32 = [&](std::size_t at) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
  };
  // Header: ndim, has-nulls flag, element type; per dimension: length, lower bound; then each
  // element as its length (4) and big-endian float4.
  constexpr std::uint32_t kFloat4Oid = 700;
  if (bytes.size() < 20 || u32(0) != 1 || u32(4) != 0 || u32(8) != kFloat4Oid) return std::nullopt;
  const std::size_t length = u32(12);
  if (length != query.size() || bytes.size() != 20 + length * 8) return std::nullopt;
  double dot = 0;
  for (std::size_t i = 0; i < length; ++i) {
    if (u32(20 + i * 8) != 4) return std::nullopt;
    const std::uint32_t raw = u32(24 + i * 8);
    float value;
    std::memcpy(&value, &raw, sizeof value);
    dot += static_cast<double>(value) * query[i];
  }
  return dot;
}

std::vector<float> UnitLength(std::vector<float> vector) {
  double norm = 0;
  for (const float value : vector) norm += static_cast<double>(value) * value;
  if (norm == 0) return vector;
  const double scale = 1.0 / std::sqrt(norm);
  for (float& value : vector) value = static_cast<float>(value * scale);
  return vector;
}

bool SameTopic(const RetrievedPassage& a, const RetrievedPassage& b) {
  if (a.item_id == b.item_id && a.heading == b.heading) return true;
  const std::string own = OwnHeading(a);
  return !own.empty() && own == OwnHeading(b);
}

std::optional<std::size_t> ConfidentAnswer(std::span<const RetrievedPassage> passages,
                                           const ConfidenceRule& rule) {
  if (passages.empty()) return std::nullopt;
  const RetrievedPassage& best = passages.front();
  double rival_rank = 0;
  std::optional<double> rival_similarity;
  for (const RetrievedPassage& other : passages.subspan(1)) {
    if (SameTopic(best, other)) continue;
    if (other.covered_words != best.covered_words) {
      rival_rank = std::max(rival_rank, other.text_rank);
    }
    if (other.similarity) {
      rival_similarity = std::max(rival_similarity.value_or(-1.0), *other.similarity);
    }
  }
  const bool text_evidence =
      best.coverage >= rule.min_coverage && best.text_rank - rival_rank >= rule.min_margin;
  const bool vector_evidence =
      best.similarity && *best.similarity >= rule.min_similarity &&
      (!rival_similarity || *best.similarity - *rival_similarity >= rule.min_similarity_gap) &&
      best.text_rank >= rival_rank;
  if (text_evidence || vector_evidence) return 0;
  return std::nullopt;
}

}  // namespace switchboard::agent
