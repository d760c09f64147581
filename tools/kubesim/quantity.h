// resource.Quantity values ("1Gi", "500Mi", "100M", "1.5G", "2e9", "1000m") as numbers, so
// the PV binder can compare a claim's request with a volume's capacity (Quantity.Cmp). Only
// comparison is needed: the value is a long double, not Quantity's exact decimal, and the
// canonical serialisation is not reproduced (stored values are copied as written).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

// Binary (Ki … Ei), decimal (n, u, m, k, M, G, T, P, E) and exponent suffixes; nullopt when
// the text is not a quantity. A JSON number is taken as is.
std::optional<long double> parse_quantity(const nlohmann::json& value);

}  // namespace stillpoint::kubesim
