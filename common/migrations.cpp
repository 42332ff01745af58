#include "common/migrations.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>

#include "common/encoding.hpp"
#include "common/hmac.hpp"
#include "common/log.hpp"

namespace switchboard::db {
namespace {

// The advisory lock every migrating transaction takes (advisory locks are per database).
// 0x5357424d49475241 = "SWBMIGRA".
constexpr std::int64_t kMigrationLockKey = 0x5357424d49475241;

constexpr std::string_view kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  name text PRIMARY KEY,"
    "  checksum text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now())";

void TakeMigrationLock(pqxx::transaction_base& tx) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
}

std::map<std::string, std::string> AppliedMigrations(pqxx::transaction_base& tx) {
  std::map<std::string, std::string> applied;
  for (const auto& row : tx.exec("SELECT name, checksum FROM schema_migrations")) {
    applied.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  }
  return applied;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError("cannot open migration " + path.string());
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw MigrationError("cannot read migration " + path.string());
  return bytes;
}

}  // namespace

std::string Checksum(std::string_view bytes) {
  const Sha256Digest digest = Sha256(bytes);  // OpenSSL EVP_Digest
  return HexEncode(digest);
}

bool IsMigrationFileName(std::string_view file_name) {
  constexpr std::string_view kSuffix = ".sql";
  if (file_name.size() < 4 + 1 + 1 + kSuffix.size()) return false;
  if (!file_name.ends_with(kSuffix)) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    if (file_name[i] < '0' || file_name[i] > '9') return false;
  }
  if (file_name[4] != '_') return false;
  const std::string_view label = file_name.substr(5, file_name.size() - 5 - kSuffix.size());
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<MigrationFile> ListMigrations(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::directory_iterator entries(dir, error);
  if (error) {
    throw MigrationError("cannot read the migrations directory " + dir.string() + ": " +
                         error.message());
  }
  std::vector<MigrationFile> files;
  for (const auto& entry : entries) {
    const std::string file_name = entry.path().filename().string();
    if (!file_name.ends_with(".sql")) continue;
    if (!IsMigrationFileName(file_name)) {
      throw MigrationError("malformed migration file name " + entry.path().string() +
                           ": expected NNNN_name.sql (four digits, '_', then [a-z0-9_])");
    }
    if (!entry.is_regular_file()) {
      throw MigrationError("migration " + entry.path().string() + " is not a regular file");
    }
    MigrationFile file;
    file.number = std::stoi(file_name.substr(0, 4));
    file.name = file_name;
    file.sql = ReadFile(entry.path());
    file.checksum = Checksum(file.sql);
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const MigrationFile& a, const MigrationFile& b) {
    return a.number != b.number ? a.number < b.number : a.name < b.name;
  });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].number == files[i - 1].number) {
      throw MigrationError("migrations " + files[i - 1].name + " and " + files[i].name + " in " +
                           dir.string() + " share the number " + files[i].name.substr(0, 4));
    }
  }
  return files;
}

std::vector<MigrationFile> PendingMigrations(const std::vector<MigrationFile>& files,
                                             const std::map<std::string, std::string>& applied) {
  std::map<std::string, const MigrationFile*> by_name;
  for (const auto& file : files) by_name.emplace(file.name, &file);

  int last_applied = -1;
  for (const auto& [name, checksum] : applied) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) {
      throw MigrationError("migration " + name +
                           " is recorded in schema_migrations but missing from the migrations "
                           "directory; restore the file (applied migrations are never removed)");
    }
    if (found->second->checksum != checksum) {
      throw MigrationError("migration " + name + " changed after it was applied (recorded sha256 " +
                           checksum + ", file now " + found->second->checksum +
                           "); restore it and add a new migration instead");
    }
    last_applied = std::max(last_applied, found->second->number);
  }

  std::vector<MigrationFile> pending;
  for (const auto& file : files) {
    if (applied.contains(file.name)) continue;
    if (file.number < last_applied) {
      throw MigrationError("migration " + file.name +
                           " is not applied but a later-numbered migration is; renumber it "
                           "after the last applied migration");
    }
    pending.push_back(file);
  }
  return pending;
}

std::vector<std::string> Migrate(const std::string& database_url,
                                 const std::filesystem::path& dir) {
  // Read and check the files before touching the database.
  const std::vector<MigrationFile> files = ListMigrations(dir);
  pqxx::connection connection(database_url);

  std::vector<MigrationFile> pending;
  {
    pqxx::work tx(connection, "schema_migrations");
    TakeMigrationLock(tx);
    tx.exec(std::string(kCreateSchemaMigrations));
    pending = PendingMigrations(files, AppliedMigrations(tx));
    tx.commit();
  }

  std::vector<std::string> applied;
  for (const auto& file : pending) {
    const auto started = std::chrono::steady_clock::now();
    pqxx::work tx(connection, "migration");
    TakeMigrationLock(tx);
    // Another migrator may have applied it since our check; the lock makes this re-check final.
    const pqxx::result recorded =
        tx.exec_params("SELECT checksum FROM schema_migrations WHERE name = $1", file.name);
    if (!recorded.empty()) {
      if (recorded[0][0].as<std::string>() != file.checksum) {
        throw MigrationError("migration " + file.name +
                             " was applied concurrently with a different checksum");
      }
      continue;
    }
    try {
      tx.exec(file.sql);
    } catch (const pqxx::sql_error& e) {
      Log(LogLevel::kError, "migration failed",
          {{"file", file.name}, {"sqlstate", e.sqlstate()}, {"error", e.what()}});
      throw MigrationError("migration " + file.name + " failed: " + e.what());
    }
    tx.exec_params("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", file.name,
                   file.checksum);
    tx.commit();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    Log(LogLevel::kInfo, "migration applied",
        {{"file", file.name},
         {"checksum", file.checksum},
         {"duration_ms", static_cast<std::int64_t>(elapsed.count())}});
    applied.push_back(file.name);
  }
  if (applied.empty()) {
    Log(LogLevel::kInfo, "nothing to apply",
        {{"dir", dir.string()}, {"migrations", static_cast<std::int64_t>(files.size())}});
  }
  return applied;
}

}  // namespace switchboard::db
