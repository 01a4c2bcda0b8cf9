// Typed keyword options of an environment, Gymnasium's `gym.make(id, **kwargs)`
// in C++: each env declares a plain options struct with defaults, and binds its
// fields to names so that a TOML table or a command line can set them.
//
//   struct PendulumOptions { double g = 10.0; };
//   OptionBinder<PendulumOptions>().add("g", &PendulumOptions::g, "gravity (m/s^2)", 0.0, 1e3);
//
// The registry checks what a user gives (unknown names with suggestions, wrong
// types, values out of range) before any env is built, and throws EnvError.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace pavlov {

using OptionValue = std::variant<bool, std::int64_t, double, std::string>;
// What a user gave, by name. Integers are accepted where a float is expected.
using OptionMap = std::map<std::string, OptionValue, std::less<>>;

enum class OptionType : std::uint8_t { kBool, kInt, kFloat, kString };

// "bool", "int", "float" or "string".
const char* option_type_name(OptionType t);
// The value as text, e.g. "true", "3", "9.8", "\"euler\"".
std::string option_value_string(const OptionValue& v);

// One declared option: its name, type, default, one line of help and, for
// numbers, the closed range of valid values.
struct OptionInfo {
  std::string name;
  OptionType type = OptionType::kFloat;
  OptionValue default_value;
  std::string help;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

// Checks `given` against `declared`; throws EnvError naming `owner` (an env id)
// and the option for an unknown name, a wrong type or a value out of range.
void check_options(const std::string& owner, const std::vector<OptionInfo>& declared, const OptionMap& given);

// Binds the fields of an options struct to names (see the file comment).
template <class Opts>
class OptionBinder {
 public:
  template <class T>
  OptionBinder& add(std::string name, T Opts::*field, std::string help,
                    double min = -std::numeric_limits<double>::infinity(),
                    double max = std::numeric_limits<double>::infinity()) {
    static_assert(std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::string>,
                  "an option field is bool, std::int64_t, double or std::string");
    OptionInfo info{name, type_of<T>(), OptionValue(Opts{}.*field), std::move(help), min, max};
    infos_.push_back(std::move(info));
    setters_.push_back([field, name = std::move(name)](Opts& o, const OptionValue& v) {
      if constexpr (std::is_same_v<T, double>)
        o.*field = std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
      else
        o.*field = std::get<T>(v);
    });
    return *this;
  }

  const std::vector<OptionInfo>& infos() const { return infos_; }

  // The options struct with the given values set over the defaults. `given`
  // has passed check_options.
  Opts build(const OptionMap& given) const {
    Opts o{};
    for (std::size_t i = 0; i < infos_.size(); ++i)
      if (auto it = given.find(infos_[i].name); it != given.end()) setters_[i](o, it->second);
    return o;
  }

 private:
  template <class T>
  static constexpr OptionType type_of() {
    if constexpr (std::is_same_v<T, bool>) return OptionType::kBool;
    else if constexpr (std::is_same_v<T, std::int64_t>) return OptionType::kInt;
    else if constexpr (std::is_same_v<T, double>) return OptionType::kFloat;
    else return OptionType::kString;
  }

  std::vector<OptionInfo> infos_;
  std::vector<std::function<void(Opts&, const OptionValue&)>> setters_;
};

}  // namespace pavlov
