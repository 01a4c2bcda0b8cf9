// Plot ticks and labels, and a golden plot of two synthetic experiments.
#include <doctest/doctest.h>

#include "engine/render/plot.h"
#include "engine/render/raster.h"
#include "golden.h"

TEST_CASE("plot: ticks are round numbers that cover the range") {
  CHECK(pavlov::nice_ticks(0, 100000, 5) == std::vector<double>{0, 20000, 40000, 60000, 80000, 100000});
  CHECK(pavlov::nice_ticks(-230, 260, 6) == std::vector<double>{-200, -100, 0, 100, 200});
  CHECK(pavlov::nice_ticks(0.1, 0.9, 4) == std::vector<double>{0.2, 0.4, 0.6, 0.8});
  CHECK(pavlov::tick_label(0) == "0");
  CHECK(pavlov::tick_label(2.5) == "2.5");
  CHECK(pavlov::tick_label(20000) == "20k");
  CHECK(pavlov::tick_label(1500000) == "1.5M");
  CHECK(pavlov::tick_label(-150) == "-150");
}

TEST_CASE("plot: golden learning curves") {
  pavlov::PlotSeries a{"fast", {0, 1000, 2000, 3000}, {10, 120, 400, 500}, {5, 80, 350, 500}, {15, 160, 450, 500}};
  pavlov::PlotSeries b{"slow", {0, 1500, 3000}, {10, 60, 300}, {10, 60, 300}, {10, 60, 300}};
  pavlov::Canvas canvas;
  pavlov::draw_plot(canvas, {a, b}, {.title = "test", .width = 400, .height = 250});
  pavlov::Raster raster;
  pavlov::test::check_golden(raster.render(canvas), "plot", 0.0, 0);
}
