// Draws Box2D bodies on a render Canvas: every fixture of a body in its
// current pose (polygons and circles filled, edges and chains as lines), with
// an optional outline. Shared by the Box2D envs' render().
#pragma once

#include <box2d/box2d.h>

#include <optional>

#include "engine/render/canvas.h"

namespace pavlov::envs {

void draw_body(Canvas& canvas, const b2Body& body, Color fill, std::optional<Color> outline = std::nullopt);

}  // namespace pavlov::envs
