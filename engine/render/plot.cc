#include "engine/render/plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace pavlov {
namespace {

// Distinguishable colours (Tableau's ten, a common choice for line plots).
constexpr Color kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},   {148, 103, 189},
                              {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
constexpr Color kAxis{60, 60, 60}, kGrid{225, 225, 225};

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target_count) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target_count);
  const int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double scale = std::pow(10.0, std::abs(exponent));
  // A tick is k * m * 10^exponent; dividing by 10^-exponent (not multiplying by
  // 10^exponent) keeps decimal ticks like 0.6 exact.
  const auto value = [&](double units) { return exponent < 0 ? units / scale : units * scale; };
  double m = 10;
  for (double candidate : {1.0, 2.0, 5.0})
    if (value(candidate) >= raw) {
      m = candidate;
      break;
    }
  std::vector<double> ticks;
  for (double k = std::ceil(lo / value(m)); value(k * m) <= hi + value(m) * 1e-9; ++k) ticks.push_back(k == 0 ? 0.0 : value(k * m));
  return ticks;
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void draw_plot(Canvas& c, const std::vector<PlotSeries>& series, const PlotOptions& o) {
  c.begin(o.width, o.height, colors::kWhite);
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min({y0, s.low[i], s.y[i]});
      y1 = std::max({y1, s.high[i], s.y[i]});
    }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  x0 = std::min(x0, 0.0);
  if (y1 - y0 < 1e-9) y0 -= 1, y1 += 1;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad, y1 += pad;
  const auto xticks = nice_ticks(x0, x1, 6), yticks = nice_ticks(y0, y1, 6);
  x1 = std::max(x1, xticks.back());

  // The plot area in frame pixels.
  const float left = 70, right = o.width - 20.f, top = 40, bottom = o.height - 50.f;
  const auto px = [&](double x) { return static_cast<float>(left + (x - x0) / (x1 - x0) * (right - left)); };
  const auto py = [&](double y) { return static_cast<float>(bottom - (y - y0) / (y1 - y0) * (bottom - top)); };
  const float gw = Canvas::kGlyphWidth, gh = Canvas::kGlyphHeight;

  for (double t : xticks) {
    c.line_px({px(t), top}, {px(t), bottom}, 1, kGrid);
    const std::string s = tick_label(t);
    c.text_px(px(t) - s.size() * gw / 2, bottom + 6, s, kAxis);
  }
  for (double t : yticks) {
    if (t < y0 || t > y1) continue;
    c.line_px({left, py(t)}, {right, py(t)}, 1, kGrid);
    const std::string s = tick_label(t);
    c.text_px(left - 6 - s.size() * gw, py(t) - gh / 2, s, kAxis);
  }
  c.line_px({left, bottom}, {right, bottom}, 1.5f, kAxis);
  c.line_px({left, top}, {left, bottom}, 1.5f, kAxis);
  c.text_px((left + right) / 2 - o.x_label.size() * gw / 2, bottom + 26, o.x_label, kAxis);
  c.text_px(8, top - 24, o.y_label, kAxis);
  if (!o.title.empty()) c.text_px((left + right) / 2 - o.title.size() * gw / 2, 10, o.title, colors::kBlack);

  std::vector<Point> band, line;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const PlotSeries& s = series[k];
    const Color color = kPalette[k % std::size(kPalette)];
    band.clear();
    line.clear();
    for (std::size_t i = 0; i < s.x.size(); ++i) band.push_back({px(s.x[i]), py(s.high[i])});
    for (std::size_t i = s.x.size(); i-- > 0;) band.push_back({px(s.x[i]), py(s.low[i])});
    // The band as one quad per segment: a band can cross itself, which one
    // even-odd polygon would leave unfilled.
    const std::size_t n = s.x.size();
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const Point q[4] = {band[i], band[i + 1], band[2 * n - 2 - i], band[2 * n - 1 - i]};
      c.polygon_px(q, {color.r, color.g, color.b, 50});
    }
    for (std::size_t i = 0; i + 1 < n; ++i) c.line_px({px(s.x[i]), py(s.y[i])}, {px(s.x[i + 1]), py(s.y[i + 1])}, 2, color);
    if (n == 1) c.rect_px(px(s.x[0]) - 3, py(s.y[0]) - 3, 6, 6, color);
  }

  // The legend, bottom right inside the plot area (learning curves rise, so it is mostly empty there).
  std::size_t widest = 0;
  for (const auto& s : series) widest = std::max(widest, s.label.size());
  if (!series.empty()) {
    const float w = 34 + widest * gw, h = series.size() * (gh + 4) + 8;
    const float lx = right - w - 10, ly = bottom - h - 10;
    c.rect_px(lx, ly, w, h, {255, 255, 255, 220});
    for (std::size_t k = 0; k < series.size(); ++k) {
      const float y = ly + 4 + k * (gh + 4);
      c.rect_px(lx + 6, y + gh / 2 - 2, 18, 4, kPalette[k % std::size(kPalette)]);
      c.text_px(lx + 30, y, series[k].label, colors::kBlack);
    }
  }
}

void draw_confusion(Canvas& c, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::int64_t>>& counts, const std::string& title) {
  const int n = static_cast<int>(names.size());
  constexpr int kCell = 44, kTop = 64;
  std::size_t longest = 0;
  for (const auto& name : names) longest = std::max(longest, name.size());
  const int left = 16 + 8 * static_cast<int>(longest + 3);  // "9 " + the name
  c.begin(left + n * kCell + 16, kTop + n * kCell + 40, {255, 255, 255});
  c.text_px(16, 12, title, {0, 0, 0});
  c.text_px(left, 36, "predicted ->   (row: a true class, % of its images)", {90, 90, 90});
  for (int r = 0; r < n; ++r) {
    std::int64_t total = 0;
    for (int k = 0; k < n; ++k) total += counts[static_cast<std::size_t>(r)][static_cast<std::size_t>(k)];
    c.text_px(8, static_cast<float>(kTop + r * kCell + kCell / 2 - 7),
              std::to_string(r) + " " + names[static_cast<std::size_t>(r)], {0, 0, 0});
    for (int k = 0; k < n; ++k) {
      const double share = total ? static_cast<double>(counts[static_cast<std::size_t>(r)][static_cast<std::size_t>(k)]) / total : 0.0;
      const auto shade = static_cast<std::uint8_t>(255 - std::lround(215 * std::sqrt(share)));
      const Color fill = r == k ? Color{shade, 255, shade} : Color{255, shade, shade};  // green diagonal, red errors
      const float x = static_cast<float>(left + k * kCell), y = static_cast<float>(kTop + r * kCell);
      c.rect_px(x + 1, y + 1, kCell - 2, kCell - 2, fill);
      const int pct = static_cast<int>(std::lround(100 * share));
      if (pct > 0) {
        const std::string t = std::to_string(pct);
        c.text_px(x + kCell / 2.0f - 4.0f * static_cast<float>(t.size()), y + kCell / 2.0f - 7, t, {0, 0, 0});
      }
    }
  }
  for (int k = 0; k < n; ++k)  // column numbers under the grid: the classes in the same order as the rows
    c.text_px(static_cast<float>(left + k * kCell + kCell / 2 - 4), static_cast<float>(kTop + n * kCell + 8),
              std::to_string(k), {90, 90, 90});
}

namespace {

// Heat colour of t in [0, 1]: transparent-ish dark blue through red to yellow.
std::array<std::uint8_t, 3> heat(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  const float r = std::min(1.0f, 2.0f * t), g = std::max(0.0f, 2.0f * t - 1.0f), b = std::max(0.0f, 0.6f - 1.2f * t);
  return {static_cast<std::uint8_t>(255 * r), static_cast<std::uint8_t>(255 * g), static_cast<std::uint8_t>(255 * b)};
}

}  // namespace

void draw_saliency(Canvas& c, const std::vector<SaliencyPanel>& panels, const std::string& title) {
  constexpr int kSide = 168, kGap = 12, kCaption = 22, kTop = 40;
  const int row_h = kCaption + kSide + kGap;
  c.begin(3 * kSide + 4 * kGap, kTop + static_cast<int>(panels.size()) * row_h, {255, 255, 255});
  c.text_px(kGap, 12, title, {0, 0, 0});
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const SaliencyPanel& s = panels[p];
    const float y = static_cast<float>(kTop + static_cast<int>(p) * row_h);
    c.text_px(kGap, y, s.caption, {0, 0, 0});
    const float top = y + kCaption;
    c.image_px(kGap, top, kSide, kSide, s.width, s.height, s.rgb);
    // The map, scaled to its own maximum, as a heat image of its grid.
    const float most = std::max(1e-12f, *std::max_element(s.saliency.begin(), s.saliency.end()));
    std::vector<std::uint8_t> map(static_cast<std::size_t>(s.cols) * s.rows * 3);
    for (std::size_t i = 0; i < s.saliency.size(); ++i) {
      const auto h = heat(s.saliency[i] / most);
      std::copy(h.begin(), h.end(), map.begin() + static_cast<std::ptrdiff_t>(3 * i));
    }
    c.image_px(2 * kGap + kSide, top, kSide, kSide, s.cols, s.rows, map);
    // The overlay: the picture resampled to the map's grid times 4, blended with the heat by its strength.
    const int oc = s.cols * 4, orows = s.rows * 4;
    std::vector<std::uint8_t> over(static_cast<std::size_t>(oc) * orows * 3);
    for (int yy = 0; yy < orows; ++yy)
      for (int xx = 0; xx < oc; ++xx) {
        const int px = xx * s.width / oc, py = yy * s.height / orows;
        const float t = s.saliency[static_cast<std::size_t>((yy / 4) * s.cols + xx / 4)] / most;
        const auto h = heat(t);
        const float a = 0.75f * t;
        for (int k = 0; k < 3; ++k) {
          const float base = 0.6f * s.rgb[static_cast<std::size_t>((py * s.width + px) * 3 + k)] + 0.4f * 255;
          over[static_cast<std::size_t>((yy * oc + xx) * 3 + k)] = static_cast<std::uint8_t>((1 - a) * base + a * h[static_cast<std::size_t>(k)]);
        }
      }
    c.image_px(3 * kGap + 2 * kSide, top, kSide, kSide, oc, orows, over);
  }
}

}  // namespace pavlov
