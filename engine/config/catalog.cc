#include "engine/config/catalog.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace pavlov {

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::kBool: return "a boolean";
    case KeyType::kInt: return "an integer";
    case KeyType::kFloat: return "a number";
    case KeyType::kString: return "a string";
    case KeyType::kIntList: return "an array of integers";
    case KeyType::kStringList: return "an array of strings";
  }
  return "?";
}

std::string config_value_toml(const ConfigValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        std::ostringstream os;
        if constexpr (std::is_same_v<T, bool>) os << (x ? "true" : "false");
        else if constexpr (std::is_same_v<T, std::string>) os << '"' << x << '"';
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          os << '[';
          for (std::size_t i = 0; i < x.size(); ++i) os << (i ? ", \"" : "\"") << x[i] << '"';
          os << ']';
        } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
          os << '[';
          for (std::size_t i = 0; i < x.size(); ++i) os << (i ? ", " : "") << x[i];
          os << ']';
        } else if constexpr (std::is_same_v<T, double>) {
          // The shortest form that reads back as the same double (0.99, not 0.98999999999999999).
          for (int digits = 15; digits <= 17; ++digits) {
            os.str("");
            os.precision(digits);
            os << x;
            if (std::stod(os.str()) == x) break;
          }
          std::string s = os.str();
          if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
          return s;
        } else {
          os << x;
        }
        return os.str();
      },
      v);
}

Catalog& Catalog::global() {
  static Catalog catalog;
  return catalog;
}

void Catalog::add(CatalogEntry entry) {
  if (find(entry.kind, entry.name)) throw std::logic_error(entry.kind + " '" + entry.name + "' is registered twice");
  entries_.push_back(std::move(entry));
}

const CatalogEntry* Catalog::find(std::string_view kind, std::string_view name) const {
  for (const auto& e : entries_)
    if (e.kind == kind && e.name == name) return &e;
  return nullptr;
}

std::vector<const CatalogEntry*> Catalog::entries(std::string_view kind) const {
  std::vector<const CatalogEntry*> out;
  for (const auto& e : entries_)
    if (e.kind == kind) out.push_back(&e);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  return out;
}

std::vector<std::string> Catalog::names(std::string_view kind) const {
  std::vector<std::string> out;
  for (const auto* e : entries(kind)) out.push_back(e->name);
  return out;
}

}  // namespace pavlov
