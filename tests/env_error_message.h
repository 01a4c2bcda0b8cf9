// The message of the EnvError that `fn` throws, or "<no EnvError>".
#pragma once

#include <functional>
#include <string>

#include "engine/env/env_error.h"

namespace pavlov::test {

inline std::string env_error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const EnvError& e) {
    return e.what();
  }
  return "<no EnvError>";
}

}  // namespace pavlov::test
