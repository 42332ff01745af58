#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/http_client.hpp"

namespace {

using namespace switchboard;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

/// A self-signed P-256 certificate and its key, both PEM, for the names in `san`.
struct SelfSigned {
  std::string certificate_pem;
  std::string key_pem;
};

SelfSigned MakeSelfSigned(const char* san) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) throw std::runtime_error("openssl: key or certificate allocation failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("switchboard test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, const_cast<char*>(san));
  if (extension == nullptr) throw std::runtime_error("openssl: bad subjectAltName");
  X509_add_ext(cert.get(), extension, -1);
  X509_EXTENSION_free(extension);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("openssl: signing failed");
  }
  auto to_pem = [](auto write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    write(bio.get());
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
  };
  return {to_pem([&](BIO* bio) { PEM_write_bio_X509(bio, cert.get()); }), to_pem([&](BIO* bio) {
            PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

/// A one-thread HTTPS server on 127.0.0.1 answering "secure <target>" and recording the SNI.
class TlsServer final {
 public:
  explicit TlsServer(const SelfSigned& identity)
      : context_(ssl::context::tls_server),
        acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    context_.use_certificate_chain(asio::buffer(identity.certificate_pem));
    context_.use_private_key(asio::buffer(identity.key_pem), ssl::context::pem);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TlsServer() {
    stopping_ = true;
    beast::error_code ignored;
    // Wake the blocking accept with a connection of our own.
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  unsigned short Port() const { return acceptor_.local_endpoint().port(); }
  std::string ServerName() const {
    std::lock_guard lock(mutex_);
    return server_name_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      try {
        beast::ssl_stream<tcp::socket> stream(std::move(socket), context_);
        stream.handshake(ssl::stream_base::server);
        if (const char* sni =
                SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
          std::lock_guard lock(mutex_);
          server_name_ = sni;
        }
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::read(stream, buffer, request);
        http::response<http::string_body> response{http::status::ok, 11};
        response.body() = "secure " + std::string(request.target());
        response.keep_alive(false);
        response.prepare_payload();
        http::write(stream, response);
        stream.shutdown(ec);
      } catch (const std::exception&) {
        // A client that refused our certificate: expected in the negative tests.
      }
    }
  }

  asio::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string server_name_;
  std::thread thread_;
};

TEST_CASE("HttpFetch over https verifies the certificate and the host name, and sends SNI") {
  const SelfSigned identity = MakeSelfSigned("DNS:localhost,IP:127.0.0.1");
  TlsServer server(identity);
  const std::string port = std::to_string(server.Port());

  auto by_name = HttpFetch({.url = "https://localhost:" + port + "/a?b=1",
                            .timeout = std::chrono::milliseconds(5000),
                            .extra_ca_pem = identity.certificate_pem});
  REQUIRE_MESSAGE(by_name.ok(), (by_name.ok() ? "" : by_name.error().message));
  CHECK(by_name->status == 200);
  CHECK(by_name->body == "secure /a?b=1");
  CHECK(server.ServerName() == "localhost");

  auto by_address = HttpFetch({.url = "https://127.0.0.1:" + port + "/c",
                               .timeout = std::chrono::milliseconds(5000),
                               .extra_ca_pem = identity.certificate_pem});
  REQUIRE_MESSAGE(by_address.ok(), (by_address.ok() ? "" : by_address.error().message));
  CHECK(by_address->body == "secure /c");

  SUBCASE("an untrusted certificate is a failure that is not retryable") {
    auto untrusted = HttpFetch(
        {.url = "https://localhost:" + port + "/", .timeout = std::chrono::milliseconds(5000)});
    REQUIRE_FALSE(untrusted.ok());
    CHECK_FALSE(untrusted.error().retryable);
    CHECK(untrusted.error().message.find("tls handshake") != std::string::npos);
  }
}

TEST_CASE("HttpFetch over https rejects a trusted certificate for another host name") {
  const SelfSigned identity = MakeSelfSigned("DNS:other.example");
  TlsServer server(identity);
  auto answer = HttpFetch({.url = "https://localhost:" + std::to_string(server.Port()) + "/",
                           .timeout = std::chrono::milliseconds(5000),
                           .extra_ca_pem = identity.certificate_pem});
  REQUIRE_FALSE(answer.ok());
  CHECK_FALSE(answer.error().retryable);
}

}  // namespace
