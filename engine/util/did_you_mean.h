// Suggestions for a misspelt name: the candidates closest to it by edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pavlov {

// Optimal-string-alignment distance between a and b, case-insensitive.
int edit_distance(std::string_view a, std::string_view b);

// Up to `max_count` candidates within a distance that scales with the name's
// length, closest first. Empty when nothing is close.
std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates,
                                       std::size_t max_count = 3);

// " Did you mean 'a' or 'b'?" for the closest candidates, or "" when none is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace pavlov
