// The database-free parts of the migration runner: listing, naming rules, checksums, and the
// decision which files are pending.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "common/migrations.hpp"

namespace {

namespace fs = std::filesystem;
using switchboard::db::Checksum;
using switchboard::db::IsMigrationFileName;
using switchboard::db::ListMigrations;
using switchboard::db::MigrationError;
using switchboard::db::MigrationFile;
using switchboard::db::PendingMigrations;

// Obtained with: printf 'SELECT 1;\n' | sha256sum
constexpr char kSelectOneSha256[] =
    "b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd";
// Obtained with: printf '' | sha256sum
constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A fresh directory under the system temp directory, removed with everything in it.
struct TempDir {
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("switchboard-migrations-" + std::to_string(random()) + "-" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }

  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
  }

  fs::path path;
};

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const MigrationError& e) {
    return e.what();
  }
  FAIL("expected a MigrationError");
  return {};
}

MigrationFile File(int number, const std::string& name, const std::string& sql) {
  return {.number = number, .name = name, .sql = sql, .checksum = Checksum(sql)};
}

}  // namespace

TEST_SUITE("migrations") {
  TEST_CASE("checksum is the lowercase hex SHA-256 of the bytes") {
    CHECK(Checksum("SELECT 1;\n") == kSelectOneSha256);
    CHECK(Checksum("") == kEmptySha256);
  }

  TEST_CASE("file names must be NNNN_name.sql") {
    CHECK(IsMigrationFileName("0001_init.sql"));
    CHECK(IsMigrationFileName("0042_add_leads_2.sql"));
    CHECK_FALSE(IsMigrationFileName("1_init.sql"));
    CHECK_FALSE(IsMigrationFileName("00001_init.sql"));
    CHECK_FALSE(IsMigrationFileName("0001-init.sql"));
    CHECK_FALSE(IsMigrationFileName("0001_.sql"));
    CHECK_FALSE(IsMigrationFileName("0001_Init.sql"));
    CHECK_FALSE(IsMigrationFileName("0001_in it.sql"));
    CHECK_FALSE(IsMigrationFileName("abcd_init.sql"));
    CHECK_FALSE(IsMigrationFileName("0001_init.SQL"));
    CHECK_FALSE(IsMigrationFileName("0001_init.sql.bak"));
  }

  TEST_CASE("files are listed in numeric order with their bytes and checksums") {
    TempDir dir;
    dir.Write("0010_later.sql", "SELECT 10;\n");
    dir.Write("0002_second.sql", "SELECT 2;\n");
    dir.Write("0001_init.sql", "SELECT 1;\n");
    dir.Write("README.md", "not a migration");
    dir.Write("0003_draft.sql~", "editor backup");
    fs::create_directory(dir.path / "archive");

    const auto files = ListMigrations(dir.path);
    REQUIRE(files.size() == 3);
    CHECK(files[0].name == "0001_init.sql");
    CHECK(files[0].number == 1);
    CHECK(files[0].sql == "SELECT 1;\n");
    CHECK(files[0].checksum == kSelectOneSha256);
    CHECK(files[1].name == "0002_second.sql");
    CHECK(files[2].name == "0010_later.sql");
    CHECK(files[2].number == 10);
  }

  TEST_CASE("an empty directory has no migrations") {
    TempDir dir;
    CHECK(ListMigrations(dir.path).empty());
  }

  TEST_CASE("a malformed .sql name is rejected, naming the file") {
    TempDir dir;
    dir.Write("0001_init.sql", "SELECT 1;\n");
    dir.Write("2_oops.sql", "SELECT 2;\n");
    const std::string error = ErrorOf([&] { ListMigrations(dir.path); });
    CHECK(error.find("2_oops.sql") != std::string::npos);
    CHECK(error.find("NNNN_name.sql") != std::string::npos);
  }

  TEST_CASE("two files with the same number are rejected, naming both") {
    TempDir dir;
    dir.Write("0001_init.sql", "SELECT 1;\n");
    dir.Write("0002_leads.sql", "SELECT 2;\n");
    dir.Write("0002_services.sql", "SELECT 3;\n");
    const std::string error = ErrorOf([&] { ListMigrations(dir.path); });
    CHECK(error.find("0002_leads.sql") != std::string::npos);
    CHECK(error.find("0002_services.sql") != std::string::npos);
  }

  TEST_CASE("a missing directory is an error naming it") {
    const fs::path missing = fs::temp_directory_path() / "switchboard-no-such-migrations-dir";
    const std::string error = ErrorOf([&] { ListMigrations(missing); });
    CHECK(error.find(missing.string()) != std::string::npos);
  }

  TEST_CASE("pending migrations are the unapplied files, in order") {
    const std::vector<MigrationFile> files = {File(1, "0001_init.sql", "SELECT 1;\n"),
                                              File(2, "0002_more.sql", "SELECT 2;\n"),
                                              File(3, "0003_most.sql", "SELECT 3;\n")};
    SUBCASE("fresh database: everything") {
      const auto pending = PendingMigrations(files, {});
      REQUIRE(pending.size() == 3);
      CHECK(pending[0].name == "0001_init.sql");
      CHECK(pending[2].name == "0003_most.sql");
    }
    SUBCASE("partly applied: the rest") {
      const auto pending = PendingMigrations(files, {{"0001_init.sql", kSelectOneSha256}});
      REQUIRE(pending.size() == 2);
      CHECK(pending[0].name == "0002_more.sql");
      CHECK(pending[1].name == "0003_most.sql");
    }
    SUBCASE("all applied: nothing") {
      const auto pending = PendingMigrations(files, {{"0001_init.sql", files[0].checksum},
                                                     {"0002_more.sql", files[1].checksum},
                                                     {"0003_most.sql", files[2].checksum}});
      CHECK(pending.empty());
    }
  }

  TEST_CASE("an applied file that changed is refused, naming it") {
    const std::vector<MigrationFile> files = {File(1, "0001_init.sql", "SELECT 1; -- edited\n")};
    const std::string error = ErrorOf([&] {
      (void)PendingMigrations(files, {{"0001_init.sql", kSelectOneSha256}});
    });
    CHECK(error.find("0001_init.sql") != std::string::npos);
    CHECK(error.find("changed") != std::string::npos);
  }

  TEST_CASE("an applied file missing from the directory is refused, naming it") {
    const std::vector<MigrationFile> files = {File(1, "0001_init.sql", "SELECT 1;\n")};
    const std::string error = ErrorOf([&] {
      (void)PendingMigrations(
          files, {{"0001_init.sql", kSelectOneSha256}, {"0002_gone.sql", kEmptySha256}});
    });
    CHECK(error.find("0002_gone.sql") != std::string::npos);
    CHECK(error.find("missing") != std::string::npos);
  }

  TEST_CASE("a new file numbered below an applied one is refused, naming it") {
    const std::vector<MigrationFile> files = {File(1, "0001_init.sql", "SELECT 1;\n"),
                                              File(2, "0002_late.sql", "SELECT 2;\n"),
                                              File(3, "0003_next.sql", "SELECT 3;\n")};
    const std::string error = ErrorOf([&] {
      (void)PendingMigrations(
          files, {{"0001_init.sql", files[0].checksum}, {"0003_next.sql", files[2].checksum}});
    });
    CHECK(error.find("0002_late.sql") != std::string::npos);
  }
}
