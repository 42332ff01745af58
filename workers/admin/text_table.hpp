#pragma once

#include <string>
#include <vector>

namespace switchboard::admin {

/// A plain-text table for a terminal: a header row and columns padded to their widest cell.
class TextTable final {
 public:
  explicit TextTable(std::vector<std::string> header);
  /// Adds a row (as many cells as the header has).
  void Row(std::vector<std::string> cells);
  /// The table, one line per row, columns separated by two spaces; the header alone when empty.
  std::string Text() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace switchboard::admin
