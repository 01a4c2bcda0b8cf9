// Every registered environment passes the conformance check (conformance.h).
#include <doctest/doctest.h>

#include "engine/env/conformance.h"
#include "engine/env/registry.h"

TEST_CASE("conformance: every registered env id") {
  const auto ids = pavlov::EnvRegistry::global().ids();
  CHECK(ids.size() >= 5);
  for (const auto& id : ids) {
    const auto failures = pavlov::check_env_conformance(id);
    std::string all;
    for (const auto& f : failures) all += "\n  " + f;
    INFO(id << all);
    CHECK(failures.empty());
  }
}
