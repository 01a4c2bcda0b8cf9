// `pavlov run`, `pavlov validate` and `pavlov resume`.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "engine/cli/commands.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/io/checkpoint.h"
#include "engine/render/episode_videos.h"
#include "engine/render/image_io.h"
#include "engine/render/plot.h"
#include "engine/render/live_view.h"
#include "engine/render/window.h"
#include "engine/runtime/run_dir.h"
#include "engine/runtime/task.h"
#include "engine/runtime/trainer.h"

namespace pavlov::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return true;
  return false;
}

void print_eval(const std::filesystem::path& dir) {
  std::cout << "run folder: " << dir.string() << "\n";
  std::cout << "evaluation (" << (dir / "eval.json").string() << "):\n";
  std::ifstream in(dir / "eval.json");
  std::cout << in.rdbuf();
}

// `--watch` anywhere among the arguments is `render.live=true`.
std::vector<std::string> with_watch_flag(std::vector<std::string> args, bool& watch) {
  watch = std::erase(args, std::string("--watch")) > 0;
  return args;
}

int train_in(Trainer& trainer, const Config& cfg, const std::filesystem::path& dir, bool resume, bool watch) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  TrainOptions options;
  options.resume = resume;
  options.stop = &g_stop;
  const std::string title = cfg.get_string("env.id") + "  " + cfg.get_string("agent.algo");
  const std::uint64_t view_seed = derive_seed(static_cast<std::uint64_t>(cfg.get_int("experiment.seed")), 0x11FE);
  std::unique_ptr<LiveView> live;
  if (watch || cfg.get_bool("render.live")) {
    try {
      live = std::make_unique<LiveView>(trainer.make_env(), title, view_seed);
      options.observers.push_back(live.get());
    } catch (const NoDisplay& e) {
      std::cerr << "pavlov: no live view: " << e.what() << "\n";
    }
  }
  std::unique_ptr<EpisodeVideos> videos;
  if (cfg.get_int("render.record_every") > 0) {
    videos = std::make_unique<EpisodeVideos>(trainer.make_env(), title, cfg.get_int("render.record_every"),
                                             cfg.get_string("render.record_format"), view_seed);
    options.observers.push_back(videos.get());
  }
  const bool finished = trainer.run(dir, options);
  if (live) std::cerr << "pavlov: the live view showed " << live->frames() << " frames\n";
  if (!finished) {
    std::cerr << "pavlov: interrupted; checkpoint written. Continue with: pavlov resume " << dir.string() << "\n";
    return 130;
  }
  print_eval(dir);
  return 0;
}

bool is_supervised(const Config& cfg) { return cfg.get_string("task.kind") != "rl"; }

// confusion.csv (rows: true classes, columns: predictions; a classifying
// task's) drawn as confusion.png, where PNGs can be written.
void write_confusion_png(const std::filesystem::path& dir, const std::string& title) {
  std::ifstream in(dir / "confusion.csv");
  if (!png_supported() || !in) return;
  std::string line;
  std::getline(in, line);  // the header
  std::vector<std::string> names;
  std::vector<std::vector<std::int64_t>> counts;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    std::getline(row, cell, ',');
    names.push_back(cell);
    counts.emplace_back();
    while (std::getline(row, cell, ',')) counts.back().push_back(std::stoll(cell));
  }
  Canvas canvas;
  draw_confusion(canvas, names, counts, title);
  save_png(Raster().render(canvas), dir / "confusion.png");
}

// A supervised task of the zoo (nets/tasks/) in its run folder; Ctrl-C stops it.
int train_task_in(Task& task, const Config& cfg, const std::filesystem::path& dir, bool resume) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (!task.run(dir, resume, &g_stop)) {
    std::cerr << "pavlov: interrupted; continue from the last checkpoint with: pavlov resume "
              << dir.string() << "\n";
    return 130;
  }
  write_confusion_png(dir, cfg.get_string("experiment.name") + ": test set, " + cfg.get_string("task.kind"));
  print_eval(dir);
  return 0;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  if (args.empty() || wants_help(args)) {
    std::cout << "usage: pavlov run FILE [key.path=value ...] [--watch]\n\n"
                 "Trains the experiment FILE describes (docs/experiments.md), with any key overridden\n"
                 "on the command line, e.g. `pavlov run experiments/cartpole_dqn.toml experiment.seed=3`.\n"
                 "Writes <out_dir>/<name>-<UTC time>/: config.toml, metrics.csv, TensorBoard events,\n"
                 "checkpoints/ and eval.json. Ctrl-C writes a checkpoint; `pavlov resume` continues.\n"
                 "--watch (or [render] live = true) shows the current policy playing in a window while\n"
                 "it trains; closing the window does not stop training.\n";
    return args.empty() ? 2 : 0;
  }
  bool watch = false;
  const auto rest = with_watch_flag(args, watch);
  if (rest.empty()) {
    std::cerr << "pavlov run: expected an experiment FILE. Run `pavlov run --help`.\n";
    return 2;
  }
  const Config cfg = load_experiment(rest[0], {rest.begin() + 1, rest.end()});
  if (is_supervised(cfg)) {
    if (watch) std::cerr << "pavlov: --watch shows agents playing; a " << cfg.get_string("task.kind") << " task has none\n";
    const auto task = make_task(cfg);  // data and network first: their errors leave nothing on disk
    const auto dir = create_run_dir(cfg);
    std::cerr << "pavlov: training in " << dir.string() << " (networks on " << task->device() << ")\n";
    return train_task_in(*task, cfg, dir, false);
  }
  Trainer trainer(cfg);  // envs and agent first: their errors leave nothing on disk
  const auto dir = trainer.create_run_dir();
  std::cerr << "pavlov: training in " << dir.string() << " (networks on " << trainer.device() << ")\n";
  return train_in(trainer, cfg, dir, false, watch);
}

int validate_command(const std::vector<std::string>& args) {
  if (args.empty() || wants_help(args)) {
    std::cout << "usage: pavlov validate FILE [key.path=value ...]\n\n"
                 "Checks an experiment file and overrides without running anything, and prints the\n"
                 "resolved configuration (every key, defaults included).\n";
    return args.empty() ? 2 : 0;
  }
  const Config cfg = load_experiment(args[0], {args.begin() + 1, args.end()});
  std::cout << cfg.to_toml();
  std::cerr << args[0] << ": ok\n";
  return 0;
}

int resume_command(const std::vector<std::string>& args) {
  bool watch = false;
  const auto rest = with_watch_flag(args, watch);
  if (rest.size() != 1 || wants_help(args)) {
    std::cout << "usage: pavlov resume RUN_DIR [--watch]\n\n"
                 "Continues a run from its latest checkpoint (after Ctrl-C, kill -9 or a crash) with the\n"
                 "configuration it was started with (RUN_DIR/config.toml).\n";
    return wants_help(args) ? 0 : 2;
  }
  const std::filesystem::path dir = rest[0];
  if (!std::filesystem::exists(dir / "config.toml")) {
    std::cerr << "pavlov resume: " << dir.string() << " is not a run folder (it has no config.toml)\n";
    return 2;
  }
  const Config cfg = load_experiment((dir / "config.toml").string());
  const auto latest = io::latest_checkpoint(dir);
  if (is_supervised(cfg)) {
    const auto task = make_task(cfg);
    std::cerr << "pavlov: resuming " << dir.string() << " from "
              << (latest ? latest->filename().string() : std::string("the start (no checkpoint yet)")) << "\n";
    return train_task_in(*task, cfg, dir, true);
  }
  Trainer trainer(cfg);
  std::cerr << "pavlov: resuming " << dir.string() << " from "
            << (latest ? latest->filename().string() : std::string("the start (no checkpoint yet)")) << "\n";
  return train_in(trainer, cfg, dir, true, watch);
}

std::optional<CheckpointTarget> find_checkpoint(const std::string& command, const std::string& target, bool best) {
  std::filesystem::path path = target;
  if (std::filesystem::is_regular_file(path)) return CheckpointTarget{path.parent_path().parent_path(), path};
  if (!std::filesystem::is_directory(path)) {
    std::cerr << "pavlov " << command << ": " << target << " is neither a run folder nor a checkpoint file\n";
    return std::nullopt;
  }
  if (!std::filesystem::exists(path / "config.toml")) {  // a folder that holds one run (results/<file>/seed0): that run
    std::vector<std::filesystem::path> runs;
    for (const auto& e : std::filesystem::directory_iterator(path))
      if (e.is_directory() && std::filesystem::exists(e.path() / "config.toml")) runs.push_back(e.path());
    if (runs.size() != 1) {
      std::cerr << "pavlov " << command << ": " << target << " is not a run folder (no config.toml)"
                << (runs.empty() ? "" : " and holds " + std::to_string(runs.size()) + " runs; name one") << "\n";
      return std::nullopt;
    }
    path = runs.front();
  }
  const auto file = best ? std::optional(path / "checkpoints" / "best.ckpt") : io::latest_checkpoint(path);
  if (!file || !std::filesystem::exists(*file)) {
    std::cerr << "pavlov " << command << ": " << path.string() << " has no " << (best ? "best " : "") << "checkpoint\n";
    return std::nullopt;
  }
  return CheckpointTarget{path, *file};
}

int eval_command(const std::vector<std::string>& args) {
  std::vector<std::string> rest;
  int episodes = -1;
  bool best = false;
  std::optional<std::uint64_t> seed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      std::cout << "usage: pavlov eval RUN_DIR|CHECKPOINT [--episodes N] [--best] [--seed S]\n\n"
                   "Evaluates the greedy policy of a run's latest checkpoint (with --best, of the best\n"
                   "periodic evaluation, checkpoints/best.ckpt), or of a checkpoint file, and prints mean,\n"
                   "std, min and max return. The episodes are those of the run's own evaluations unless\n"
                   "--seed draws others (e.g. to check a best checkpoint on episodes it was not chosen on).\n";
      return 0;
    }
    if (args[i] == "--episodes" && i + 1 < args.size()) episodes = static_cast<int>(int_option("--episodes", args[++i]));
    else if (args[i] == "--seed" && i + 1 < args.size()) seed = seed_option("--seed", args[++i]);
    else if (args[i] == "--best") best = true;
    else rest.push_back(args[i]);
  }
  if (rest.size() != 1) {
    std::cerr << "pavlov eval: expected RUN_DIR or CHECKPOINT. Run `pavlov eval --help`.\n";
    return 2;
  }
  const auto found = find_checkpoint("eval", rest[0], best);
  if (!found) return 2;
  const auto& [dir, file] = *found;
  const Config cfg = load_experiment((dir / "config.toml").string());
  Trainer trainer(cfg);
  trainer.load_checkpoint(file);
  if (episodes < 0) episodes = static_cast<int>(cfg.get_int("train.eval_episodes"));
  // The run's own evaluations draw their episodes from this seed (Trainer's eval_seed).
  const std::uint64_t run_eval_seed = derive_seed(static_cast<std::uint64_t>(cfg.get_int("experiment.seed")), 0xE7A1);
  const EvalResult r = trainer.evaluate(episodes, seed ? derive_seed(*seed, 0xE7A1) : run_eval_seed);
  std::cout << "checkpoint " << file.string() << "\nepisodes " << r.episodes << "  mean " << r.mean << "  std " << r.std
            << "  min " << r.min << "  max " << r.max << "\n";
  return 0;
}

}  // namespace pavlov::cli
