#include "engine/config/experiment.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "engine/config/catalog.h"
#include "engine/env/plugin_loader.h"
#include "engine/env/registry.h"
#include "engine/util/did_you_mean.h"

namespace pavlov {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

KeySpec key(std::string name, KeyType type, std::optional<ConfigValue> def, std::string help, double min = -kInf,
            double max = kInf) {
  KeySpec k;
  k.name = std::move(name);
  k.type = type;
  k.default_value = std::move(def);
  k.help = std::move(help);
  k.min = min;
  k.max = max;
  return k;
}

std::vector<std::pair<std::string, std::vector<KeySpec>>> make_engine_tables() {
  KeySpec device = key("device", KeyType::kString, std::string("auto"), "where networks run: auto (CUDA when there is one), cpu or cuda");
  device.choices = {"auto", "cpu", "cuda"};
  KeySpec actor_device = key("actor_device", KeyType::kString, std::string("cpu"),
                             "where acting runs when the learner is on CUDA: cpu (a copy of the networks, refreshed "
                             "after each training phase) or learner (batched inference on the learner's device)");
  actor_device.choices = {"cpu", "learner"};
  KeySpec env_id = key("id", KeyType::kString, std::nullopt, "a registered environment id (pavlov list envs)");
  env_id.names_of = "env";
  KeySpec algo = key("algo", KeyType::kString, std::nullopt, "the learning algorithm (pavlov list agents)");
  algo.names_of = "agent";
  KeySpec opt = key("name", KeyType::kString, std::string("adam"), "the optimizer (pavlov list optimizers)");
  opt.names_of = "optimizer";
  KeySpec record_format = key("record_format", KeyType::kString, std::string("mp4"), "the videos' format: mp4 or gif");
  record_format.choices = {"mp4", "gif"};
  KeySpec task_kind = key("kind", KeyType::kString, std::string("rl"),
                          "rl: an agent learns an env ([env], [agent], [train]); classify: a [net] labels each "
                          "image of [task] dataset; segment: a [net] (unet) labels each pixel; language_model: a [net] "
                          "(gpt) predicts the next character of [task] dataset's text; translate: a [net] (seq2seq) "
                          "translates [task] dataset's sentence pairs; text_classify: a [net] (bert) pretrained on masked tokens "
                          "tells which fortune file a fortune comes from; vae: a [net] (vae) learns to generate [task] dataset's "
                          "images, binarized; gan: a [net] (dcgan) generator learns to fool a discriminator on [task] "
                          "dataset's images; detect: a [net] (grid_detector) boxes and names the shapes of generated scenes");
  task_kind.choices = {"rl", "classify", "segment", "language_model", "translate", "text_classify", "vae", "gan", "detect"};
  KeySpec dataset = key("dataset", KeyType::kString, std::string("fashion_mnist"),
                        "the images of a supervised task: fashion_mnist (Debian's dataset-fashion-mnist; classify, vae, gan) "
                        "or shapes (generated scenes with per-pixel classes and boxes; segment, detect), fortunes (Debian's "
                        "fortunes package, split by file; language_model, text_classify) or synthetic_pairs (a generated language "
                        "pair, SVO to SOV with agreement; translate)");
  dataset.choices = {"fashion_mnist", "shapes", "fortunes", "synthetic_pairs"};
  KeySpec tokenizer = key("tokenizer", KeyType::kString, std::string("bytes"),
                          "language_model, text_classify: bytes (one token per byte, 256) or bpe (byte-level BPE learned from the "
                          "training text up to vocab_size tokens, saved with the run)");
  tokenizer.choices = {"bytes", "bpe"};
  KeySpec runtime_mode = key("mode", KeyType::kString, std::string("sync"),
                             "sync: act, step and learn in turn in one thread (deterministic with a seed); async: "
                             "actor threads act and step while the learner thread trains (docs/async.md)");
  runtime_mode.choices = {"sync", "async"};
  return {
      {"experiment",
       {key("name", KeyType::kString, std::nullopt, "names the run folder <out_dir>/<name>-<UTC time>"),
        key("seed", KeyType::kInt, std::int64_t{0}, "seeds every generator of the run", 0, 9.2e18), device,
        key("threads", KeyType::kInt, std::int64_t{1},
            "CPU threads of the network math (0: one per core); small networks run best on 1, since "
            "idle math threads spin and slow everything else on the machine. With >= 2, DQN and PPO on the "
            "CPU fast path (plain MLPs) instead split their work over two threads of one math thread each "
            "(DQN: the target network beside the updates; PPO: the policy and value networks), with the "
            "same numbers as one", 0, 1024),
        actor_device,
        key("plugins", KeyType::kStringList, std::vector<std::string>{},
            "environment plugins to load first (shared libraries; paths relative to this file; docs/custom_env.md)"),
        key("amp", KeyType::kBool, false,
            "mixed precision on CUDA: the learner's forward passes and losses in bfloat16 autocast, weights and "
            "optimizer in float32 (no effect on the CPU)"),
        key("out_dir", KeyType::kString, std::string("runs"), "folder that receives the run folders")}},
      {"env",
       {env_id, key("num_envs", KeyType::kInt, std::int64_t{1}, "envs stepped together", 1, 65536),
        key("threads", KeyType::kInt, std::int64_t{1}, "threads stepping them (0: one per core)", 0, 1024),
        key("frame_stack", KeyType::kInt, std::int64_t{1},
            "observations stacked along the first axis, oldest first (1: none; e.g. 4 for pixels)", 1, 64)}},
      {"agent", {algo}},
      {"optimizer", {opt}},
      {"replay",
       {key("capacity", KeyType::kInt, std::int64_t{100000}, "transitions kept", 1, 1e9),
        key("batch_size", KeyType::kInt, std::int64_t{64}, "transitions per gradient step", 1, 1e6),
        key("n_step", KeyType::kInt, std::int64_t{1}, "steps of the n-step return", 1, 1000),
        key("learning_starts", KeyType::kInt, std::int64_t{1000}, "env steps before the first update", 0, 1e12),
        key("prioritized", KeyType::kBool, false,
            "prioritized replay (proportional, Schaul et al. 2016): draw by |TD error|^alpha, weight by importance sampling"),
        key("alpha", KeyType::kFloat, 0.6, "prioritized replay: how much priorities count (0: uniform)", 0.0, 1.0),
        key("beta", KeyType::kFloat, 0.4,
            "prioritized replay: the importance-sampling exponent at the start, annealed linearly to 1 over the run", 0.0, 1.0),
        key("priority_eps", KeyType::kFloat, 1e-6, "prioritized replay: added to |TD error|", 0.0, 1.0)}},
      {"train",
       {key("total_steps", KeyType::kInt, std::nullopt, "env steps of the whole run (all envs together)", 1, 1e13),
        key("log_every", KeyType::kInt, std::int64_t{1000}, "env steps between metrics rows", 1, 1e13),
        key("eval_every", KeyType::kInt, std::int64_t{0}, "env steps between evaluations (0: only at the end)", 0, 1e13),
        key("eval_episodes", KeyType::kInt, std::int64_t{10}, "greedy episodes per evaluation", 1, 1e6),
        key("checkpoint_every", KeyType::kInt, std::int64_t{10000}, "env steps between checkpoints (0: only at the end)", 0, 1e13)}},
      {"runtime",
       {runtime_mode,
        key("actors", KeyType::kInt, std::int64_t{1},
            "async: actor threads; each steps env.num_envs / actors envs with its own copy of the policy", 1, 1024),
        key("unroll", KeyType::kInt, std::int64_t{16},
            "async: vector steps an actor records with one policy version before handing them to the learner", 1, 1e6),
        key("queue", KeyType::kInt, std::int64_t{0},
            "async: blocks of experience waiting for the learner at most, before actors wait (0: 2 per actor)", 0, 1e6),
        key("listen", KeyType::kString, std::string(""),
            "async: HOST:PORT where the learner accepts remote actors (`pavlov actor --connect`); empty: none; "
            "a port alone binds 127.0.0.1. Name another host only if other machines must reach it (docs/protocol.md)"),
        key("remote_envs", KeyType::kInt, std::int64_t{0},
            "async with listen: env columns the learner keeps for remote actors' envs, all of them together", 0, 65536),
        key("token", KeyType::kString, std::string(""),
            "the shared secret every remote actor must present; the environment variable PAVLOV_TOKEN, "
            "when set, is used instead (keep it out of files you share)"),
        key("max_payload_mb", KeyType::kInt, std::int64_t{64}, "the largest message a learner or actor accepts, in MiB",
            1, 4000),
        key("heartbeat_timeout", KeyType::kFloat, 10.0,
            "seconds of silence after which a remote peer counts as gone", 0.1, 3600)}},
      {"render",
       {key("live", KeyType::kBool, false,
            "open a window that shows one extra env played greedily by the current policy at real-time speed "
            "while training runs (as `pavlov run --watch`); closing it does not stop training"),
        key("record_every", KeyType::kInt, std::int64_t{0},
            "env steps between videos of one greedy episode, written to <run>/videos/step-<N>.<format> (0: none)", 0, 1e13),
        record_format}},
      // The zoo's supervised tasks (nets/tasks/): [task] kind other than "rl" trains a [net] on a dataset.
      {"task",
       {task_kind, dataset,
        key("epochs", KeyType::kInt, std::int64_t{10}, "passes over the training set", 1, 1e6),
        key("batch_size", KeyType::kInt, std::int64_t{128},
            "examples per gradient step (images, text windows or sentence pairs)", 1, 1e6),
        key("val_size", KeyType::kInt, std::int64_t{5000},
            "validation images: held out from the end of the training split (fashion_mnist), or scenes of "
            "the val split (shapes), or sentence pairs (translate)", 0, 1e9),
        key("scenes", KeyType::kInt, std::int64_t{8000}, "shapes: training scenes", 1, 1e8),
        key("test_size", KeyType::kInt, std::int64_t{2000},
            "shapes: test scenes; translate: pairs of the test set, and of the long test set", 1, 1e8),
        key("image_size", KeyType::kInt, std::int64_t{64}, "shapes: the side of a scene in pixels", 8, 4096),
        key("data_fraction", KeyType::kFloat, 1.0,
            "the fraction of the (remaining) training images to train on (learning curves against data size)", 0.001, 1.0),
        key("pad_crop", KeyType::kInt, std::int64_t{0},
            "augmentation: pad each side with this many zero pixels, crop back at a random offset (0: off)", 0, 64),
        key("hflip", KeyType::kBool, false, "augmentation: mirror left-right with probability 1/2"),
        key("random_erase", KeyType::kFloat, 0.0,
            "classify, augmentation: the probability that an image gets a rectangle (2-40 % of it) of random pixels "
            "(random erasing, Zhong et al. 2020; 0.5 in the paper)", 0.0, 1.0),
        key("context", KeyType::kInt, std::int64_t{128}, "language_model: tokens a training window holds; text_classify: the most tokens of a fortune read", 2, 65536),
        key("steps", KeyType::kInt, std::int64_t{3000}, "language_model, translate: gradient steps; text_classify: fine-tuning steps", 1, 1e9),
        key("eval_every", KeyType::kInt, std::int64_t{500}, "language_model, translate, text_classify: steps between validations", 1, 1e9),
        tokenizer,
        key("vocab_size", KeyType::kInt, std::int64_t{1024}, "tokenizer = \"bpe\": tokens, the 256 bytes included",
            256, 65536),
        key("eval_tokens", KeyType::kInt, std::int64_t{200000},
            "language_model: validation characters scored (0: all of the validation text)", 0, 1e10),
        key("pairs", KeyType::kInt, std::int64_t{50000}, "translate: training sentence pairs", 1, 1e9),
        key("categories", KeyType::kStringList,
            std::vector<std::string>{"computers", "politics", "science", "work", "men-women", "art"},
            "text_classify: the fortune files whose fortunes are the classes (cut to the smallest: balanced)"),
        key("pretrain_steps", KeyType::kInt, std::int64_t{2000},
            "text_classify: masked-token pretraining steps before fine-tuning (0: none)", 0, 1e9),
        key("finetune_lr", KeyType::kFloat, 2e-4,
            "text_classify: the peak learning rate of fine-tuning ([optimizer] lr is pretraining's; both follow "
            "[optimizer] schedule)", 0.0, 10.0),
        key("max_length", KeyType::kInt, std::int64_t{14},
            "translate: source words of the longest training (and validation and test) sentence", 4, 1000),
        key("long_length", KeyType::kInt, std::int64_t{24},
            "translate: source words of the longest sentence of the long test set (its shortest: max_length + 1)", 5, 1000),
        key("beam", KeyType::kInt, std::int64_t{4}, "translate: beam width of beam search", 1, 256),
        key("length_penalty", KeyType::kFloat, 0.6,
            "translate: beam search ranks finished translations by log-probability / ((5 + length) / 6)^this "
            "(Wu et al., 2016; 0: plain log-probability)", 0.0, 10.0),
        key("iw_samples", KeyType::kInt, std::int64_t{100},
            "vae: samples per test image of the importance-weighted -log p(x) estimate in eval.json", 1, 100000),
        key("judge", KeyType::kString, std::string(""),
            "gan: a classify run (its folder, best checkpoint used, or a checkpoint file) that labels the generated "
            "images each epoch: mean confidence and class histogram in metrics.csv and eval.json (\"\": none)"),
        key("judge_samples", KeyType::kInt, std::int64_t{10000}, "gan: generated images the judge labels", 10, 1000000),
        key("early_stop", KeyType::kInt, std::int64_t{0},
            "stop after this many epochs without a better validation accuracy (0: off); the best epoch's "
            "network is the one tested", 0, 1e6)}},
      {"net", {}},  // its keys follow its type, as [agent.net]'s
  };
}

// What a problem's location reads as.
struct Where {
  std::string text;  // "file:3:7" or "override 'a=b'"
};

class Validator {
 public:
  Validator(std::string source, std::map<std::string, std::string> override_of)
      : source_(std::move(source)), override_of_(std::move(override_of)) {}

  std::vector<std::string> problems;
  std::map<std::string, Config::Entry> entries;

  std::string where(const toml::node& n, const std::string& path) const {
    if (auto it = override_of_.find(path); it != override_of_.end()) return "override '" + it->second + "'";
    const auto& b = n.source().begin;
    return source_ + ":" + std::to_string(b.line) + ":" + std::to_string(b.column);
  }
  std::string where_table(const toml::table* t, const std::string& path) const {
    if (t && t->source().begin.line > 0) return where(*t, path);
    return source_ + ":1:1";
  }
  void error(const std::string& at, const std::string& what, const std::string& hint) {
    problems.push_back(at + ": error: " + what + (hint.empty() ? "" : "\n  hint: " + hint));
  }

  // Checks the keys of `table` (may be null) at `path` against `specs`;
  // `subtables` names the nested tables that are checked elsewhere.
  void check_table(const toml::table* table, const std::string& path, const std::vector<KeySpec>& specs,
                   const std::set<std::string>& subtables = {}) {
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back(s.name);
    if (table) {
      for (auto&& [k, node] : *table) {
        const std::string name(k.str());
        const std::string full = path + "." + name;
        if (subtables.count(name)) {
          if (!node.is_table()) error(where(node, full), "'" + full + "' must be a table [" + full + "]", "");
          continue;
        }
        const KeySpec* spec = nullptr;
        for (const auto& s : specs)
          if (s.name == name) spec = &s;
        if (!spec) {
          const auto& kb = k.source().begin;
          const std::string key_at = override_of_.count(full) ? "override '" + override_of_.at(full) + "'"
                                                               : source_ + ":" + std::to_string(kb.line) + ":" + std::to_string(kb.column);
          std::string known;
          for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
          for (const auto& n : subtables) known += (known.empty() ? "[" : ", [") + path + "." + n + "]";
          error(key_at, "unknown key '" + name + "' in [" + path + "]." + did_you_mean(name, names),
                known.empty() ? "[" + path + "] takes no keys" : "[" + path + "] takes: " + known);
          continue;
        }
        check_value(node, full, *spec);
      }
    }
    for (const auto& s : specs) {
      const std::string full = path + "." + s.name;
      if (table && table->contains(s.name)) continue;
      if (s.default_value) {
        entries[full] = {*s.default_value, "default"};
      } else {
        error(where_table(table, path), "missing required key '" + s.name + "' in [" + path + "]",
              "add `" + s.name + " = ...` to [" + path + "]: " + s.help);
      }
    }
  }

 private:
  void check_value(const toml::node& node, const std::string& full, const KeySpec& spec) {
    const std::string at = where(node, full);
    auto type_error = [&] {
      error(at, "'" + full + "' must be " + key_type_name(spec.type) + ", got " + describe(node), spec.help);
    };
    auto range_ok = [&](double x) {
      return spec.min_exclusive ? (x > spec.min && x <= spec.max) : (x >= spec.min && x <= spec.max);
    };
    auto range_text = [&] {
      auto num = [](double x) {
        if (std::isinf(x)) return std::string(x > 0 ? "inf" : "-inf");
        if (x == std::floor(x) && std::abs(x) < 1e15) return std::to_string(static_cast<std::int64_t>(x));
        std::ostringstream os;
        os << x;
        return os.str();
      };
      return (spec.min_exclusive ? "(" : "[") + num(spec.min) + ", " + num(spec.max) + "]";
    };
    ConfigValue value;
    switch (spec.type) {
      case KeyType::kBool:
        if (!node.is_boolean()) return type_error();
        value = node.as_boolean()->get();
        break;
      case KeyType::kInt:
        if (!node.is_integer()) return type_error();
        value = node.as_integer()->get();
        if (!range_ok(static_cast<double>(std::get<std::int64_t>(value))))
          return error(at, "'" + full + "' = " + config_value_toml(value) + " is outside " + range_text(), spec.help);
        break;
      case KeyType::kFloat: {
        double x;
        if (node.is_floating_point()) x = node.as_floating_point()->get();
        else if (node.is_integer()) x = static_cast<double>(node.as_integer()->get());
        else return type_error();
        value = x;
        if (!std::isfinite(x) || !range_ok(x))
          return error(at, "'" + full + "' = " + config_value_toml(value) + " is outside " + range_text(), spec.help);
        break;
      }
      case KeyType::kString: {
        if (!node.is_string()) return type_error();
        const std::string s = node.as_string()->get();
        value = s;
        std::vector<std::string> allowed = spec.choices;
        std::string kind = spec.names_of;
        if (kind == "env") allowed = EnvRegistry::global().ids();
        else if (!kind.empty()) allowed = Catalog::global().names(kind);
        if (!allowed.empty() || !kind.empty()) {
          if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            const std::string what = kind.empty() ? "value" : (kind == "env" ? "environment id" : kind);
            return error(at, "unknown " + what + " '" + s + "' for '" + full + "'." + did_you_mean(s, allowed),
                         kind.empty() ? "one of: " + list
                                      : (kind == "env" ? "`pavlov list envs` shows every id"
                                                       : "one of: " + list + " (`pavlov list " + kind + "s`)"));
          }
        }
        break;
      }
      case KeyType::kStringList: {
        const toml::array* arr = node.as_array();
        if (!arr) return type_error();
        std::vector<std::string> v;
        for (const auto& el : *arr) {
          if (!el.is_string()) return type_error();
          v.push_back(el.as_string()->get());
        }
        value = v;
        break;
      }
      case KeyType::kIntList: {
        const toml::array* arr = node.as_array();
        if (!arr) return type_error();
        std::vector<std::int64_t> v;
        for (const auto& el : *arr) {
          if (!el.is_integer()) return type_error();
          const std::int64_t x = el.as_integer()->get();
          if (!range_ok(static_cast<double>(x)))
            return error(at, "'" + full + "' has the element " + std::to_string(x) + ", outside " + range_text(), spec.help);
          v.push_back(x);
        }
        value = v;
        break;
      }
    }
    entries[full] = {value, at};
  }

  static std::string describe(const toml::node& n) {
    std::ostringstream os;
    if (n.is_string()) os << "the string \"" << n.as_string()->get() << "\"";
    else if (n.is_integer()) os << "the integer " << n.as_integer()->get();
    else if (n.is_floating_point()) os << "the number " << n.as_floating_point()->get();
    else if (n.is_boolean()) os << "the boolean " << (n.as_boolean()->get() ? "true" : "false");
    else if (n.is_array()) os << "an array";
    else if (n.is_table()) os << "a table";
    else os << "a date or time";
    return os.str();
  }

  std::string source_;
  std::map<std::string, std::string> override_of_;
};

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  return parts;
}

// Applies `key.path=value` overrides to `root`; problems go to `problems`.
std::map<std::string, std::string> apply_overrides(toml::table& root, const std::vector<std::string>& overrides,
                                                   std::vector<std::string>& problems) {
  std::map<std::string, std::string> origin;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    const std::string path = eq == std::string::npos ? "" : o.substr(0, eq);
    const auto parts = split_path(path);
    bool ok = eq != std::string::npos && !parts.empty() && parts.size() == static_cast<std::size_t>(std::count(path.begin(), path.end(), '.') + 1);
    for (const auto& p : parts) ok = ok && !p.empty();
    if (!ok) {
      problems.push_back("override '" + o + "': error: an override is key.path=value, e.g. agent.lr=1e-3 or env.num_envs=16");
      continue;
    }
    const std::string text = o.substr(eq + 1);
    // The value in TOML syntax; anything else (a bare word) is a string.
    toml::table doc;
    const toml::node* value = nullptr;
    try {
      doc = toml::parse("v = " + text);
      if (doc.size() == 1 && !doc.get("v")->is_table()) value = doc.get("v");
    } catch (const toml::parse_error&) {
    }
    toml::table* t = &root;
    bool placed = true;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      toml::node* n = t->get(parts[i]);
      if (!n) {
        t->insert(parts[i], toml::table{});
        n = t->get(parts[i]);
      }
      if (!n->is_table()) {
        problems.push_back("override '" + o + "': error: '" + parts[i] + "' is not a table, so '" + path + "' cannot be set");
        placed = false;
        break;
      }
      t = n->as_table();
    }
    if (!placed) continue;
    if (value) value->visit([&](const auto& n) { t->insert_or_assign(parts.back(), n); });
    else t->insert_or_assign(parts.back(), text);
    origin[path] = o;
  }
  return origin;
}

std::vector<KeySpec> env_option_keys(const std::string& id) {
  std::vector<KeySpec> keys;
  for (const OptionInfo& o : EnvRegistry::global().find(id).options) {
    KeySpec k;
    k.name = o.name;
    k.help = o.help;
    k.min = o.min;
    k.max = o.max;
    std::visit([&](const auto& v) { k.default_value = ConfigValue(v); }, o.default_value);
    k.type = o.type == OptionType::kBool ? KeyType::kBool
             : o.type == OptionType::kInt ? KeyType::kInt
             : o.type == OptionType::kFloat ? KeyType::kFloat
                                            : KeyType::kString;
    keys.push_back(std::move(k));
  }
  return keys;
}

}  // namespace

const std::vector<std::pair<std::string, std::vector<KeySpec>>>& engine_tables() {
  static const auto tables = make_engine_tables();
  return tables;
}

Config parse_experiment(std::string_view text, const std::string& source, const std::vector<std::string>& overrides) {
  std::vector<std::string> problems;
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError({source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                       ": error: this is not valid TOML: " + std::string(e.description()) +
                       "\n  hint: see docs/experiments.md for the shape of an experiment file"});
  }
  if (root.empty() && overrides.empty())
    throw ConfigError({source + ":1:1: error: the experiment file is empty\n  hint: it needs at least [experiment] name, "
                                "[env] id, [agent] algo and [train] total_steps (docs/experiments.md)"});
  auto origin = apply_overrides(root, overrides, problems);
  Validator v(source, origin);
  v.problems = problems;

  std::vector<std::string> tables;
  std::set<std::string> not_tables;  // known names given as values: reported once, not checked further
  for (const auto& [name, keys] : engine_tables()) tables.push_back(name);
  for (auto&& [k, node] : root) {
    const std::string name(k.str());
    if (std::find(tables.begin(), tables.end(), name) == tables.end()) {
      std::string list;
      for (const auto& t : tables) list += (list.empty() ? "[" : ", [") + t + "]";
      const auto& kb = k.source().begin;
      v.error(origin.count(name) ? "override '" + origin.at(name) + "'"
                                 : source + ":" + std::to_string(kb.line) + ":" + std::to_string(kb.column), "unknown table or key '" + name + "' at the top level." + did_you_mean(name, tables),
              "an experiment file has the tables " + list);
    } else if (!node.is_table()) {
      const auto& kb = k.source().begin;
      v.error(source + ":" + std::to_string(kb.line) + ":" + std::to_string(kb.column),
              "'" + name + "' must be a table [" + name + "], got a value",
              "write its keys under a [" + name + "] header");
      not_tables.insert(name);
    }
  }
  auto check = [&](const toml::table* t, const std::string& path, const std::vector<KeySpec>& specs,
                   const std::set<std::string>& subtables = {}) {
    if (!not_tables.count(path.substr(0, path.find('.')))) v.check_table(t, path, specs, subtables);
  };
  auto table = [&](const std::string& path) -> const toml::table* {
    const toml::node* n = root.at_path(path).node();
    return n ? n->as_table() : nullptr;
  };
  // The string at `key` of table `path` when it is one (checked later), else `fallback`.
  auto string_at = [&](const std::string& path, const char* key, std::string fallback) {
    if (const toml::table* t = table(path))
      if (const auto* n = t->get(key); n && n->is_string()) return n->as_string()->get();
    return fallback;
  };
  auto spec_of = [&](const std::string& name) -> std::vector<KeySpec> {
    for (const auto& [n, keys] : engine_tables())
      if (n == name) return keys;
    return {};
  };

  check(table("experiment"), "experiment", spec_of("experiment"));
  // [experiment] plugins load before [env] id is checked (their ids are valid there). Paths
  // become absolute, relative to the file, so a run's saved config.toml finds them from anywhere.
  if (auto it = v.entries.find("experiment.plugins"); it != v.entries.end()) {
    const std::filesystem::path base = std::filesystem::absolute(std::filesystem::path(source)).parent_path();
    for (std::string& p : std::get<std::vector<std::string>>(it->second.value)) {
      const std::filesystem::path given(p);
      p = (given.is_absolute() ? given : base / given).lexically_normal().string();
      try {
        load_plugin(p);
      } catch (const PluginError& e) {
        const std::string what = e.what();
        v.error(it->second.origin, "cannot load the plugin in 'experiment.plugins': " + what,
                what.find("no such file") == std::string::npos
                    ? ""
                    : "plugin paths are relative to the experiment file; build the plugin first (docs/custom_env.md)");
      }
    }
  }
  // A network table: its type picks the keys it accepts.
  auto check_net = [&](const std::string& path) {
    KeySpec type;
    type.name = "type";
    type.type = KeyType::kString;
    type.default_value = std::string("mlp");
    type.help = "the network (pavlov list nets)";
    type.names_of = "net";
    std::vector<KeySpec> net_keys = {type};
    if (const CatalogEntry* e = Catalog::global().find("net", string_at(path, "type", "mlp")))
      net_keys.insert(net_keys.end(), e->keys.begin(), e->keys.end());
    check(table(path), path, net_keys);
  };
  // [optimizer]: its name picks the keys it accepts; `defaults` may change some defaults (an agent's).
  auto check_optimizer = [&](const auto& defaults) {
    std::vector<KeySpec> opt_keys = defaults("optimizer", spec_of("optimizer"));
    const std::string opt_default = std::get<std::string>(*opt_keys.front().default_value);
    if (const CatalogEntry* e = Catalog::global().find("optimizer", string_at("optimizer", "name", opt_default)))
      opt_keys.insert(opt_keys.end(), e->keys.begin(), e->keys.end());
    check(table("optimizer"), "optimizer", defaults("optimizer", opt_keys));
  };
  auto position_of = [&](const std::string& name) {
    const auto& kb = root.find(name)->first.source().begin;
    return source + ":" + std::to_string(kb.line) + ":" + std::to_string(kb.column);
  };

  check(table("task"), "task", spec_of("task"));
  const std::string kind = v.entries.count("task.kind") ? std::get<std::string>(v.entries["task.kind"].value) : "rl";
  if (kind != "rl") {  // a supervised task of the zoo: [task], [net], [optimizer]
    for (const char* t : {"env", "agent", "replay", "train", "runtime", "render"})
      if (root.contains(t))
        v.error(position_of(t), "[" + std::string(t) + "] belongs to reinforcement learning, not to a task of kind \"" + kind + "\"",
                "a " + kind + " task takes its data from [task] dataset, its network from [net] and its length from [task] epochs");
    check_net("net");
    check_optimizer([](const std::string&, std::vector<KeySpec> specs) { return specs; });
  } else {
    if (root.contains("net"))
      v.error(position_of("net"), "[net] is the network of a supervised task ([task] kind = \"classify\")",
              "an agent's network is [agent.net]");
    check(table("env"), "env", spec_of("env"), {"options"});
    if (v.entries.count("env.id")) {
      check(table("env.options"), "env.options", env_option_keys(std::get<std::string>(v.entries["env.id"].value)));
    }
    // The agent may bring its own defaults for [optimizer] and [replay] keys.
    const CatalogEntry* algo = Catalog::global().find("agent", string_at("agent", "algo", ""));
    auto agent_defaults = [&](const std::string& table_name, std::vector<KeySpec> specs) {
      if (algo)
        for (KeySpec& k : specs)
          for (const auto& [path, value] : algo->defaults)
            if (path == table_name + "." + k.name) k.default_value = value;
      return specs;
    };
    check(table("replay"), "replay", agent_defaults("replay", spec_of("replay")));
    check(table("train"), "train", spec_of("train"));
    check(table("runtime"), "runtime", spec_of("runtime"));
    check(table("render"), "render", spec_of("render"));
    check_optimizer(agent_defaults);

    // [agent]: its algo picks the keys it accepts; [agent.net] is the network.
    std::vector<KeySpec> agent_keys = spec_of("agent");
    if (algo) agent_keys.insert(agent_keys.end(), algo->keys.begin(), algo->keys.end());
    check(table("agent"), "agent", agent_keys, {"net"});
    check_net("agent.net");
  }

  if (!v.problems.empty()) throw ConfigError(v.problems);
  Config cfg;
  cfg.entries_ = std::move(v.entries);
  cfg.source_ = source;
  return cfg;
}

Config load_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw ConfigError({path + ": error: this is a directory, not an experiment file\n  hint: give a .toml file, e.g. "
                              "experiments/cartpole_dqn.toml"});
  if (!fs::exists(path, ec))
    throw ConfigError({path + ": error: no such file\n  hint: the files under experiments/ are ready to run"});
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf()) || in.bad()) {
    if (fs::file_size(path, ec) == 0 && !ec) return parse_experiment("", path, overrides);
    throw ConfigError({path + ": error: the file cannot be read\n  hint: check its permissions"});
  }
  return parse_experiment(text.str(), path, overrides);
}

// --- Config -------------------------------------------------------------------

const Config::Entry& Config::entry(std::string_view path) const {
  auto it = entries_.find(std::string(path));
  if (it == entries_.end()) throw std::logic_error("config key '" + std::string(path) + "' is not in the schema");
  return it->second;
}

bool Config::get_bool(std::string_view p) const { return std::get<bool>(entry(p).value); }
std::int64_t Config::get_int(std::string_view p) const { return std::get<std::int64_t>(entry(p).value); }
double Config::get_float(std::string_view p) const {
  const auto& v = entry(p).value;
  return std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
}
const std::string& Config::get_string(std::string_view p) const { return std::get<std::string>(entry(p).value); }
const std::vector<std::int64_t>& Config::get_int_list(std::string_view p) const {
  return std::get<std::vector<std::int64_t>>(entry(p).value);
}
const std::vector<std::string>& Config::get_string_list(std::string_view p) const {
  return std::get<std::vector<std::string>>(entry(p).value);
}

std::map<std::string, const Config::Entry*> Config::table(std::string_view table) const {
  std::map<std::string, const Entry*> out;
  const std::string prefix = std::string(table) + ".";
  for (const auto& [k, e] : entries_)
    if (k.rfind(prefix, 0) == 0 && k.find('.', prefix.size()) == std::string::npos) out[k.substr(prefix.size())] = &e;
  return out;
}

std::string Config::to_toml() const {
  // Group keys by table, in a fixed order, one [table] header each.
  std::map<std::string, std::vector<std::pair<std::string, const Entry*>>> by_table;
  for (const auto& [k, e] : entries_) {
    const auto dot = k.rfind('.');
    by_table[k.substr(0, dot)].emplace_back(k.substr(dot + 1), &e);
  }
  std::ostringstream os;
  os << "# The resolved configuration of this run: every key, defaults included.\n";
  const bool rl = get_string("task.kind") == "rl";
  for (const char* t : {"experiment", "task", "net", "env", "env.options", "agent", "agent.net", "optimizer", "replay",
                        "train", "runtime", "render"}) {
    auto it = by_table.find(t);
    if (it == by_table.end() || (rl && std::string(t) == "task")) continue;  // an agent's run: [task] is all defaults
    os << "\n[" << t << "]\n";
    for (const auto& [k, e] : it->second) os << k << " = " << config_value_toml(e->value) << "\n";
  }
  return os.str();
}

}  // namespace pavlov
