// `pavlov explain RUN_DIR|CHECKPOINT`: saliency maps, drawn as a PNG of rows:
// the picture, the map as a heat map, the two laid over each other.
//   classify run  for chosen test images, which pixels moved the logit of the
//                 class the network picked (|d logit / d pixel|)
//   agent run     for chosen steps of a greedy episode, which parts of the
//                 observation moved the greedy action's value (Agent::saliency:
//                 DQN's |d max_a Q / d obs|), over the env's picture
#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "engine/cli/commands.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/render/image_io.h"
#include "engine/render/raster.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/player.h"
#include "engine/runtime/task.h"
#include "engine/runtime/trainer.h"

namespace pavlov::cli {
namespace {

// "3,7,12" -> {3, 7, 12}.
std::vector<std::int64_t> parse_list(const std::string& option, const std::string& text) {
  std::vector<std::int64_t> out;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    std::size_t used = 0;
    const long long v = item.empty() ? -1 : std::stoll(item, &used);
    if (item.empty() || used != item.size() || v < 0) throw std::invalid_argument(option + ": '" + item + "' is not an index");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument(option + " names nothing");
  return out;
}

// "test:3,7,12" -> {3, 7, 12}.
std::vector<std::int64_t> parse_inputs(const std::string& text) {
  if (text.rfind("test:", 0) != 0)
    throw std::invalid_argument("--input takes test:I,J,... (indices into the test set), got '" + text + "'");
  return parse_list("--input", text.substr(5));
}

// An agent run: plays one greedy episode from `seed` and explains the chosen
// steps (those the episode reaches).
std::vector<SaliencyPanel> explain_agent(const Config& cfg, const std::filesystem::path& checkpoint,
                                         const std::vector<std::int64_t>& steps, std::uint64_t seed) {
  Trainer trainer(cfg);
  trainer.load_checkpoint(checkpoint);
  Agent& agent = trainer.agent();
  Player player(trainer.make_env(), cfg.get_string("env.id"));
  player.reset(seed);
  agent.start_greedy_episode();
  std::vector<SaliencyPanel> panels;
  const std::int64_t last = *std::max_element(steps.begin(), steps.end());
  for (std::int64_t t = 0; t <= last && !player.over(); ++t) {
    if (std::find(steps.begin(), steps.end(), t) != steps.end()) {
      const SaliencyMap map = agent.saliency(player.observation());
      if (map.cols == 0)
        throw std::invalid_argument("a " + cfg.get_string("agent.algo") + " agent has no saliency maps (dqn has)");
      Canvas canvas;
      if (!player.env().render(canvas)) throw std::invalid_argument(player.env().id() + " cannot draw itself");
      const Image frame = Raster().render(canvas);
      const ActionInsight why = agent.insight(player.observation());
      std::ostringstream caption;
      caption << "step " << t;
      if (!why.values.empty()) {
        const auto best = std::max_element(why.values.begin(), why.values.end());
        caption << ": action " << best - why.values.begin() << ", " << why.kind << " " << *best;
      }
      panels.push_back({frame.width, frame.height, frame.rgb, map.cols, map.rows, map.values, caption.str()});
    }
    player.step(agent);
  }
  if (panels.empty()) throw std::invalid_argument("the episode ended before the first step asked for");
  return panels;
}

}  // namespace

int explain_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << "usage: pavlov explain RUN_DIR|CHECKPOINT [--input test:I,J,...] [--steps T,U,...] [--seed S]\n"
                 "                      [--out FILE.png] [--best]\n\n"
                 "Saliency maps as a PNG of rows: the picture, the map, the two overlaid. Written to FILE\n"
                 "(default RUN_DIR/explain.png); --best explains checkpoints/best.ckpt instead of the latest.\n"
                 "  a classify run: for each chosen test image (default test:0,1,2,3,4,5), how strongly each\n"
                 "    pixel moves the logit of the class the network picks (the gradient's magnitude);\n"
                 "  a DQN run: the agent plays one greedy episode (seed S); at each chosen step (default\n"
                 "    0,10,20,30) how strongly each part of the observation moves the greedy action's Q.\n";
    return args.empty() ? 2 : 0;
  }
  std::string target, out;
  std::vector<std::int64_t> inputs = {0, 1, 2, 3, 4, 5}, steps = {0, 10, 20, 30};
  std::optional<std::uint64_t> seed;
  bool best = false;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const bool has = i + 1 < args.size();
      if (args[i] == "--input" && has) inputs = parse_inputs(args[++i]);
      else if (args[i] == "--steps" && has) steps = parse_list("--steps", args[++i]);
      else if (args[i] == "--seed" && has) seed = seed_option("--seed", args[++i]);
      else if (args[i] == "--out" && has) out = args[++i];
      else if (args[i] == "--best") best = true;
      else if (target.empty() && args[i].rfind("--", 0) != 0) target = args[i];
      else throw std::invalid_argument("unexpected argument '" + args[i] + "'");
    }
  } catch (const std::exception& e) {
    std::cerr << "pavlov explain: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (!png_supported()) {
    std::cerr << "pavlov explain: this build cannot write PNG files (it was built without SFML)\n";
    return 2;
  }
  const auto found = find_checkpoint("explain", target, best);
  if (!found) return 2;
  const Config cfg = load_experiment((found->dir / "config.toml").string());
  const std::string kind = cfg.get_string("task.kind");
  if (kind != "classify" && kind != "rl") {
    std::cerr << "pavlov explain: " << found->dir.string() << " is a " << kind
              << " run; saliency maps explain classify and agent runs\n";
    return 2;
  }
  try {
    std::vector<SaliencyPanel> panels;
    std::string title;
    if (kind == "rl") {
      const std::uint64_t s = seed ? *seed : derive_seed(static_cast<std::uint64_t>(cfg.get_int("experiment.seed")), 0xE7A1);
      panels = explain_agent(cfg, found->file, steps, s);
      title = cfg.get_string("experiment.name") + ": |d Q(greedy action) / d observation|";
    } else {
      panels = make_task(cfg)->explain(found->file, inputs);
      title = cfg.get_string("experiment.name") + ": |d logit(predicted class) / d pixel|";
    }
    Canvas canvas;
    draw_saliency(canvas, panels, title);
    const std::filesystem::path path = out.empty() ? found->dir / "explain.png" : std::filesystem::path(out);
    save_png(Raster().render(canvas), path);
    std::cout << "wrote " << path.string() << "\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "pavlov explain: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace pavlov::cli
