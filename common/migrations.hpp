#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::db {

/// Thrown when migrations cannot be listed or applied safely; the message names the file.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One schema migration file, `NNNN_name.sql`, with its bytes.
struct MigrationFile {
  int number = 0;        ///< the NNNN prefix; files apply in increasing order
  std::string name;      ///< the file name, e.g. "0001_init.sql"; its key in schema_migrations
  std::string sql;       ///< the file's bytes, executed as one simple query
  std::string checksum;  ///< lowercase hex SHA-256 of `sql`
};

/// Lowercase hex SHA-256 of `bytes` (64 characters).
std::string Checksum(std::string_view bytes);

/// True when `file_name` has the form NNNN_name.sql: four digits, '_', then one or more of
/// [a-z0-9_], then ".sql".
bool IsMigrationFileName(std::string_view file_name);

/// The migrations in `dir`, read and checksummed, in increasing order of number. Entries that do
/// not end in ".sql" (READMEs, editor backups, directories) are ignored. Throws MigrationError
/// naming the file when the directory or a file cannot be read, when a .sql name is malformed,
/// or when two files share a number.
std::vector<MigrationFile> ListMigrations(const std::filesystem::path& dir);

/// The files of `files` (ordered) that still have to be applied, given `applied` (file name ->
/// recorded checksum, from schema_migrations). Throws MigrationError naming the file when an
/// applied file changed since, when an applied file is missing from `files`, or when a pending
/// file is numbered below an applied one (it would run out of order).
std::vector<MigrationFile> PendingMigrations(const std::vector<MigrationFile>& files,
                                             const std::map<std::string, std::string>& applied);

/// Brings the database at `database_url` up to date with the migrations in `dir`: creates
/// schema_migrations(name, checksum, applied_at) if missing, checks the applied files
/// (PendingMigrations), then applies each pending file in its own transaction and records it
/// there. Every transaction holds a transaction-level advisory lock, so concurrent migrators
/// serialize and each file is applied once. Returns the names applied, in order (empty when
/// there was nothing to apply), and logs each. Throws MigrationError naming the file when the
/// files are inconsistent or a file's SQL fails (that file is rolled back and not recorded), and
/// pqxx::broken_connection when the database cannot be reached.
std::vector<std::string> Migrate(const std::string& database_url, const std::filesystem::path& dir);

}  // namespace switchboard::db
