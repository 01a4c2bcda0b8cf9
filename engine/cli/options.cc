#include <charconv>
#include <limits>

#include "engine/cli/commands.h"

namespace pavlov::cli {
namespace {

template <typename T>
T parse_whole(const std::string& option, const std::string& text, T min, const std::string& what) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min)
    throw UsageError(option + " expects " + what + ", got '" + text + "'");
  return value;
}

}  // namespace

std::int64_t int_option(const std::string& option, const std::string& text, std::int64_t min) {
  return parse_whole<std::int64_t>(option, text, min, "a whole number >= " + std::to_string(min));
}

std::uint64_t seed_option(const std::string& option, const std::string& text) {
  return parse_whole<std::uint64_t>(option, text, 0, "a seed (a whole number >= 0)");
}

}  // namespace pavlov::cli
