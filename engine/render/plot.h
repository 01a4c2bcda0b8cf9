// pavlov's line plots, drawn on a Canvas: learning curves with a band, axes
// with round-number ticks, a legend. `pavlov plot` uses it; the raster turns
// the canvas into a PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/render/canvas.h"

namespace pavlov {

// One curve: y (mean) against x, and the band [low, high] around it (set
// low = high = y for none).
struct PlotSeries {
  std::string label;
  std::vector<double> x, y, low, high;
};

struct PlotOptions {
  std::string title, x_label = "env steps", y_label = "return";
  int width = 800, height = 500;
};

// Draws the series (one colour each, in order) into a new frame of `canvas`.
void draw_plot(Canvas& canvas, const std::vector<PlotSeries>& series, const PlotOptions& options);

// A confusion matrix as a heat map: counts[label][predicted], one row per true
// class (names down the left), each cell shaded by its share of its row and
// labelled with that share in percent, so the diagonal reads as per-class
// accuracy (or recall) and the rest as what each class is mistaken for.
void draw_confusion(Canvas& canvas, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::int64_t>>& counts, const std::string& title);

// One input explained: the picture (RGB, what a person sees: the image, or
// the env's frame), the saliency map over the network's input grid
// (`cols` x `rows`, row-major, >= 0, any scale) and a caption.
struct SaliencyPanel {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width x height x 3
  int cols = 0, rows = 0;
  std::vector<float> saliency;    // cols x rows
  std::string caption;
};

// One row per panel: the picture, the saliency map as a heat map (scaled to
// its own maximum), and the picture with the heat laid over it; the caption
// above each row.
void draw_saliency(Canvas& canvas, const std::vector<SaliencyPanel>& panels, const std::string& title);

// Round-number tick positions covering [lo, hi] (1, 2 or 5 times a power of ten apart).
std::vector<double> nice_ticks(double lo, double hi, int target_count);
// Compact tick text: 0, 2.5, 150, 20k, 1.5M.
std::string tick_label(double v);

}  // namespace pavlov
