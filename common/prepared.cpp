#include "common/prepared.hpp"

#include <cstdio>
#include <functional>

namespace switchboard::db {

std::string StatementName(std::string_view sql) {
  // 64 bits of hash: two texts of one process colliding would make pqxx refuse the second
  // definition (pqxx::argument_error), never run the wrong statement.
  char name[24];
  std::snprintf(name, sizeof name, "sb_%016zx", std::hash<std::string_view>{}(sql));
  return name;
}

}  // namespace switchboard::db
