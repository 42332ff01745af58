// The schema (migrations/) and the migration runner against the PostgreSQL that tests/run
// started: DATABASE_OWNER_URL is the owner role (switchboard), DATABASE_URL the application role
// (switchboard_app) that row-level security applies to. Rows are seeded through the owner with
// unique slugs, so the tests can run again against the same database.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/migrations.hpp"
#include "common/tenant_scope.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kMigrationsDir = fs::path(SWITCHBOARD_SOURCE_DIR) / "migrations";

/// Every table of migrations/ that holds tenant rows (all but schema_migrations).
const std::vector<std::string> kTenantTables = {
    "businesses",     "integrations", "customers",    "customer_identities", "conversations",
    "messages",       "services",     "appointments", "knowledge_items",     "knowledge_chunks",
    "usage_counters", "usage_events", "leads",        "send_states",         "processed_events"};

/// The value of `name`; fails the test with a message naming it when unset or empty.
std::string DatabaseEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    const std::string message = std::string(name) +
                                " is not set: database tests run under tests/run, which starts "
                                "PostgreSQL, migrates it and exports DATABASE_URL and "
                                "DATABASE_OWNER_URL";
    FAIL(message);
  }
  return value;
}

std::string OwnerUrl() {
  return DatabaseEnv("DATABASE_OWNER_URL");
}
std::string AppUrl() {
  return DatabaseEnv("DATABASE_URL");
}

std::string RandomHex(int length) {
  static std::mt19937_64 random{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < length; ++i) hex += kDigits[random() % 16];
  return hex;
}

/// `url` with its database replaced by `database` (postgresql:// URI or key=value form).
std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url + " dbname=" + database;
  const auto path = url.find('/', scheme_end + 3);
  if (path == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', path);
  return url.substr(0, path + 1) + database +
         (query == std::string::npos ? std::string() : url.substr(query));
}

/// The SQLSTATE of the pqxx::sql_error that `action` throws; fails the test when none is thrown.
std::string SqlStateOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const pqxx::insufficient_privilege& e) {
    // libpqxx 6.4.5 throws this class without its SQLSTATE; 42501 is the only code it maps here.
    return e.sqlstate().empty() ? "42501" : e.sqlstate();
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
  FAIL("expected an SQL error");
  return {};
}

/// The message of the MigrationError that `action` throws; fails the test when none is thrown.
std::string MigrationErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const switchboard::db::MigrationError& e) {
    return e.what();
  }
  FAIL("expected a MigrationError");
  return {};
}

/// A database the owner role creates for one test and drops (with its connections) at the end.
struct ScratchDatabase {
  ScratchDatabase()
      : name("switchboard_scratch_" + RandomHex(12)), url(WithDatabase(OwnerUrl(), name)) {
    pqxx::connection connection(OwnerUrl());
    pqxx::nontransaction tx(connection);
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  }
  ~ScratchDatabase() {
    try {
      pqxx::connection connection(OwnerUrl());
      pqxx::nontransaction tx(connection);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
    } catch (const std::exception& e) {
      MESSAGE("could not drop scratch database " << name << ": " << e.what());
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  std::string name;
  std::string url;
};

/// A directory of migration files for one test, removed at the end.
struct MigrationDir {
  MigrationDir() : path(fs::temp_directory_path() / ("switchboard-migrate-" + RandomHex(12))) {
    fs::create_directories(path);
  }
  ~MigrationDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  void Write(const std::string& name, const std::string& sql) const {
    std::ofstream(path / name, std::ios::binary | std::ios::trunc) << sql;
  }

  fs::path path;
};

/// The names of migrations/*.sql, in order.
std::vector<std::string> RepositoryMigrations() {
  std::vector<std::string> names;
  for (const auto& file : switchboard::db::ListMigrations(kMigrationsDir)) {
    names.push_back(file.name);
  }
  return names;
}

/// schema_migrations as "name checksum applied_at" lines, in name order.
std::vector<std::string> MigrationRecords(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::read_transaction tx(connection);
  std::vector<std::string> records;
  for (const auto& row :
       tx.exec("SELECT name, checksum, applied_at::text FROM schema_migrations ORDER BY name")) {
    records.push_back(row[0].as<std::string>() + " " + row[1].as<std::string>() + " " +
                      row[2].as<std::string>());
  }
  return records;
}

/// Fails the test unless the database at DATABASE_OWNER_URL was migrated (tests/run does it).
void RequireMigratedDatabase() {
  pqxx::connection connection(OwnerUrl());
  pqxx::read_transaction tx(connection);
  if (tx.exec1("SELECT to_regclass('public.schema_migrations') IS NULL")[0].as<bool>()) {
    FAIL(
        "the database at DATABASE_OWNER_URL is not migrated: run `DATABASE_URL=$DATABASE_OWNER_URL"
        " switchboard-admin migrate --dir migrations` first (tests/run does)");
  }
}

/// One tenant with a row in every tenant table, seeded through the owner connection.
struct Tenant {
  std::string business_id;
  std::string customer_id;
  std::string conversation_id;
  std::string platform_id;
};

std::string Id(pqxx::work& tx, const std::string& sql) {
  return tx.exec1(sql)[0].as<std::string>();
}

Tenant SeedTenant(const std::string& label) {
  pqxx::connection connection(OwnerUrl());
  pqxx::work tx(connection);
  Tenant tenant;
  const std::string suffix = RandomHex(12);
  const auto q = [&tx](const std::string& text) { return tx.quote(text); };
  tenant.business_id = Id(tx, "INSERT INTO businesses (name, slug) VALUES (" + q(label) + ", " +
                                  q("test-" + label + "-" + suffix) + ") RETURNING id");
  const std::string b = q(tenant.business_id);
  tenant.platform_id = "pn-" + suffix;
  tx.exec(
      "INSERT INTO integrations (business_id, type, platform_id, access_token_ciphertext, "
      "token_key_id) VALUES (" +
      b + ", 'whatsapp', " + q(tenant.platform_id) + ", '\\x0102'::bytea, 'k1')");
  tx.exec("INSERT INTO integrations (business_id, type, platform_id, active) VALUES (" + b +
          ", 'messenger', " + q("inactive-" + suffix) + ", false)");
  tenant.customer_id = Id(tx, "INSERT INTO customers (business_id, name, phone) VALUES (" + b +
                                  ", " + q(label + " customer") + ", '15550001111') RETURNING id");
  const std::string c = q(tenant.customer_id);
  tx.exec(
      "INSERT INTO customer_identities (business_id, customer_id, channel, external_id) "
      "VALUES (" +
      b + ", " + c + ", 'whatsapp', '15550001111')");
  tenant.conversation_id = Id(tx,
                              "INSERT INTO conversations (business_id, customer_id, channel) "
                              "VALUES (" +
                                  b + ", " + c + ", 'whatsapp') RETURNING id");
  const std::string message_id =
      Id(tx,
         "INSERT INTO messages (business_id, conversation_id, role, content, channel, status, "
         "platform_message_id) VALUES (" +
             b + ", " + q(tenant.conversation_id) + ", 'user', 'hello', 'whatsapp', 'received', " +
             q("wamid." + suffix) + ") RETURNING id");
  const std::string service_id =
      Id(tx, "INSERT INTO services (business_id, name, duration_minutes, price_cents) VALUES (" +
                 b + ", 'Haircut', 30, 2500) RETURNING id");
  tx.exec(
      "INSERT INTO appointments (business_id, customer_id, service_id, starts_at, ends_at) "
      "VALUES (" +
      b + ", " + c + ", " + q(service_id) + ", '2030-01-07 09:00+00', '2030-01-07 09:30+00')");
  const std::string item_id =
      Id(tx, "INSERT INTO knowledge_items (business_id, title, body) VALUES (" + b +
                 ", 'Prices', 'A haircut costs 25 dollars.') RETURNING id");
  tx.exec(
      "INSERT INTO knowledge_chunks (business_id, item_id, ordinal, heading, content) VALUES (" +
      b + ", " + q(item_id) + ", 0, 'Prices', 'A haircut costs 25 dollars.')");
  tx.exec("INSERT INTO usage_counters (business_id, month, messages) VALUES (" + b +
          ", '2030-01-01', 1)");
  tx.exec("INSERT INTO usage_events (business_id, event_id, messages) VALUES (" + b + ", " +
          q("usage-" + suffix) + ", 1)");
  tx.exec("INSERT INTO leads (business_id, customer_id, name, source) VALUES (" + b + ", " + c +
          ", 'Lead', 'whatsapp')");
  tx.exec("INSERT INTO send_states (business_id, reply_event_id, message_id) VALUES (" + b + ", " +
          q("reply-" + suffix) + ", " + q(message_id) + ")");
  tx.exec("INSERT INTO processed_events (business_id, stage, event_id) VALUES (" + b +
          ", 'resolver', " + q("event-" + suffix) + ")");
  tx.commit();
  return tenant;
}

/// The column that names a table's tenant.
std::string TenantColumn(const std::string& table) {
  return table == "businesses" ? "id" : "business_id";
}

/// Inserts a booked (or `status`) appointment as the application role scoped to `tenant`.
void Book(pqxx::connection& app, const Tenant& tenant, const std::string& starts,
          const std::string& ends, const std::string& status = "booked") {
  switchboard::db::TenantWork tx(app, tenant.business_id);
  tx.exec_params(
      "INSERT INTO appointments (business_id, customer_id, starts_at, ends_at, status) "
      "VALUES ($1, $2, $3, $4, $5)",
      tenant.business_id, tenant.customer_id, starts, ends, status);
  tx.commit();
}

}  // namespace

TEST_SUITE("database") {
  TEST_CASE("integration tests need the database URLs") {
    // Fails with a message naming the variable when tests/run did not export it.
    (void)OwnerUrl();
    (void)AppUrl();
  }

  TEST_CASE("migrating the already migrated database applies nothing and records nothing") {
    RequireMigratedDatabase();
    const auto before = MigrationRecords(OwnerUrl());
    CHECK(before.size() == RepositoryMigrations().size());
    CHECK(switchboard::db::Migrate(OwnerUrl(), kMigrationsDir).empty());
    CHECK(MigrationRecords(OwnerUrl()) == before);
  }

  TEST_CASE("a fresh database gets every migration once, then nothing") {
    ScratchDatabase scratch;
    CHECK(switchboard::db::Migrate(scratch.url, kMigrationsDir) == RepositoryMigrations());
    const auto records = MigrationRecords(scratch.url);
    CHECK(records.size() == RepositoryMigrations().size());
    CHECK(switchboard::db::Migrate(scratch.url, kMigrationsDir).empty());
    CHECK(MigrationRecords(scratch.url) == records);
  }

  TEST_CASE("two migrators at once apply each migration exactly once") {
    ScratchDatabase scratch;
    std::vector<std::string> applied[2];
    std::string errors[2];
    std::vector<std::thread> migrators;
    for (int i = 0; i < 2; ++i) {
      migrators.emplace_back([&, i] {
        try {
          applied[i] = switchboard::db::Migrate(scratch.url, kMigrationsDir);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    }
    for (auto& migrator : migrators) migrator.join();
    CHECK(errors[0] == "");
    CHECK(errors[1] == "");
    std::vector<std::string> all = applied[0];
    all.insert(all.end(), applied[1].begin(), applied[1].end());
    std::sort(all.begin(), all.end());
    CHECK(all == RepositoryMigrations());
    CHECK(MigrationRecords(scratch.url).size() == RepositoryMigrations().size());
  }

  TEST_CASE("the runner refuses changed or missing applied files and keeps failed ones out") {
    ScratchDatabase scratch;
    MigrationDir dir;
    dir.Write("0001_first.sql", "CREATE TABLE first_table (id int);\n");
    dir.Write("0002_second.sql", "CREATE TABLE second_table (id int);\n");
    REQUIRE(switchboard::db::Migrate(scratch.url, dir.path) ==
            std::vector<std::string>{"0001_first.sql", "0002_second.sql"});
    const auto records = MigrationRecords(scratch.url);

    SUBCASE("a changed file") {
      dir.Write("0001_first.sql", "CREATE TABLE first_table (id bigint);\n");
      dir.Write("0003_third.sql", "CREATE TABLE third_table (id int);\n");
      const std::string error =
          MigrationErrorOf([&] { (void)switchboard::db::Migrate(scratch.url, dir.path); });
      CHECK(error.find("0001_first.sql") != std::string::npos);
      CHECK(error.find("changed") != std::string::npos);
    }
    SUBCASE("a missing file") {
      fs::remove(dir.path / "0002_second.sql");
      const std::string error =
          MigrationErrorOf([&] { (void)switchboard::db::Migrate(scratch.url, dir.path); });
      CHECK(error.find("0002_second.sql") != std::string::npos);
      CHECK(error.find("missing") != std::string::npos);
    }
    SUBCASE("a failing file is rolled back and not recorded") {
      dir.Write("0003_broken.sql", "CREATE TABLE third_table (id int);\nSELEC 1;\n");
      const std::string error =
          MigrationErrorOf([&] { (void)switchboard::db::Migrate(scratch.url, dir.path); });
      CHECK(error.find("0003_broken.sql") != std::string::npos);
      pqxx::connection connection(scratch.url);
      pqxx::read_transaction tx(connection);
      CHECK(tx.exec1("SELECT to_regclass('third_table') IS NULL")[0].as<bool>());
    }
    // Nothing was applied or recorded by a refused or failed run.
    CHECK(MigrationRecords(scratch.url) == records);
    pqxx::connection connection(scratch.url);
    pqxx::read_transaction tx(connection);
    CHECK(tx.exec1("SELECT to_regclass('third_table') IS NULL")[0].as<bool>());
  }

  TEST_CASE("switchboard-admin migrate: exit 2 without DATABASE_URL, 0 and nothing to apply") {
    RequireMigratedDatabase();
    const fs::path admin = fs::path(SWITCHBOARD_BINARY_DIR) / "workers" / "switchboard-admin";
    REQUIRE_MESSAGE(fs::exists(admin), admin.string() << " was not built");
    const std::string dir = kMigrationsDir.string();
    CHECK(std::system(
              ("env -u DATABASE_URL " + admin.string() + " migrate --dir '" + dir + "' 2>/dev/null")
                  .c_str()) == 2 << 8);
    CHECK(std::system((admin.string() + " frobnicate 2>/dev/null").c_str()) == 2 << 8);
    FILE* output = popen(("DATABASE_URL=\"$DATABASE_OWNER_URL\" " + admin.string() +
                          " migrate --dir '" + dir + "' 2>/dev/null")
                             .c_str(),
                         "r");
    REQUIRE(output != nullptr);
    std::string text;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, output) != nullptr) text += buffer;
    CHECK(pclose(output) == 0);
    CHECK(text == "nothing to apply\n");
  }

  TEST_CASE("overlapping booked appointments of one business are refused with 23P01") {
    RequireMigratedDatabase();
    const Tenant a = SeedTenant("booking-a");
    const Tenant b = SeedTenant("booking-b");
    pqxx::connection app(AppUrl());

    Book(app, a, "2031-03-10 10:00+00", "2031-03-10 11:00+00");
    CHECK(SqlStateOf([&] { Book(app, a, "2031-03-10 10:30+00", "2031-03-10 11:30+00"); }) ==
          "23P01");
    CHECK(SqlStateOf([&] { Book(app, a, "2031-03-10 09:00+00", "2031-03-10 12:00+00"); }) ==
          "23P01");
    // Half-open ranges: the next slot starts where the last one ends.
    Book(app, a, "2031-03-10 11:00+00", "2031-03-10 12:00+00");
    // Another business, or a cancelled appointment, does not collide.
    Book(app, b, "2031-03-10 10:30+00", "2031-03-10 11:30+00");
    Book(app, a, "2031-03-10 10:30+00", "2031-03-10 11:30+00", "cancelled");
    // Cancelling frees the slot.
    {
      switchboard::db::TenantWork tx(app, a.business_id);
      CHECK(tx.exec_params("UPDATE appointments SET status = 'cancelled', cancelled_at = now() "
                           "WHERE business_id = $1 AND starts_at = '2031-03-10 10:00+00'",
                           a.business_id)
                .affected_rows() == 1);
      tx.commit();
    }
    Book(app, a, "2031-03-10 10:15+00", "2031-03-10 10:45+00");

    pqxx::connection owner(OwnerUrl());
    pqxx::read_transaction tx(owner);
    CHECK(tx.exec_params1("SELECT count(*) FROM appointments WHERE business_id = $1 AND "
                          "status = 'booked' AND starts_at >= '2031-03-10'",
                          a.business_id)[0]
              .as<int>() == 2);
  }

  TEST_CASE("two bookings of one slot at the same time: one commits, the other gets 23P01") {
    RequireMigratedDatabase();
    const Tenant a = SeedTenant("race");
    pqxx::connection first(AppUrl());
    pqxx::connection second(AppUrl());
    pqxx::connection observer(OwnerUrl());

    switchboard::db::TenantWork first_tx(first, a.business_id);
    first_tx.exec_params(
        "INSERT INTO appointments (business_id, customer_id, starts_at, ends_at) "
        "VALUES ($1, $2, '2031-05-05 14:00+00', '2031-05-05 15:00+00')",
        a.business_id, a.customer_id);
    const int second_pid = second.backendpid();

    std::string second_state;
    std::thread racer([&] {
      second_state =
          SqlStateOf([&] { Book(second, a, "2031-05-05 14:30+00", "2031-05-05 15:30+00"); });
    });
    // Wait (with a deadline) until the second insert is blocked on the first's row.
    bool waiting = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!waiting && std::chrono::steady_clock::now() < deadline) {
      pqxx::nontransaction tx(observer);
      waiting = tx.exec_params1("SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted",
                                second_pid)[0]
                    .as<int>() == 1;
      if (!waiting) std::this_thread::sleep_for(5ms);  // polling a condition, not synchronising
    }
    first_tx.commit();
    racer.join();
    CHECK(waiting);
    CHECK(second_state == "23P01");
  }

  TEST_CASE("row-level security: a scoped transaction sees and writes only its tenant") {
    RequireMigratedDatabase();
    const Tenant a = SeedTenant("rls-a");
    const Tenant b = SeedTenant("rls-b");
    pqxx::connection app(AppUrl());

    SUBCASE("scoped to A: A's rows in every table, none of B's") {
      switchboard::db::TenantWork tx(app, a.business_id);
      for (const auto& table : kTenantTables) {
        CAPTURE(table);
        const std::string column = TenantColumn(table);
        CHECK(tx.exec_params1("SELECT count(*) FROM " + table + " WHERE " + column + " = $1",
                              a.business_id)[0]
                  .as<int>() >= 1);
        CHECK(tx.exec_params1("SELECT count(*) FROM " + table + " WHERE " + column + " <> $1",
                              a.business_id)[0]
                  .as<int>() == 0);
      }
      // Full-text search sees A's passages (its document and its services' fact passages), none
      // of B's, which match the same words.
      const auto matches = tx.exec_params1(
          "SELECT count(*) FILTER (WHERE business_id = $1), "
          "       count(*) FILTER (WHERE business_id <> $1) FROM knowledge_chunks "
          "WHERE tsv @@ websearch_to_tsquery('english', 'haircut price')",
          a.business_id);
      CHECK(matches[0].as<int>() >= 1);
      CHECK(matches[1].as<int>() == 0);
    }
    SUBCASE("scoped to A: B's rows cannot be written") {
      CHECK(SqlStateOf([&] {
              switchboard::db::TenantWork tx(app, a.business_id);
              tx.exec_params("INSERT INTO customers (business_id, name) VALUES ($1, 'intruder')",
                             b.business_id);
            }) == "42501");
      CHECK(SqlStateOf([&] {
              switchboard::db::TenantWork tx(app, a.business_id);
              tx.exec_params("UPDATE customers SET business_id = $1 WHERE id = $2", b.business_id,
                             a.customer_id);
            }) == "42501");
      switchboard::db::TenantWork tx(app, a.business_id);
      CHECK(tx.exec_params("UPDATE customers SET name = 'changed' WHERE id = $1", b.customer_id)
                .affected_rows() == 0);
      CHECK(tx.exec_params("DELETE FROM messages WHERE business_id = $1", b.business_id)
                .affected_rows() == 0);
      CHECK(tx.exec_params("UPDATE businesses SET name = 'changed' WHERE id = $1", b.business_id)
                .affected_rows() == 0);
    }
    SUBCASE("unscoped: no rows at all, also after a scoped transaction on the same connection") {
      {
        switchboard::db::TenantWork tx(app, a.business_id);
        tx.commit();
      }
      pqxx::work tx(app);
      for (const auto& table : kTenantTables) {
        CAPTURE(table);
        CHECK(tx.exec1("SELECT count(*) FROM " + table)[0].as<int>() == 0);
      }
      CHECK(SqlStateOf([&] {
              tx.exec_params("INSERT INTO customers (business_id) VALUES ($1)", a.business_id);
            }) == "42501");
    }
    SUBCASE("a malformed tenant id is refused when scoping, and the connection stays usable") {
      CHECK(SqlStateOf([&] { switchboard::db::TenantWork tx(app, "not-a-uuid"); }) == "22P02");
      CHECK(SqlStateOf([&] {
              switchboard::db::TenantWork tx(app, "x'); DROP TABLE customers; --");
            }) == "22P02");
      switchboard::db::TenantWork tx(app, a.business_id);
      CHECK(tx.exec1("SELECT count(*) FROM customers")[0].as<int>() == 1);
    }
    SUBCASE("a read-only scope reads the tenant's rows and writes none") {
      switchboard::db::TenantWork tx(app, a.business_id,
                                     switchboard::db::TenantWork::Access::kReadOnly);
      CHECK(tx.exec1("SELECT count(*) FROM customers")[0].as<int>() == 1);
      CHECK(SqlStateOf([&] {
              tx.exec_params("UPDATE customers SET name = 'changed' WHERE id = $1", a.customer_id);
            }) == "25006");
    }
    SUBCASE("resolve_integration maps an active channel account to its tenant, unscoped") {
      pqxx::work tx(app);
      const auto rows = tx.exec_params(
          "SELECT business_id, access_token_ciphertext, token_key_id "
          "FROM resolve_integration('whatsapp', $1)",
          a.platform_id);
      REQUIRE(rows.size() == 1);
      CHECK(rows[0][0].as<std::string>() == a.business_id);
      CHECK(pqxx::binarystring(rows[0][1]).str() == std::string("\x01\x02"));
      CHECK(rows[0][2].as<std::string>() == "k1");
      CHECK(tx.exec_params("SELECT * FROM resolve_integration('whatsapp', $1)", "no-such-account")
                .empty());
      CHECK(tx.exec_params("SELECT * FROM resolve_integration('instagram', $1)", a.platform_id)
                .empty());
    }
    SUBCASE("an inactive integration does not resolve") {
      pqxx::connection owner(OwnerUrl());
      pqxx::read_transaction owner_tx(owner);
      const std::string inactive =
          owner_tx
              .exec_params1(
                  "SELECT platform_id FROM integrations WHERE business_id = $1 AND "
                  "NOT active",
                  a.business_id)[0]
              .as<std::string>();
      pqxx::work tx(app);
      CHECK(tx.exec_params("SELECT * FROM resolve_integration('messenger', $1)", inactive).empty());
    }
  }

  TEST_CASE("deleting a business deletes every row of its tenant and none of another's") {
    RequireMigratedDatabase();
    const Tenant gone = SeedTenant("cascade-gone");
    const Tenant kept = SeedTenant("cascade-kept");
    pqxx::connection connection(OwnerUrl());
    pqxx::work tx(connection);
    tx.exec_params0("DELETE FROM businesses WHERE id = $1", gone.business_id);
    for (const auto& table : kTenantTables) {
      CAPTURE(table);
      const std::string count =
          "SELECT count(*) FROM " + table + " WHERE " + TenantColumn(table) + " = $1";
      CHECK(tx.exec_params1(count, gone.business_id)[0].as<int>() == 0);
      CHECK(tx.exec_params1(count, kept.business_id)[0].as<int>() >= 1);
    }
  }

  TEST_CASE("a row cannot point at another tenant's parent, nor at a business that is not") {
    RequireMigratedDatabase();
    const Tenant a = SeedTenant("parent-a");
    const Tenant b = SeedTenant("parent-b");
    pqxx::connection connection(OwnerUrl());
    // A's message in B's conversation, and a conversation of a business that does not exist.
    CHECK(SqlStateOf([&] {
            pqxx::work tx(connection);
            tx.exec_params0(
                "INSERT INTO messages (business_id, conversation_id, role, content, channel, "
                "status) VALUES ($1, $2, 'user', 'x', 'whatsapp', 'received')",
                a.business_id, b.conversation_id);
          }) == "23503");
    CHECK(SqlStateOf([&] {
            pqxx::work tx(connection);
            tx.exec_params0(
                "INSERT INTO conversations (business_id, customer_id, channel) "
                "VALUES (gen_random_uuid(), $1, 'whatsapp')",
                a.customer_id);
          }) == "23503");
  }

  TEST_CASE("every table holding tenant rows has row-level security and a policy") {
    RequireMigratedDatabase();
    pqxx::connection connection(OwnerUrl());
    pqxx::read_transaction tx(connection);
    const auto unprotected = tx.exec(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
        "AND c.relname <> 'schema_migrations' "
        "AND (NOT c.relrowsecurity OR NOT EXISTS "
        "     (SELECT FROM pg_policy p WHERE p.polrelid = c.oid))");
    for (const auto& row : unprotected) {
      FAIL_CHECK("table without row-level security: " << row[0].as<std::string>());
    }
    CHECK(unprotected.empty());
    // The application role cannot read the migration records.
    pqxx::connection app(AppUrl());
    pqxx::work app_tx(app);
    CHECK(SqlStateOf([&] { app_tx.exec("SELECT * FROM schema_migrations"); }) == "42501");
  }
}
