// The values an experiment file holds, and the declared shape of its keys.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pavlov {

// One configuration value: a TOML boolean, integer, float, string, array of integers or of strings.
using ConfigValue =
    std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>, std::vector<std::string>>;

enum class KeyType : std::uint8_t { kBool, kInt, kFloat, kString, kIntList, kStringList };

const char* key_type_name(KeyType t);  // "a boolean", "an integer", ...
// TOML text of a value: true, 3, 0.001, "adam", [64, 64].
std::string config_value_toml(const ConfigValue& v);

// One key a table accepts.
struct KeySpec {
  std::string name;
  KeyType type = KeyType::kFloat;
  std::optional<ConfigValue> default_value;  // none: the key is required
  std::string help;                          // what it means, with units
  double min = -std::numeric_limits<double>::infinity();  // numbers (each element of a list): closed range
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;                // (min, max] instead of [min, max]
  std::vector<std::string> choices;          // strings: the allowed values
  std::string names_of;                      // strings: a registered name of this kind ("env", "agent", ...)
};

}  // namespace pavlov
