#include "tls_material.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace stillpoint::kubesim {
namespace {

using core::ErrorCode;
using core::unexpected;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) {
    return false;
  }
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Ptr<X509> make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                    long serial) {
  Ptr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* iss = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  bool ok = true;
  if (ca) {
    ok = ok && add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    ok = ok && add_ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  } else {
    ok = ok && add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    ok = ok && add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth");
    ok = ok && add_ext(cert.get(), iss, NID_subject_alt_name,
                       "IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc");
  }
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return nullptr;
  }
  return cert;
}

}  // namespace

core::Result<TlsMaterial> generate_tls_material() {
  Ptr<EVP_PKEY> ca_key(EVP_EC_gen("P-256"));
  Ptr<EVP_PKEY> server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) {
    return unexpected(ErrorCode::Internal, "cannot generate EC keys");
  }
  Ptr<X509> ca = make_cert(ca_key.get(), "kubesim-ca", nullptr, ca_key.get(), true, 1);
  if (!ca) {
    return unexpected(ErrorCode::Internal, "cannot sign the CA certificate");
  }
  Ptr<X509> server = make_cert(server_key.get(), "kubesim", ca.get(), ca_key.get(), false, 2);
  if (!server) {
    return unexpected(ErrorCode::Internal, "cannot sign the server certificate");
  }
  TlsMaterial m;
  Ptr<BIO> b1(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b1.get(), ca.get());
  m.ca_cert_pem = bio_string(b1.get());
  Ptr<BIO> b2(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b2.get(), server.get());
  m.server_cert_pem = bio_string(b2.get());
  Ptr<BIO> b3(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(b3.get(), server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  m.server_key_pem = bio_string(b3.get());
  return m;
}

std::string generate_token() {
  unsigned char raw[32];
  RAND_bytes(raw, sizeof(raw));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace stillpoint::kubesim
