#include "metrics/listen_address.h"

#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::metrics {
namespace {

// Velero's address forms parse to a host and a port; ":PORT" means every IPv4 interface.
TEST(ListenAddress, ParsesHostPortForms) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c : std::vector<Case>{{":8085", "0.0.0.0", 8085},
                                         {"127.0.0.1:0", "127.0.0.1", 0},
                                         {"[::1]:9090", "::1", 9090},
                                         {"10.0.0.5:65535", "10.0.0.5", 65535}}) {
    SCOPED_TRACE(c.text);
    auto a = parse_listen_address(c.text);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->host, c.host);
    EXPECT_EQ(a->port, c.port);
  }
}

// Malformed addresses are refused with the text named.
TEST(ListenAddress, RefusesMalformedAddresses) {
  for (const char* text : {"8085", "", ":", ":http", ":65536", ":-1", "::1:8085", "[::1:8085",
                           "::1]:8085", "host:80x"}) {
    SCOPED_TRACE(text);
    auto a = parse_listen_address(text);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(a.error().message.find("\"" + std::string(text) + "\""), std::string::npos)
        << a.error().message;
  }
}

}  // namespace
}  // namespace stillpoint::metrics
