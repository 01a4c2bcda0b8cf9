// `pavlov explain RUN_DIR|CHECKPOINT`: saliency maps of a trained classifier
// ([task] kind = "classify"): for chosen test images, which pixels moved the
// logit of the class the network picked (|d logit / d pixel|), drawn as a PNG
// of rows: the image, the map as a heat map, the two laid over each other.
#include <iostream>
#include <sstream>
#include <string>

#include "engine/cli/commands.h"
#include "engine/config/experiment.h"
#include "engine/render/image_io.h"
#include "engine/render/raster.h"
#include "engine/runtime/task.h"

namespace pavlov::cli {
namespace {

// "test:3,7,12" -> {3, 7, 12}.
std::vector<std::int64_t> parse_inputs(const std::string& text) {
  if (text.rfind("test:", 0) != 0)
    throw std::invalid_argument("--input takes test:I,J,... (indices into the test set), got '" + text + "'");
  std::vector<std::int64_t> out;
  std::stringstream list(text.substr(5));
  for (std::string item; std::getline(list, item, ',');) {
    std::size_t used = 0;
    const long long v = item.empty() ? -1 : std::stoll(item, &used);
    if (item.empty() || used != item.size()) throw std::invalid_argument("--input: '" + item + "' is not an index");
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--input names no test image");
  return out;
}

}  // namespace

int explain_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << "usage: pavlov explain RUN_DIR|CHECKPOINT [--input test:I,J,...] [--out FILE.png] [--best]\n\n"
                 "A classify run: for each chosen test image (default test:0,1,2,3,4,5), the saliency map of\n"
                 "the class the network picks (how strongly each pixel moves that class's logit, the gradient's\n"
                 "magnitude) as a PNG: the image, the map, the two overlaid. Written to FILE (default\n"
                 "RUN_DIR/explain.png); --best explains checkpoints/best.ckpt instead of the latest.\n";
    return args.empty() ? 2 : 0;
  }
  std::string target, out;
  std::vector<std::int64_t> inputs = {0, 1, 2, 3, 4, 5};
  bool best = false;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const bool has = i + 1 < args.size();
      if (args[i] == "--input" && has) inputs = parse_inputs(args[++i]);
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
  if (kind != "classify") {
    std::cerr << "pavlov explain: " << found->dir.string() << " is a " << kind
              << " run; saliency maps explain classify runs\n";
    return 2;
  }
  try {
    const auto task = make_task(cfg);
    const auto panels = task->explain(found->file, inputs);
    Canvas canvas;
    draw_saliency(canvas, panels, cfg.get_string("experiment.name") + ": |d logit(predicted class) / d pixel|");
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
