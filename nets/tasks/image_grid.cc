#include "nets/tasks/image_grid.h"

#include <algorithm>

namespace pavlov::nets {

Image image_grid(const torch::Tensor& images, std::int64_t columns, int side, int scale) {
  const torch::Tensor g = images.to(torch::kCPU).to(torch::kFloat32).contiguous();
  const std::int64_t n = g.size(0), rows = (n + columns - 1) / columns;
  const int cell = side * scale + 2;
  Image img(static_cast<int>(columns * cell + 2), static_cast<int>(rows * cell + 2));
  std::fill(img.rgb.begin(), img.rgb.end(), 255);
  const float* p = g.data_ptr<float>();
  for (std::int64_t k = 0; k < n; ++k)
    for (int y = 0; y < side * scale; ++y)
      for (int x = 0; x < side * scale; ++x) {
        const float v = p[k * side * side + (y / scale) * side + x / scale];
        const auto grey = static_cast<std::uint8_t>(255.0f * (1.0f - std::clamp(v, 0.0f, 1.0f)));  // ink on paper
        const int px = static_cast<int>((k % columns) * cell) + 2 + x, py = static_cast<int>((k / columns) * cell) + 2 + y;
        std::uint8_t* q = img.rgb.data() + (static_cast<std::size_t>(py) * img.width + px) * 3;
        q[0] = q[1] = q[2] = grey;
      }
  return img;
}

}  // namespace pavlov::nets
