// S3's XML answers come from a server we do not control: every parser must return an error or a
// value, never crash, hang or leak. Also checks the contracts the S3 store relies on: an
// <Error> body is always a failed completion, and a truncated listing always has a way on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/s3/s3_xml.h"

namespace s3 = stillpoint::storage::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const auto error = s3::parse_error(body);
  s3::S3Error completion;
  const bool failed = s3::complete_failed(body, completion);
  if (error && (!failed || completion.code != error->code)) {
    std::abort();
  }

  if (auto page = s3::parse_list_objects_v2(body)) {
    if (page->truncated && page->next_continuation_token.empty()) {
      std::abort();
    }
  }
  if (auto uploads = s3::parse_list_multipart_uploads(body)) {
    if (uploads->truncated && uploads->next_key_marker.empty()) {
      std::abort();
    }
  }
  if (auto id = s3::parse_upload_id(body)) {
    if (id->empty()) {
      std::abort();
    }
  }
  (void)s3::parse_delete_result(body);
  return 0;
}
