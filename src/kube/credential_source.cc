#include "kube/credential_source.h"

#include "core/documents.h"
#include "kube/base64.h"

namespace stillpoint::kube {

CredentialSource::CredentialSource(ClientConfig config, Clock clock, PluginRunner runner)
    : config_(std::move(config)), clock_(std::move(clock)), runner_(std::move(runner)) {}

core::Result<AuthMaterial> CredentialSource::current() {
  std::lock_guard lock(mutex_);
  if (cached_ && (!valid_until_ || clock_() < *valid_until_)) {
    return *cached_;
  }
  return refresh_locked();
}

bool CredentialSource::rejected(uint64_t generation) {
  std::lock_guard lock(mutex_);
  const bool refreshable = config_.user.exec.has_value() || config_.user.token_file.has_value();
  if (cached_ && cached_->generation == generation) {
    cached_.reset();
  }
  return refreshable;
}

core::Result<AuthMaterial> CredentialSource::refresh_locked() {
  const UserCredentials& user = config_.user;
  AuthMaterial m;
  m.client_certificate_pem = user.client_certificate_pem;
  m.client_key_pem = user.client_key_pem;
  valid_until_.reset();
  if (user.exec) {
    auto credential = runner_(*user.exec, config_.cluster);
    if (!credential) {
      return core::unexpected(credential.error());
    }
    if (credential->token) {
      m.authorization = "Bearer " + *credential->token;
    }
    if (credential->client_certificate_pem) {
      m.client_certificate_pem = credential->client_certificate_pem;
      m.client_key_pem = credential->client_key_pem;
    }
    valid_until_ = credential->expiry;
  } else if (user.token_file) {
    auto token = core::read_file(*user.token_file);
    if (token) {
      std::string t = std::move(*token);
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) {
        t.pop_back();
      }
      last_file_token_ = std::move(t);
    }
    // The last successfully read value wins over `token`; a failed re-read keeps it.
    if (last_file_token_) {
      m.authorization = "Bearer " + *last_file_token_;
    } else if (user.token) {
      m.authorization = "Bearer " + *user.token;
    } else {
      return core::unexpected(core::ErrorCode::Io, "tokenFile: " + token.error().message);
    }
    valid_until_ = clock_() + kTokenFileRefresh;
  } else if (user.token) {
    m.authorization = "Bearer " + *user.token;
  } else if (user.username || user.password) {
    m.authorization =
        "Basic " + base64_encode(user.username.value_or("") + ":" + user.password.value_or(""));
  }
  // Generation bumps only when the material really changed, so a periodic token-file re-read
  // that finds the same token keeps pooled TLS connections and 401 bookkeeping stable.
  const bool same = cached_ && cached_->authorization == m.authorization &&
                    cached_->client_certificate_pem == m.client_certificate_pem &&
                    cached_->client_key_pem == m.client_key_pem;
  m.generation = same ? cached_->generation : ++generation_;
  cached_ = m;
  return m;
}

}  // namespace stillpoint::kube
