#pragma once

// What a knowledge document uploaded through the admin API becomes before it is chunked
// (common/knowledge_chunks): plain text whose section headings are '#' lines, the form
// ChunkDocument splits by.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::admin {

enum class DocumentFormat { kText, kMarkdown, kHtml };

/// "text", "markdown" or "html"; nullopt for anything else.
std::optional<DocumentFormat> ParseDocumentFormat(std::string_view name);

/// The name ParseDocumentFormat reads.
std::string_view FormatName(DocumentFormat format);

/// `content` as text for chunking. Line ends become '\n' in every format.
/// - text: kept as written.
/// - markdown: ATX headings kept; emphasis markers, inline code ticks, HTML tags and link and
///   image syntax dropped (a link keeps its text, an image its alt text); fenced code kept as its
///   lines; list items and paragraphs kept.
/// - html: <h1>-<h6> become '#' heading lines of their level; paragraphs, line breaks, list items
///   ("- "), table rows and block elements end lines; script, style, head and template content and
///   comments dropped; every other tag dropped; character references decoded (named ones of
///   common use, decimal and hexadecimal); runs of spaces collapsed.
/// Runs of blank lines become one blank line; the result has no leading or trailing blank lines.
std::string KnowledgeText(std::string_view content, DocumentFormat format);

}  // namespace switchboard::admin
