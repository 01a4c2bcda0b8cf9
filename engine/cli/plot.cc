// `pavlov plot RUN_DIR...`: learning curves of runs as a PNG. Runs of the
// same experiment (experiment.name in their config.toml) become one curve:
// the mean over runs at each evaluation step, with a band of one standard
// deviation; each experiment has its colour.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "engine/cli/commands.h"
#include "engine/render/image_io.h"
#include "engine/render/plot.h"
#include "engine/render/raster.h"

namespace pavlov::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPlotHelp = R"(usage: pavlov plot RUN_DIR... [--out FILE] [--metric NAME] [--title TEXT]

Draws learning curves as a PNG (default curves.png): the metric (default
eval_return, the greedy evaluations; return_mean for the training episodes'
returns) against env steps. A folder that is not a run is searched for runs
below it. Runs of one experiment (experiment.name) are averaged into one curve
with a band of +- one standard deviation; one colour per experiment.
)";

bool is_run(const fs::path& dir) { return fs::exists(dir / "metrics.csv") && fs::exists(dir / "config.toml"); }

void find_runs(const fs::path& dir, int depth, std::vector<fs::path>& out) {
  if (is_run(dir)) {
    out.push_back(dir);
    return;
  }
  if (depth == 0 || !fs::is_directory(dir)) return;
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) children.push_back(e.path());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) find_runs(c, depth - 1, out);
}

// experiment.name from a run's resolved config.toml.
std::string experiment_name(const fs::path& run) {
  std::ifstream in(run / "config.toml");
  std::string line;
  bool in_experiment = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') in_experiment = line == "[experiment]";
    if (in_experiment && line.rfind("name = \"", 0) == 0) return line.substr(8, line.size() - 9);
  }
  return run.filename().string();
}

// (step, value) pairs of one metrics.csv column, rows where it is set.
std::vector<std::pair<double, double>> read_column(const fs::path& run, const std::string& metric) {
  std::ifstream in(run / "metrics.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string h; std::getline(hs, h, ',');) header.push_back(h);
  const auto col = std::find(header.begin(), header.end(), metric) - header.begin();
  if (col == static_cast<long>(header.size())) return {};
  std::vector<std::pair<double, double>> out;
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::string cell, step;
    for (long i = 0; std::getline(ls, cell, ','); ++i) {
      if (i == 0) step = cell;
      if (i == col && !cell.empty() && cell != "nan") out.emplace_back(std::stod(step), std::stod(cell));
    }
  }
  return out;
}

}  // namespace

int plot_command(const std::vector<std::string>& args) {
  std::vector<std::string> targets;
  std::string out = "curves.png", metric = "eval_return", title;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool value = i + 1 < args.size();
    if (a == "-h" || a == "--help") {
      std::cout << kPlotHelp;
      return 0;
    }
    if (a == "--out" && value) out = args[++i];
    else if (a == "--metric" && value) metric = args[++i];
    else if (a == "--title" && value) title = args[++i];
    else if (!a.empty() && a[0] != '-') targets.push_back(a);
    else {
      std::cerr << "pavlov plot: unexpected argument '" << a << "'. Run `pavlov plot --help`.\n";
      return 2;
    }
  }
  if (targets.empty()) {
    std::cerr << "pavlov plot: expected one or more run folders. Run `pavlov plot --help`.\n";
    return 2;
  }
  if (!png_supported()) {
    std::cerr << "pavlov plot: this pavlov was built without SFML (PAVLOV_WITH_SFML=OFF), which PNG files need\n";
    return 2;
  }
  std::vector<fs::path> runs;
  for (const auto& t : targets) {
    const std::size_t before = runs.size();
    find_runs(t, 3, runs);
    if (runs.size() == before) {
      std::cerr << "pavlov plot: no run folder (with metrics.csv and config.toml) at or below " << t << "\n";
      return 2;
    }
  }
  // experiment -> step -> values over its runs, in the order experiments first appear.
  std::vector<std::string> order;
  std::map<std::string, std::map<double, std::vector<double>>> by_experiment;
  std::map<std::string, int> run_count;
  for (const auto& run : runs) {
    const auto points = read_column(run, metric);
    if (points.empty()) {
      std::cerr << "pavlov plot: " << run.string() << " has no '" << metric << "' values; left out\n";
      continue;
    }
    const std::string name = experiment_name(run);
    if (!by_experiment.count(name)) order.push_back(name);
    ++run_count[name];
    for (const auto& [step, v] : points) by_experiment[name][step].push_back(v);
  }
  if (order.empty()) {
    std::cerr << "pavlov plot: nothing to plot (try --metric return_mean for runs without evaluations)\n";
    return 2;
  }
  std::vector<PlotSeries> series;
  for (const auto& name : order) {
    PlotSeries s;
    const int n = run_count[name];
    s.label = name + " (" + std::to_string(n) + (n == 1 ? " run)" : " runs)");
    for (const auto& [step, values] : by_experiment[name]) {
      double mean = 0, sq = 0;
      for (double v : values) mean += v;
      mean /= values.size();
      for (double v : values) sq += (v - mean) * (v - mean);
      const double sd = std::sqrt(sq / values.size());
      s.x.push_back(step);
      s.y.push_back(mean);
      s.low.push_back(mean - sd);
      s.high.push_back(mean + sd);
    }
    series.push_back(std::move(s));
  }
  Canvas canvas;
  draw_plot(canvas, series, {.title = title, .y_label = metric + " (mean, band +-1 std)"});
  Raster raster;
  save_png(raster.render(canvas), out);
  std::cout << "wrote " << out << " (" << runs.size() << " runs, " << order.size() << " experiments)\n";
  return 0;
}

}  // namespace pavlov::cli
