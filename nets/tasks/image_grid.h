// A picture of many small grey images (samples of the zoo's generative
// tasks): rows of `columns` cells, each image's pixels drawn as `scale` x
// `scale` squares, dark ink on white paper, a 2-pixel border around each cell.
#pragma once

#include <cstdint>
#include <torch/types.h>

#include "engine/render/image_io.h"

namespace pavlov::nets {

// images: [N, side * side] grey levels in [0, 1] (clamped), on any device.
Image image_grid(const torch::Tensor& images, std::int64_t columns, int side, int scale);

}  // namespace pavlov::nets
