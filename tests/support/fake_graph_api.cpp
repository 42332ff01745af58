#include "tests/support/fake_graph_api.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <stdexcept>

#include "tests/support/loopback_server.hpp"

namespace switchboard::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string GraphErrorBody(int code, std::string_view message, std::optional<int> subcode) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.StartObject();
  writer.Key("message");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.Key("type");
  writer.String("OAuthException");
  writer.Key("code");
  writer.Int(code);
  if (subcode) {
    writer.Key("error_subcode");
    writer.Int(*subcode);
  }
  writer.Key("fbtrace_id");
  writer.String("AFakeTraceId0000");
  writer.EndObject();
  writer.EndObject();
  return buffer.GetString();
}

std::vector<std::string_view> PathSegments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> segments;
  while (!target.empty()) {
    if (target.front() == '/') {
      target.remove_prefix(1);
      continue;
    }
    const auto end = target.find('/');
    segments.push_back(target.substr(0, end));
    target = end == std::string_view::npos ? std::string_view{} : target.substr(end);
  }
  return segments;
}

const char* StringMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : nullptr;
}

}  // namespace

std::optional<std::string> RecordedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

ScriptedAnswer ScriptedAnswer::GraphError(int status, int code, std::string message,
                                          std::optional<int> subcode) {
  return ScriptedAnswer{.status = status, .body = GraphErrorBody(code, message, subcode)};
}

FakeGraphApi::FakeGraphApi() : FakeGraphApi(Options{}) {}

FakeGraphApi::FakeGraphApi(Options options)
    : options_(std::move(options)),
      // Message ids stay unique across restarts of the sink, as the real platform's are: the
      // sender stores them under a unique constraint.
      instance_(std::to_string(std::chrono::system_clock::now().time_since_epoch().count())) {
  if (!options_.log_path.empty()) {
    log_.open(options_.log_path, std::ios::app);
    if (!log_) throw std::runtime_error("FakeGraphApi: cannot open " + options_.log_path);
  }
  server_ = std::make_unique<LoopbackServer>(
      [this](HttpRequest request) { return Handle(std::move(request)); }, options_.port);
}

FakeGraphApi::~FakeGraphApi() {
  server_.reset();
}

std::string FakeGraphApi::Url() const {
  return server_->Url();
}

unsigned short FakeGraphApi::Port() const {
  return server_->Port();
}

void FakeGraphApi::Script(ScriptedAnswer answer) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(answer));
}

std::vector<RecordedRequest> FakeGraphApi::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool FakeGraphApi::WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

asio::awaitable<HttpResponse> FakeGraphApi::Handle(HttpRequest request) {
  RecordedRequest recorded{.method = std::string(request.method_string()),
                           .path = std::string(request.target()),
                           .headers = {},
                           .body = request.body(),
                           .arrived = std::chrono::steady_clock::now()};
  for (const auto& field : request) {
    recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  AppendToLog(recorded);

  std::optional<ScriptedAnswer> scripted;
  std::pair<int, std::string> answer;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(recorded));
    if (!script_.empty()) {
      scripted = std::move(script_.front());
      script_.pop_front();
    }
  }
  arrived_.notify_all();

  if (scripted) {
    answer = {scripted->status, scripted->body};
    if (scripted->delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, scripted->delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
  } else {
    answer = DefaultAnswer(request);
  }
  HttpResponse response = MakeResponse(request, static_cast<http::status>(answer.first),
                                       std::move(answer.second), "application/json");
  if (scripted && scripted->retry_after_seconds) {
    response.set(http::field::retry_after, std::to_string(*scripted->retry_after_seconds));
  }
  co_return response;
}

std::pair<int, std::string> FakeGraphApi::DefaultAnswer(const HttpRequest& request) {
  const auto segments = PathSegments(request.target());
  if (request.method() != http::verb::post || segments.size() != 3 || segments[2] != "messages") {
    return {404, GraphErrorBody(803, "(#803) Some of the aliases you requested do not exist",
                                std::nullopt)};
  }
  const bool has_token = request.find(http::field::authorization) != request.end() ||
                         request.target().find("access_token=") != std::string_view::npos;
  if (!has_token) {
    return {401, GraphErrorBody(190, "Invalid OAuth access token - Cannot parse access token",
                                std::nullopt)};
  }
  rapidjson::Document body;
  body.Parse(request.body().data(), request.body().size());
  if (body.HasParseError() || !body.IsObject()) {
    return {400, GraphErrorBody(100, "(#100) Invalid parameter", std::nullopt)};
  }

  std::size_t id;
  {
    std::lock_guard lock(mutex_);
    id = ++next_id_;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  const char* product = StringMember(body, "messaging_product");
  if (segments[1] != "me" && product != nullptr && std::string_view(product) == "whatsapp") {
    const char* to = StringMember(body, "to");
    if (to == nullptr) {
      return {400, GraphErrorBody(100, "(#100) The parameter to is required.", std::nullopt)};
    }
    writer.StartObject();
    writer.Key("messaging_product");
    writer.String("whatsapp");
    writer.Key("contacts");
    writer.StartArray();
    writer.StartObject();
    writer.Key("input");
    writer.String(to);
    writer.Key("wa_id");
    writer.String(to);
    writer.EndObject();
    writer.EndArray();
    writer.Key("messages");
    writer.StartArray();
    writer.StartObject();
    writer.Key("id");
    writer.String("wamid.fake-" + instance_ + "-" + std::to_string(id));
    writer.EndObject();
    writer.EndArray();
    writer.EndObject();
    return {200, buffer.GetString()};
  }

  const auto recipient = body.FindMember("recipient");
  const char* recipient_id =
      recipient != body.MemberEnd() ? StringMember(recipient->value, "id") : nullptr;
  if (recipient_id == nullptr) {
    return {400, GraphErrorBody(100, "(#100) param recipient must be non-empty.", std::nullopt)};
  }
  writer.StartObject();
  writer.Key("recipient_id");
  writer.String(recipient_id);
  writer.Key("message_id");
  writer.String("m_fake-" + instance_ + "-" + std::to_string(id));
  writer.EndObject();
  return {200, buffer.GetString()};
}

void FakeGraphApi::AppendToLog(const RecordedRequest& recorded) {
  if (!log_.is_open()) return;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("method");
  writer.String(recorded.method);
  writer.Key("path");
  writer.String(recorded.path);
  writer.Key("headers");
  writer.StartObject();
  for (const auto& [name, value] : recorded.headers) {
    writer.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(EqualsIgnoreCase(name, "authorization") ? std::string("<redacted>") : value);
  }
  writer.EndObject();
  writer.Key("body");
  writer.String(recorded.body);
  writer.EndObject();
  std::lock_guard lock(log_mutex_);
  log_ << buffer.GetString() << '\n';
  log_.flush();
}

}  // namespace switchboard::testing
