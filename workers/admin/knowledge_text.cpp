#include "workers/admin/knowledge_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <utility>
#include <vector>

namespace switchboard::admin {

namespace {

bool IsWordByte(unsigned char c) {
  return std::isalnum(c) != 0 || c >= 0x80;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

void AppendUtf8(std::string& out, std::uint32_t code) {
  if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

/// The character reference at `text` (which starts with '&'): what it stands for and its length;
/// nullopt when it is none we know (the '&' then stays as written).
std::optional<std::pair<std::string, std::size_t>> CharacterReference(std::string_view text) {
  const std::size_t end = text.find(';');
  if (end == std::string_view::npos || end < 2 || end > 10) return std::nullopt;
  const std::string_view name = text.substr(1, end - 1);
  if (name[0] == '#') {
    std::uint32_t code = 0;
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return std::nullopt;
    for (const char c : digits) {
      const int digit = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                        : hex && std::isxdigit(static_cast<unsigned char>(c)) != 0
                            ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                            : -1;
      if (digit < 0) return std::nullopt;
      code = std::min<std::uint32_t>(code * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit),
                                     0x110000);
    }
    std::string decoded;
    AppendUtf8(decoded, code);
    return std::pair{decoded, end + 1};
  }
  static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 24> kNamed{{
      {"amp", '&'},     {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
      {"nbsp", ' '},    {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"euro", 0x20AC},
      {"copy", 0xA9},   {"reg", 0xAE},     {"auml", 0xE4},    {"ouml", 0xF6},     {"uuml", 0xFC},
      {"Auml", 0xC4},   {"Ouml", 0xD6},    {"Uuml", 0xDC},    {"szlig", 0xDF},    {"eacute", 0xE9},
      {"egrave", 0xE8}, {"agrave", 0xE0},  {"ccedil", 0xE7},  {"middot", 0xB7},
  }};
  for (const auto& [entity, code] : kNamed) {
    if (entity == name) {
      std::string decoded;
      AppendUtf8(decoded, code);
      return std::pair{decoded, end + 1};
    }
  }
  return std::nullopt;
}

/// Trims every line, collapses runs of spaces inside lines (outside `keep_spacing` lines) and runs
/// of blank lines, and drops blank lines at both ends.
std::string Tidy(std::string_view text, bool collapse_spaces) {
  std::string out;
  std::size_t start = 0;
  bool blank_pending = false;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())) != 0) {
      line.remove_suffix(1);
    }
    std::string cleaned;
    if (collapse_spaces) {
      for (const char c : line) {
        const bool space = c == ' ' || c == '\t';
        if (space && (cleaned.empty() || cleaned.back() == ' ')) continue;
        cleaned += space ? ' ' : c;
      }
    } else {
      cleaned = std::string(line);
    }
    if (cleaned.empty()) {
      blank_pending = !out.empty();
      continue;
    }
    if (!out.empty()) out += blank_pending ? "\n\n" : "\n";
    blank_pending = false;
    out += cleaned;
  }
  return out;
}

// --- HTML --------------------------------------------------------------------------------------

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string HtmlText(std::string_view html) {
  std::string out;
  std::size_t i = 0;
  const auto space = [&out] {
    if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
  };
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      std::size_t j = i + 1;
      const bool closing = j < html.size() && html[j] == '/';
      if (closing) ++j;
      std::size_t name_end = j;
      while (name_end < html.size() &&
             std::isalnum(static_cast<unsigned char>(html[name_end])) != 0) {
        ++name_end;
      }
      if (name_end == j && !(j < html.size() && (html[j] == '!' || html[j] == '?'))) {
        out += '<';  // a lone '<' in text
        ++i;
        continue;
      }
      const std::size_t tag_end = html.find('>', name_end);
      const std::string name = Lower(html.substr(j, name_end - j));
      i = tag_end == std::string_view::npos ? html.size() : tag_end + 1;
      if (!closing && OneOf(name, {"script", "style", "head", "template", "noscript"})) {
        const std::string lower_rest = Lower(html.substr(i));
        const std::size_t close = lower_rest.find("</" + name);
        if (close == std::string::npos) {
          i = html.size();
        } else {
          const std::size_t close_end = html.find('>', i + close);
          i = close_end == std::string_view::npos ? html.size() : close_end + 1;
        }
        continue;
      }
      if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
        out += "\n\n";
        if (!closing) out += std::string(static_cast<std::size_t>(name[1] - '0'), '#') + ' ';
      } else if (name == "li" && !closing) {
        out += "\n- ";
      } else if (OneOf(name,
                       {"p", "div", "section", "article", "header", "footer", "main", "blockquote",
                        "table", "ul", "ol", "dl", "pre", "form", "nav", "aside"})) {
        out += "\n\n";
      } else if (OneOf(name, {"br", "tr", "hr", "dt", "dd", "figcaption"})) {
        out += '\n';
      } else if (OneOf(name, {"td", "th"})) {
        space();
      }
      continue;
    }
    if (c == '&') {
      if (auto reference = CharacterReference(html.substr(i))) {
        if (reference->first == " ") {
          space();
        } else {
          out += reference->first;
        }
        i += reference->second;
        continue;
      }
    }
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space();
    } else {
      out += c;
    }
    ++i;
  }
  return Tidy(out, true);
}

// --- Markdown ----------------------------------------------------------------------------------

/// The index after the bracket that closes the one at `open` (nested brackets counted).
std::size_t ClosingBracket(std::string_view text, std::size_t open, char opening, char closing) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == opening) {
      ++depth;
    } else if (text[i] == closing && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

/// One line's inline markup dropped: links and images keep their text, emphasis markers, code
/// ticks and HTML tags go, backslash escapes keep the escaped character.
std::string MarkdownInline(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && i + 1 < line.size() && std::ispunct(static_cast<unsigned char>(line[i + 1]))) {
      out += line[++i];
      continue;
    }
    const bool image = c == '!' && i + 1 < line.size() && line[i + 1] == '[';
    if (c == '[' || image) {
      const std::size_t open = image ? i + 1 : i;
      const std::size_t close = ClosingBracket(line, open, '[', ']');
      if (close != std::string_view::npos && close + 1 < line.size() &&
          (line[close + 1] == '(' || line[close + 1] == '[')) {
        const char opening = line[close + 1];
        const std::size_t target_end =
            ClosingBracket(line, close + 1, opening, opening == '(' ? ')' : ']');
        if (target_end != std::string_view::npos) {
          out += MarkdownInline(line.substr(open + 1, close - open - 1));
          i = target_end;
          continue;
        }
      }
    }
    if (c == '<') {
      const std::size_t end = line.find('>', i);
      if (end != std::string_view::npos && i + 1 < line.size() &&
          (std::isalpha(static_cast<unsigned char>(line[i + 1])) != 0 || line[i + 1] == '/')) {
        const std::string_view inside = line.substr(i + 1, end - i - 1);
        // An autolink keeps its address; a tag goes.
        if (inside.find("://") != std::string_view::npos ||
            inside.find('@') != std::string_view::npos) {
          out += inside;
        }
        i = end;
        continue;
      }
    }
    if (c == '`') continue;
    if (c == '*' || c == '_' || c == '~') {
      std::size_t run = i;
      while (run < line.size() && line[run] == c) ++run;
      const bool word_before = i > 0 && IsWordByte(static_cast<unsigned char>(line[i - 1]));
      const bool word_after =
          run < line.size() && IsWordByte(static_cast<unsigned char>(line[run]));
      // A marker opens before a word or closes after one; inside a word (snake_case) or between
      // spaces it is text.
      if (word_before != word_after || (c == '*' && word_before && word_after)) {
        i = run - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

bool IsRule(std::string_view line, char marker) {
  std::size_t count = 0;
  for (const char c : line) {
    if (c == marker) {
      ++count;
    } else if (c != ' ') {
      return false;
    }
  }
  return count >= 3;
}

std::string_view TrimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

std::string MarkdownText(std::string_view markdown) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= markdown.size();) {
    const std::size_t end = std::min(markdown.find('\n', start), markdown.size());
    lines.push_back(markdown.substr(start, end - start));
    start = end + 1;
  }
  std::string out;
  std::string_view fence;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    const std::string_view trimmed = TrimLeft(line);
    if (!fence.empty()) {
      if (trimmed.substr(0, fence.size()) == fence) {
        fence = {};
        out += '\n';
      } else {
        out += std::string(line) + '\n';
      }
      continue;
    }
    if (trimmed.substr(0, 3) == "```" || trimmed.substr(0, 3) == "~~~") {
      fence = trimmed.substr(0, 3);
      out += '\n';
      continue;
    }
    if (trimmed.starts_with("#")) {
      std::size_t level = 0;
      while (level < trimmed.size() && trimmed[level] == '#') ++level;
      if (level <= 6 && (level == trimmed.size() || trimmed[level] == ' ')) {
        std::string_view title = TrimLeft(trimmed.substr(level));
        while (!title.empty() && (title.back() == '#' || title.back() == ' '))
          title.remove_suffix(1);
        out += '\n' + std::string(level, '#') + ' ' + MarkdownInline(title) + "\n\n";
        continue;
      }
    }
    // A setext heading: a text line underlined with '=' (level 1) or '-' (level 2).
    if (n + 1 < lines.size() && !trimmed.empty() && !trimmed.starts_with("- ") &&
        !trimmed.starts_with("* ")) {
      const std::string_view next = TrimLeft(lines[n + 1]);
      const bool equals = !next.empty() && next.find_first_not_of("= ") == std::string_view::npos;
      const bool dashes = !next.empty() && next.find_first_not_of("- ") == std::string_view::npos &&
                          next.find('-') != std::string_view::npos;
      if (equals || dashes) {
        out += std::string("\n") + (equals ? "# " : "## ") + MarkdownInline(trimmed) + "\n\n";
        ++n;
        continue;
      }
    }
    if (IsRule(trimmed, '-') || IsRule(trimmed, '*') || IsRule(trimmed, '_')) {
      out += '\n';
      continue;
    }
    // A link reference definition ("[label]: https://...") is no text.
    if (trimmed.starts_with("[")) {
      const std::size_t close = trimmed.find("]:");
      if (close != std::string_view::npos && trimmed.find(' ') > close) continue;
    }
    while (line.starts_with(">") || TrimLeft(line).starts_with(">")) {
      line = TrimLeft(TrimLeft(line).substr(1));
    }
    const std::string_view item = TrimLeft(line);
    if (item.starts_with("* ") || item.starts_with("+ ")) {
      out += std::string(line.size() - item.size(), ' ') + "- " + MarkdownInline(item.substr(2)) +
             '\n';
      continue;
    }
    out += MarkdownInline(line) + '\n';
  }
  return Tidy(out, false);
}

std::string WithUnixLineEnds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::optional<DocumentFormat> ParseDocumentFormat(std::string_view name) {
  if (name == "text") return DocumentFormat::kText;
  if (name == "markdown") return DocumentFormat::kMarkdown;
  if (name == "html") return DocumentFormat::kHtml;
  return std::nullopt;
}

std::string_view FormatName(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kText:
      return "text";
    case DocumentFormat::kMarkdown:
      return "markdown";
    case DocumentFormat::kHtml:
      return "html";
  }
  return "text";
}

std::string KnowledgeText(std::string_view content, DocumentFormat format) {
  const std::string text = WithUnixLineEnds(content);
  switch (format) {
    case DocumentFormat::kText:
      return Tidy(text, false);
    case DocumentFormat::kMarkdown:
      return MarkdownText(text);
    case DocumentFormat::kHtml:
      return HtmlText(text);
  }
  return text;
}

}  // namespace switchboard::admin
