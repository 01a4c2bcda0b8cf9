// pavlov::EnvError: the one exception type for a user's mistake with an
// environment: an unknown id or option, an action outside the action space,
// a step without a reset. The message is a full sentence that names the env id.
#pragma once

#include <stdexcept>
#include <string>

namespace pavlov {

class EnvError : public std::runtime_error {
 public:
  explicit EnvError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace pavlov
