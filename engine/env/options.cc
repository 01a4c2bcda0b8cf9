#include "engine/env/options.h"

#include <cmath>
#include <sstream>

#include "engine/env/env_error.h"
#include "engine/util/did_you_mean.h"

namespace pavlov {

const char* option_type_name(OptionType t) {
  switch (t) {
    case OptionType::kBool: return "bool";
    case OptionType::kInt: return "int";
    case OptionType::kFloat: return "float";
    case OptionType::kString: return "string";
  }
  return "?";
}

std::string option_value_string(const OptionValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>) return "\"" + x + "\"";
        else {
          std::ostringstream os;
          os << x;
          return os.str();
        }
      },
      v);
}

namespace {

OptionType type_of(const OptionValue& v) {
  switch (v.index()) {
    case 0: return OptionType::kBool;
    case 1: return OptionType::kInt;
    case 2: return OptionType::kFloat;
    default: return OptionType::kString;
  }
}

}  // namespace

void check_options(const std::string& owner, const std::vector<OptionInfo>& declared, const OptionMap& given) {
  for (const auto& [name, value] : given) {
    const OptionInfo* info = nullptr;
    for (const auto& d : declared)
      if (d.name == name) info = &d;
    if (!info) {
      std::vector<std::string> names;
      for (const auto& d : declared) names.push_back(d.name);
      std::string known = "It has no options.";
      if (!names.empty()) {
        known = "Its options are:";
        for (const auto& n : names) known += " " + n;
        known += ".";
      }
      throw EnvError(owner + ": unknown option '" + name + "'." + did_you_mean(name, names) + " " + known);
    }
    const OptionType got = type_of(value);
    const bool ok = got == info->type || (info->type == OptionType::kFloat && got == OptionType::kInt);
    if (!ok)
      throw EnvError(owner + ": option '" + name + "' must be a " + option_type_name(info->type) + ", got the " +
                     option_type_name(got) + " " + option_value_string(value) + ".");
    if (info->type == OptionType::kFloat || info->type == OptionType::kInt) {
      const double x = got == OptionType::kInt ? static_cast<double>(std::get<std::int64_t>(value)) : std::get<double>(value);
      if (!(x >= info->min && x <= info->max)) {
        std::ostringstream os;
        os << owner << ": option '" << name << "' = " << option_value_string(value) << " is outside its range ["
           << info->min << ", " << info->max << "].";
        throw EnvError(os.str());
      }
    }
  }
}

}  // namespace pavlov
