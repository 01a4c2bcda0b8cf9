#include "engine/render/hud.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pavlov {
namespace {

constexpr Color kPanel{20, 20, 30, 170}, kText{255, 255, 255}, kBar{90, 160, 230}, kChosen{250, 200, 60};
constexpr float kLine = Canvas::kGlyphHeight + 2;

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string action_text(std::span<const float> continuous) {
  std::string s = "[";
  for (std::size_t i = 0; i < continuous.size(); ++i) s += (i ? ", " : "") + fixed(continuous[i], 2);
  return s + "]";
}

void draw_hud(Canvas& c, const HudInfo& info) {
  // The left panel: title, episode, step, return, action, status.
  std::vector<std::string> lines;
  if (!info.title.empty()) lines.push_back(info.title);
  lines.push_back("episode " + std::to_string(info.episode) + (info.episodes > 0 ? "/" + std::to_string(info.episodes) : ""));
  lines.push_back("step    " + std::to_string(info.step));
  lines.push_back("return  " + fixed(info.episode_return, 1));
  if (!info.action.empty()) lines.push_back("action  " + info.action);
  if (!info.status.empty()) lines.push_back(info.status);
  std::size_t widest = 0;
  for (const auto& l : lines) widest = std::max(widest, l.size());
  c.rect_px(4, 4, static_cast<float>(widest * Canvas::kGlyphWidth + 8), lines.size() * kLine + 6, kPanel);
  for (std::size_t i = 0; i < lines.size(); ++i) c.text_px(8, 7 + i * kLine, lines[i], kText);

  // The right panel: one bar per value, labelled, the chosen action highlighted.
  if (info.insight.empty()) return;
  const std::size_t n = std::min<std::size_t>(info.insight.size(), 12);
  const float bar_w = 90, label_w = 3 * Canvas::kGlyphWidth, value_w = 7 * Canvas::kGlyphWidth;
  const float panel_w = label_w + bar_w + value_w + 16, x0 = c.width() - panel_w - 4;
  c.rect_px(x0, 4, panel_w, (n + 1) * kLine + 6, kPanel);
  c.text_px(x0 + 4, 7, info.insight_kind == "Q" ? "Q-values" : info.insight_kind == "p" ? "policy" : "mean action", kText);
  float lo = *std::min_element(info.insight.begin(), info.insight.end());
  float hi = *std::max_element(info.insight.begin(), info.insight.end());
  if (info.insight_kind == "Q") lo -= 0.25f * (hi - lo);  // the lowest action keeps a visible bar
  if (info.insight_kind == "p") lo = 0, hi = 1;
  if (info.insight_kind == "mean") hi = std::max(std::abs(lo), std::abs(hi)), lo = -hi;
  const float span = hi - lo > 1e-6f ? hi - lo : 1.0f;
  for (std::size_t i = 0; i < n; ++i) {
    const float y = 7 + (i + 1) * kLine, v = info.insight[i];
    c.text_px(x0 + 4, y, std::to_string(i), kText);
    const float bx = x0 + 4 + label_w;
    c.rect_px(bx, y + 3, bar_w, kLine - 8, {255, 255, 255, 40});
    if (info.insight_kind == "mean") {  // from the centre, left for negative values
      const float mid = bx + bar_w / 2, len = (v / span) * bar_w;
      c.rect_px(std::min(mid, mid + len), y + 3, std::abs(len), kLine - 8, kBar);
    } else {
      c.rect_px(bx, y + 3, std::max(1.0f, (v - lo) / span * bar_w), kLine - 8,
                static_cast<std::int64_t>(i) == info.chosen ? kChosen : kBar);
    }
    c.text_px(bx + bar_w + 6, y, fixed(v, info.insight_kind == "p" ? 2 : std::abs(v) >= 100 ? 0 : 2), kText);
  }
}

}  // namespace pavlov
