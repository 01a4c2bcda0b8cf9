#include <charconv>
#include <limits>

#include "engine/cli/commands.h"

namespace pavlov::cli {
namespace {

template <typename T>
T parse_whole(const std::string& option, const std::string& text, T min, T max, const std::string& what) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    throw UsageError(option + " expects " + what + ", got '" + text + "'");
  return value;
}

}  // namespace

std::int64_t int_option(const std::string& option, const std::string& text, std::int64_t min) {
  // Counts end up in ints: larger values are refused, not wrapped.
  const std::int64_t max = std::numeric_limits<int>::max();
  return parse_whole<std::int64_t>(option, text, min, max,
                                   "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

std::uint64_t seed_option(const std::string& option, const std::string& text) {
  return parse_whole<std::uint64_t>(option, text, 0, std::numeric_limits<std::uint64_t>::max(),
                                    "a seed (a whole number >= 0)");
}

}  // namespace pavlov::cli
