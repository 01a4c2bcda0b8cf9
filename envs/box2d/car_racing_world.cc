#include "envs/box2d/car_racing_world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace pavlov::envs {
namespace {

constexpr double kScale = 6.0;                   // track scale
constexpr double kTrackRad = 900 / kScale;       // the track is a heavily morphed circle of this radius
constexpr double kPlayfield = 2000 / kScale;     // leaving this square ends the episode
constexpr double kFps = 50;
constexpr double kZoom = 2.7;
constexpr double kTrackDetailStep = 21 / kScale;
constexpr double kTrackTurnRate = 0.31;
constexpr double kTrackWidth = 40 / kScale;
constexpr double kBorder = 8 / kScale;
constexpr int kBorderMinCount = 4;
constexpr double kGrassDim = kPlayfield / 20.0;
constexpr int kCheckpoints = 12;
constexpr double kPi = M_PI;

double sign(double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }
std::uint8_t channel(double v) { return static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0)); }

}  // namespace

CarRacingWorld::CarRacingWorld(const CarRacingOptions& options) : options_(options) {}

CarRacingWorld::~CarRacingWorld() { destroy(); }

void CarRacingWorld::destroy() {
  car_.reset();  // before the world it lives in
  world_.reset();
  tiles_.clear();
  borders_.clear();
}

bool CarRacingWorld::create_track(Rng& rng) {
  // Checkpoints at increasing angles and random radii; the first and last on the outer circle.
  std::array<std::array<double, 3>, kCheckpoints> checkpoints;
  double start_alpha = 0;
  for (int c = 0; c < kCheckpoints; ++c) {
    const double noise = rng.uniform(0.0, 2 * kPi * 1 / kCheckpoints);
    double alpha = 2 * kPi * c / kCheckpoints + noise;
    double rad = rng.uniform(kTrackRad / 3, kTrackRad);
    if (c == 0) {
      alpha = 0;
      rad = 1.5 * kTrackRad;
    }
    if (c == kCheckpoints - 1) {
      alpha = 2 * kPi * c / kCheckpoints;
      start_alpha = 2 * kPi * (-0.5) / kCheckpoints;
      rad = 1.5 * kTrackRad;
    }
    checkpoints[c] = {alpha, rad * std::cos(alpha), rad * std::sin(alpha)};
  }

  // Drive around them: head for the next checkpoint, turning at most
  // kTrackTurnRate per step, for a few laps.
  double x = 1.5 * kTrackRad, y = 0, beta = 0;
  int dest_i = 0, laps = 0, no_freeze = 2500;
  bool visited_other_side = false;
  std::vector<std::array<double, 4>> track;
  for (;;) {
    double alpha = std::atan2(y, x);
    if (visited_other_side && alpha > 0) {
      ++laps;
      visited_other_side = false;
    }
    if (alpha < 0) {
      visited_other_side = true;
      alpha += 2 * kPi;
    }
    double dest_x = 0, dest_y = 0;
    for (;;) {  // the destination: the first checkpoint ahead of alpha
      bool failed = true;
      for (;;) {
        const auto& cp = checkpoints[dest_i % kCheckpoints];
        dest_x = cp[1];
        dest_y = cp[2];
        if (alpha <= cp[0]) {
          failed = false;
          break;
        }
        ++dest_i;
        if (dest_i % kCheckpoints == 0) break;
      }
      if (!failed) break;
      alpha -= 2 * kPi;
    }
    const double r1x = std::cos(beta), r1y = std::sin(beta);
    const double p1x = -r1y, p1y = r1x;
    double proj = r1x * (dest_x - x) + r1y * (dest_y - y);
    while (beta - alpha > 1.5 * kPi) beta -= 2 * kPi;
    while (beta - alpha < -1.5 * kPi) beta += 2 * kPi;
    const double prev_beta = beta;
    proj *= kScale;
    if (proj > 0.3) beta -= std::min(kTrackTurnRate, std::abs(0.001 * proj));
    if (proj < -0.3) beta += std::min(kTrackTurnRate, std::abs(0.001 * proj));
    x += p1x * kTrackDetailStep;
    y += p1y * kTrackDetailStep;
    track.push_back({alpha, prev_beta * 0.5 + beta * 0.5, x, y});
    if (laps > 4) break;
    if (--no_freeze == 0) break;
  }

  // One lap: between the last two passes through the start angle.
  int i1 = -1, i2 = -1;
  for (int i = static_cast<int>(track.size()) - 1;; --i) {
    if (i == 0) return false;
    const bool pass = track[i][0] > start_alpha && track[i - 1][0] <= start_alpha;
    if (pass && i2 == -1) {
      i2 = i;
    } else if (pass && i1 == -1) {
      i1 = i;
      break;
    }
  }
  track = std::vector<std::array<double, 4>>(track.begin() + i1, track.begin() + (i2 - 1));
  const double first_perp_x = std::cos(track[0][1]), first_perp_y = std::sin(track[0][1]);
  const double gx = first_perp_x * (track[0][2] - track.back()[2]), gy = first_perp_y * (track[0][3] - track.back()[3]);
  if (std::sqrt(gx * gx + gy * gy) > kTrackDetailStep) return false;  // the ends do not meet

  // Borders where the track turns sharply one way for kBorderMinCount tiles.
  const int n = static_cast<int>(track.size());
  const auto at = [&](int i) -> const std::array<double, 4>& { return track[((i % n) + n) % n]; };
  std::vector<char> border(n, 0);
  for (int i = 0; i < n; ++i) {
    bool good = true;
    double oneside = 0;
    for (int neg = 0; neg < kBorderMinCount; ++neg) {
      const double beta1 = at(i - neg)[1], beta2 = at(i - neg - 1)[1];
      good = good && std::abs(beta1 - beta2) > kTrackTurnRate * 0.2;
      oneside += sign(beta1 - beta2);
    }
    border[i] = good && std::abs(oneside) == kBorderMinCount;
  }
  for (int i = 0; i < n; ++i)
    for (int neg = 0; neg < kBorderMinCount; ++neg) border[((i - neg) % n + n) % n] |= border[i];

  b2PolygonShape shape;
  b2FixtureDef fixture;
  fixture.shape = &shape;
  fixture.isSensor = true;
  const auto pt = [](double px, double py) { return Point{static_cast<float>(px), static_cast<float>(py)}; };
  for (int i = 0; i < n; ++i) {
    const auto& [alpha1, beta1, x1, y1] = at(i);
    const auto& [alpha2, beta2, x2, y2] = at(i - 1);
    (void)alpha1;
    (void)alpha2;
    const Point r1l = pt(x1 - kTrackWidth * std::cos(beta1), y1 - kTrackWidth * std::sin(beta1));
    const Point r1r = pt(x1 + kTrackWidth * std::cos(beta1), y1 + kTrackWidth * std::sin(beta1));
    const Point r2l = pt(x2 - kTrackWidth * std::cos(beta2), y2 - kTrackWidth * std::sin(beta2));
    const Point r2r = pt(x2 + kTrackWidth * std::cos(beta2), y2 + kTrackWidth * std::sin(beta2));
    Tile tile;
    tile.quad = {r1l, r1r, r2r, r2l};
    const b2Vec2 v[4] = {{r1l.x, r1l.y}, {r1r.x, r1r.y}, {r2r.x, r2r.y}, {r2l.x, r2l.y}};
    shape.Set(v, 4);
    b2BodyDef def;
    def.userData.pointer = static_cast<std::uintptr_t>(i + 1);  // tile index + 1; 0 marks other bodies
    tile.body = world_->CreateBody(&def);
    tile.body->CreateFixture(&fixture);
    const double c = 0.01 * (i % 3) * 255;  // a faint stripe pattern
    tile.color = {channel(road_color_.r + c), channel(road_color_.g + c), channel(road_color_.b + c)};
    tiles_.push_back(tile);
    if (border[i]) {
      const double side = sign(beta2 - beta1);
      const Point b1l = pt(x1 + side * kTrackWidth * std::cos(beta1), y1 + side * kTrackWidth * std::sin(beta1));
      const Point b1r = pt(x1 + side * (kTrackWidth + kBorder) * std::cos(beta1), y1 + side * (kTrackWidth + kBorder) * std::sin(beta1));
      const Point b2l = pt(x2 + side * kTrackWidth * std::cos(beta2), y2 + side * kTrackWidth * std::sin(beta2));
      const Point b2r = pt(x2 + side * (kTrackWidth + kBorder) * std::cos(beta2), y2 + side * (kTrackWidth + kBorder) * std::sin(beta2));
      borders_.push_back({{b1l, b1r, b2r, b2l}, i % 2 == 0 ? Color{255, 255, 255} : Color{255, 0, 0}});
    } else {
      borders_.push_back({{}, {0, 0, 0, 0}});  // none: kept so that tiles_[i] and borders_[i] pair up
    }
  }
  track_ = std::move(track);
  centre_.clear();
  for (const auto& t : track_) centre_.push_back({t[2], t[3]});
  return true;
}

void CarRacingWorld::reset(Rng& rng) {
  destroy();
  if (options_.domain_randomize) {
    road_color_ = {channel(rng.uniform(0.0, 210.0)), channel(rng.uniform(0.0, 210.0)), channel(rng.uniform(0.0, 210.0))};
    const double bg[3] = {rng.uniform(0.0, 210.0), rng.uniform(0.0, 210.0), rng.uniform(0.0, 210.0)};
    double grass[3] = {bg[0], bg[1], bg[2]};
    grass[rng.below(3)] += 20;
    bg_color_ = {channel(bg[0]), channel(bg[1]), channel(bg[2])};
    grass_color_ = {channel(grass[0]), channel(grass[1]), channel(grass[2])};
  }
  reward_ = prev_reward_ = t_ = 0;
  visited_count_ = 0;
  new_lap_ = false;
  for (;;) {
    world_ = std::make_unique<b2World>(b2Vec2(0, 0));
    world_->SetContactListener(this);
    tiles_.clear();
    borders_.clear();
    if (create_track(rng)) break;
  }
  car_ = std::make_unique<Car>(*world_, track_[0][1], track_[0][2], track_[0][3]);
  bool terminated = false;
  step(/*with_action=*/false, terminated);  // Gymnasium's reset ends with a step without an action
}

void CarRacingWorld::act(double steer, double gas, double brake) {
  car_->steer(-steer);  // Gymnasium's convention: the joint angle is the negated steering input
  car_->gas(gas);
  car_->brake(brake);
}

double CarRacingWorld::step(bool with_action, bool& terminated) {
  car_->step(1.0 / kFps);
  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  t_ += 1.0 / kFps;
  terminated = false;
  if (!with_action) return 0.0;
  reward_ -= 0.1;
  double step_reward = reward_ - prev_reward_;
  prev_reward_ = reward_;
  if (visited_count_ == tiles() || new_lap_) terminated = true;
  const b2Vec2 p = car_->hull().GetPosition();
  if (std::abs(p.x) > kPlayfield || std::abs(p.y) > kPlayfield) {
    terminated = true;
    step_reward = -100;
  }
  return step_reward;
}

void CarRacingWorld::contact_changed(b2Contact* contact, bool begin) {
  b2Body* a = contact->GetFixtureA()->GetBody();
  b2Body* b = contact->GetFixtureB()->GetBody();
  const std::uintptr_t ia = a->GetUserData().pointer, ib = b->GetUserData().pointer;
  if (ia == 0 && ib == 0) return;
  Tile& tile = tiles_[(ia != 0 ? ia : ib) - 1];
  tile.color = road_color_;  // as in Gymnasium, a touched tile loses its stripe shade
  Car::Wheel* wheel = car_ ? car_->wheel_of(ia != 0 ? b : a) : nullptr;
  if (wheel == nullptr) return;
  if (!begin) {
    --wheel->road_tiles;
    return;
  }
  ++wheel->road_tiles;
  if (tile.visited) return;
  tile.visited = true;
  reward_ += 1000.0 / tiles();
  ++visited_count_;
  if (&tile == &tiles_[0] && static_cast<double>(visited_count_) / tiles() > options_.lap_complete_percent) new_lap_ = true;
}

void CarRacingWorld::draw(Canvas& c) const {
  c.begin(kFrameW, kFrameH, {0, 0, 0});
  if (!car_) return;
  const b2Body& hull = car_->hull();
  const double zoom = 0.1 * kScale * std::max(1 - t_, 0.0) + kZoom * kScale * std::min(t_, 1.0);
  c.set_view({hull.GetPosition().x, hull.GetPosition().y}, {kFrameW / 2.f, kFrameH * 0.75f}, static_cast<float>(zoom),
             -hull.GetAngle());
  const float pf = static_cast<float>(kPlayfield), gd = static_cast<float>(kGrassDim);
  c.polygon({{pf, pf}, {pf, -pf}, {-pf, -pf}, {-pf, pf}}, bg_color_);
  for (int gx = -20; gx < 20; gx += 2)
    for (int gy = -20; gy < 20; gy += 2)
      c.polygon({{gd * gx + gd, gd * gy}, {gd * gx, gd * gy}, {gd * gx, gd * gy + gd}, {gd * gx + gd, gd * gy + gd}}, grass_color_);
  for (std::size_t i = 0; i < tiles_.size(); ++i) {
    c.polygon(tiles_[i].quad, tiles_[i].color);
    if (borders_[i].color.a != 0) c.polygon(borders_[i].quad, borders_[i].color);
  }
  car_->draw(c);

  // The indicator bar, in frame pixels (Gymnasium's layout).
  const float W = kFrameW, H = kFrameH, s = W / 40, h = H / 40;
  c.rect_px(0, H - 5 * h, W, 5 * h, {0, 0, 0});
  const auto vertical = [&](float place, double val, Color color) {
    if (std::abs(val) < 1e-4) return;
    const float top = H - (h + h * static_cast<float>(val)), bottom = H - h;
    c.polygon_px(std::array<Point, 4>{Point{place * s, top}, {(place + 1) * s, top}, {(place + 1) * s, bottom}, {place * s, bottom}}, color);
  };
  const auto horizontal = [&](float place, double val, Color color) {
    if (std::abs(val) < 1e-4) return;
    const float x1 = (place + static_cast<float>(val)) * s;
    c.polygon_px(std::array<Point, 4>{Point{place * s, H - 4 * h}, {x1, H - 4 * h}, {x1, H - 2 * h}, {place * s, H - 2 * h}}, color);
  };
  const b2Vec2 v = hull.GetLinearVelocity();
  const double speed = std::sqrt(double(v.x) * v.x + double(v.y) * v.y);
  if (speed > 1e-4) vertical(5, 0.02 * speed, {255, 255, 255});
  vertical(7, 0.01 * car_->wheel(0).omega, {0, 0, 255});
  vertical(8, 0.01 * car_->wheel(1).omega, {0, 0, 255});
  vertical(9, 0.01 * car_->wheel(2).omega, {51, 0, 255});
  vertical(10, 0.01 * car_->wheel(3).omega, {51, 0, 255});
  horizontal(20, -10.0 * car_->wheel(0).joint->GetJointAngle(), {0, 255, 0});
  horizontal(30, -0.8 * hull.GetAngularVelocity(), {255, 0, 0});
  char text[16];
  std::snprintf(text, sizeof text, "%04.0f", reward_);
  constexpr float kTextScale = 3;
  const float tw = std::strlen(text) * Canvas::kGlyphWidth * kTextScale, th = Canvas::kGlyphHeight * kTextScale;
  c.text_px(60 - tw / 2, H - H * 2.5f / 40 - th / 2, text, {255, 255, 255}, kTextScale);
}

}  // namespace pavlov::envs
