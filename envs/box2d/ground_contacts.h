// pavlov::envs::GroundContacts: the contact bookkeeping Gymnasium's Box2D
// envs share: one body whose touching the ground ends the episode (the
// lander's or walker's hull) and a few bodies whose ground contact the
// observation reports (legs). Reset with the bodies of each new world.
#pragma once

#include <box2d/box2d.h>

#include <array>
#include <cstddef>

namespace pavlov::envs {

class GroundContacts : public b2ContactListener {
 public:
  static constexpr std::size_t kMaxFeet = 4;

  // Watches `fatal` and up to kMaxFeet `feet`; clears every flag.
  void watch(const b2Body* fatal, std::initializer_list<const b2Body*> feet);
  bool fatal_contact() const { return fatal_contact_; }
  bool foot_contact(std::size_t i) const { return contact_[i]; }

  void BeginContact(b2Contact* c) override { update(c, true); }
  void EndContact(b2Contact* c) override { update(c, false); }

 private:
  void update(b2Contact* c, bool begin);

  const b2Body* fatal_ = nullptr;
  std::array<const b2Body*, kMaxFeet> feet_{};
  std::array<bool, kMaxFeet> contact_{};
  bool fatal_contact_ = false;
};

}  // namespace pavlov::envs
