#include "envs/box2d/draw_body.h"

namespace pavlov::envs {

void draw_body(Canvas& canvas, const b2Body& body, Color fill, std::optional<Color> outline) {
  const b2Transform& xf = body.GetTransform();
  const auto world = [&](const b2Vec2& local) {
    const b2Vec2 p = b2Mul(xf, local);
    return Point{p.x, p.y};
  };
  for (const b2Fixture* f = body.GetFixtureList(); f != nullptr; f = f->GetNext()) {
    const b2Shape* shape = f->GetShape();
    switch (shape->GetType()) {
      case b2Shape::e_polygon: {
        const auto* poly = static_cast<const b2PolygonShape*>(shape);
        Point pts[b2_maxPolygonVertices];
        for (int i = 0; i < poly->m_count; ++i) pts[i] = world(poly->m_vertices[i]);
        canvas.polygon(std::span<const Point>(pts, poly->m_count), fill);
        if (outline) {
          for (int i = 0; i < poly->m_count; ++i) canvas.line(pts[i], pts[(i + 1) % poly->m_count], 1.5f, *outline);
        }
        break;
      }
      case b2Shape::e_circle: {
        const auto* circle = static_cast<const b2CircleShape*>(shape);
        const Point c = world(circle->m_p);
        if (outline) canvas.circle(c, circle->m_radius, *outline);
        canvas.circle(c, outline ? circle->m_radius - 1.5f / canvas.scale() : circle->m_radius, fill);
        break;
      }
      case b2Shape::e_edge: {
        const auto* edge = static_cast<const b2EdgeShape*>(shape);
        canvas.line(world(edge->m_vertex1), world(edge->m_vertex2), 2.f, outline.value_or(fill));
        break;
      }
      case b2Shape::e_chain: {
        const auto* chain = static_cast<const b2ChainShape*>(shape);
        for (int i = 1; i < chain->m_count; ++i)
          canvas.line(world(chain->m_vertices[i - 1]), world(chain->m_vertices[i]), 2.f, outline.value_or(fill));
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace pavlov::envs
