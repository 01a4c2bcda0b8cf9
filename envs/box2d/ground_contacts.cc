#include "envs/box2d/ground_contacts.h"

#include <stdexcept>

namespace pavlov::envs {

void GroundContacts::watch(const b2Body* fatal, std::initializer_list<const b2Body*> feet) {
  if (feet.size() > kMaxFeet) throw std::logic_error("GroundContacts: too many feet");
  fatal_ = fatal;
  feet_ = {};
  contact_ = {};
  fatal_contact_ = false;
  std::size_t i = 0;
  for (const b2Body* f : feet) feet_[i++] = f;
}

void GroundContacts::update(b2Contact* c, bool begin) {
  const b2Body* a = c->GetFixtureA()->GetBody();
  const b2Body* b = c->GetFixtureB()->GetBody();
  if (begin && (a == fatal_ || b == fatal_)) fatal_contact_ = true;
  for (std::size_t i = 0; i < kMaxFeet; ++i)
    if (feet_[i] && (a == feet_[i] || b == feet_[i])) contact_[i] = begin;
}

}  // namespace pavlov::envs
