#include "common/prepared.hpp"

#include <cstdio>
#include <functional>
#include <pqxx/connection_base>
#include <string_view>

namespace switchboard::db {

std::string Prepare(pqxx::transaction_base& tx, const std::string& sql) {
  // 64 bits of hash: two texts of one process colliding would make pqxx refuse the second
  // definition (pqxx::argument_error), never run the wrong statement.
  char name[24];
  std::snprintf(name, sizeof name, "sb_%016zx", std::hash<std::string_view>{}(sql));
  tx.conn().prepare(name, sql);
  return name;
}

}  // namespace switchboard::db
