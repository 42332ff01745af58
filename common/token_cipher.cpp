#include "common/token_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "common/config.hpp"

namespace switchboard {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kMaxKeyIdBytes = 255;  // stored in one length byte
constexpr const char* kVariable = "TOKEN_ENCRYPTION_KEYS";

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

CipherCtx NewCtx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("token cipher: EVP_CIPHER_CTX_new failed");
  return ctx;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

bool IsKeyIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool IsBase64Char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error Fail(std::string message) {
  return Error{"token cipher: " + std::move(message), false};
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  const int written = EVP_EncodeBlock(Bytes(out), Bytes(bytes), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error{"base64: length is not a multiple of 4", false};
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      // Padding only in the last two positions, and nothing but padding after it.
      if (i + 2 < text.size()) return Error{"base64: padding inside the text", false};
      ++padding;
    } else if (!IsBase64Char(c) || padding > 0) {
      return Error{"base64: invalid character", false};
    }
  }
  if (text.empty()) return std::string();
  std::string out(3 * (text.size() / 4), '\0');
  const int written = EVP_DecodeBlock(Bytes(out), Bytes(text), static_cast<int>(text.size()));
  if (written < 0) return Error{"base64: invalid text", false};
  // EVP_DecodeBlock counts the bytes that padding stands in for; drop them.
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

TokenCipher::TokenCipher(std::string_view key_ring) {
  std::string_view rest = key_ring;
  std::size_t index = 0;
  while (true) {
    ++index;
    const std::size_t comma = rest.find(',');
    const std::string_view entry = Trim(rest.substr(0, comma));
    const std::string where = std::string(kVariable) + ": entry " + std::to_string(index);
    if (entry.empty()) throw ConfigError(where + " is empty (expected kid:<base64 key>)");
    const std::size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
      throw ConfigError(where + " has no ':' (expected kid:<base64 key>)");
    }
    const std::string_view kid = Trim(entry.substr(0, colon));
    if (kid.empty() || kid.size() > kMaxKeyIdBytes) {
      throw ConfigError(where + " has a key id that is empty or longer than 255 characters");
    }
    for (const char c : kid) {
      if (!IsKeyIdChar(c)) {
        throw ConfigError(where + " has a key id with characters other than A-Z a-z 0-9 - _ .");
      }
    }
    const std::string named = std::string(kVariable) + ": key '" + std::string(kid) + "'";
    auto key = Base64Decode(Trim(entry.substr(colon + 1)));
    if (!key.ok()) throw ConfigError(named + " is not valid base64");
    if (key->size() != kKeyBytes) {
      throw ConfigError(named + " decodes to " + std::to_string(key->size()) +
                        " bytes; AES-256 needs 32");
    }
    if (!keys_.emplace(std::string(kid), std::move(key).value()).second) {
      throw ConfigError(named + " appears twice");
    }
    if (index == 1) current_kid_ = std::string(kid);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
}

std::string TokenCipher::Encrypt(std::string_view plaintext) const {
  const std::string& key = keys_.find(current_kid_)->second;

  std::string blob;
  blob.reserve(2 + current_kid_.size() + kNonceBytes + plaintext.size() + kTagBytes);
  blob.push_back(static_cast<char>(kVersion));
  blob.push_back(static_cast<char>(current_kid_.size()));
  blob += current_kid_;
  const std::size_t nonce_at = blob.size();
  blob.resize(nonce_at + kNonceBytes);
  if (RAND_bytes(Bytes(blob) + nonce_at, static_cast<int>(kNonceBytes)) != 1) {
    throw std::runtime_error("token cipher: RAND_bytes failed");
  }
  const std::size_t text_at = blob.size();
  blob.resize(text_at + plaintext.size() + kTagBytes);

  CipherCtx ctx = NewCtx();
  int len = 0;
  int total = 0;
  bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(blob) + nonce_at) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(current_kid_),
                        static_cast<int>(current_kid_.size())) == 1;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), Bytes(blob) + text_at, &len, Bytes(plaintext),
                           static_cast<int>(plaintext.size())) == 1;
    total = len;
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), Bytes(blob) + text_at + total, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                           Bytes(blob) + text_at + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("token cipher: AES-256-GCM encryption failed");
  return blob;
}

Result<std::string> TokenCipher::Decrypt(std::string_view blob) const {
  if (blob.size() < 2) return Fail("blob is truncated");
  if (static_cast<unsigned char>(blob[0]) != kVersion) return Fail("unknown blob version");
  const std::size_t kid_size = static_cast<unsigned char>(blob[1]);
  if (blob.size() < 2 + kid_size + kNonceBytes + kTagBytes) return Fail("blob is truncated");
  const std::string_view kid = blob.substr(2, kid_size);
  const auto key = keys_.find(kid);
  // The key id may be logged: it names a key, it is not key material.
  if (key == keys_.end()) return Fail("unknown key id '" + std::string(kid) + "'");
  const std::string_view nonce = blob.substr(2 + kid_size, kNonceBytes);
  const std::string_view body = blob.substr(2 + kid_size + kNonceBytes);
  const std::string_view ciphertext = body.substr(0, body.size() - kTagBytes);
  std::string tag(body.substr(body.size() - kTagBytes));

  std::string plaintext(ciphertext.size(), '\0');
  CipherCtx ctx = NewCtx();
  int len = 0;
  int total = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key->second), Bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(kid), static_cast<int>(kid.size())) == 1;
  if (ok && !ciphertext.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), Bytes(plaintext), &len, Bytes(ciphertext),
                           static_cast<int>(ciphertext.size())) == 1;
    total = len;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, Bytes(tag)) == 1;
  if (!ok) return Fail("AES-256-GCM decryption could not start");
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plaintext) + total, &len) != 1) {
    return Fail("blob failed authentication (tampered, or encrypted under another key)");
  }
  return plaintext;
}

}  // namespace switchboard
