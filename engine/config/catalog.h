// pavlov::Catalog: every name a user can write in an experiment file (agents,
// networks, optimizers, activations, schedules) with the keys each accepts.
//
// The libraries that implement the names (agents/, nets/) add them here when
// they register their factories, so the config validator, `pavlov list` and
// the docs see them without engine/ depending on those libraries. Environment
// ids live in the EnvRegistry (engine/env/registry.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/config/value.h"

namespace pavlov {

struct CatalogEntry {
  std::string kind;            // "agent", "net", "optimizer", "activation", "schedule"
  std::string name;            // "dqn", "mlp", "adam", "relu", "cosine"
  std::string summary;         // one line
  std::vector<KeySpec> keys;   // the keys of its table ([agent] for an agent, ...)
  // Defaults it sets for keys of other tables, e.g. {"optimizer.lr", 3e-4}: an
  // agent brings Stable-Baselines3's optimizer and replay defaults for it; a
  // value the file gives still wins.
  std::vector<std::pair<std::string, ConfigValue>> defaults;
};

class Catalog {
 public:
  static Catalog& global();
  // Adds an entry; a second entry with the same kind and name throws std::logic_error.
  void add(CatalogEntry entry);
  const CatalogEntry* find(std::string_view kind, std::string_view name) const;
  std::vector<std::string> names(std::string_view kind) const;  // sorted
  std::vector<const CatalogEntry*> entries(std::string_view kind) const;

 private:
  std::vector<CatalogEntry> entries_;
};

}  // namespace pavlov
