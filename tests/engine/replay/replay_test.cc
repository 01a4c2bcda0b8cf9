// Golden tests of the replay's n-step returns, with numbers computed by hand.
#include "engine/replay/replay.h"

#include <cstring>

#include "engine/env/vector_env.h"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "alloc_counter.h"
#include "engine/replay/step_batch.h"

using pavlov::ConstArrayView;
using pavlov::Replay;
using pavlov::Space;


TEST_CASE("replay: one-step targets bootstrap unless terminated") {
  const float obs[1] = {0.5f}, next[1] = {0.25f};
  const std::int64_t a[1] = {1};
  for (auto [term, trunc, want] : {std::tuple{0, 0, 0.99f}, {1, 0, 0.0f}, {0, 1, 0.99f}}) {
    Replay fresh(Space::box(-10, 10, {1}), Space::discrete(2), {.capacity = 8, .num_envs = 1, .n_step = 1, .gamma = 0.99, .batch_size = 1});
    const float rew[1] = {2.0f};
    const std::uint8_t te[1] = {static_cast<std::uint8_t>(term)}, tr[1] = {static_cast<std::uint8_t>(trunc)};
    fresh.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(next)), te, tr);
    pavlov::Rng rng(1);
    const auto& s = fresh.sample(rng);
    CAPTURE(term);
    CAPTURE(trunc);
    CHECK(s.returns[0] == 2.0f);
    CHECK(s.discounts[0] == doctest::Approx(want));
    CHECK(s.next_obs.as<float>()[0] == 0.25f);  // a truncated step bootstraps from its final observation
  }
}

TEST_CASE("replay: n-step returns stop at the end of an episode") {
  // gamma 0.9, n = 3. Steps t=0..4 with rewards 1, 2, 3, 4, 5; the episode ends at t=2.
  auto run = [](bool terminated_at_2) {
    Replay r(Space::box(-1e9, 1e9, {1}), Space::discrete(2), {.capacity = 16, .num_envs = 1, .n_step = 3, .gamma = 0.9, .batch_size = 1});
    for (int t = 0; t < 5; ++t) {
      const float obs[1] = {static_cast<float>(t)}, next[1] = {static_cast<float>(10 + t)}, rew[1] = {static_cast<float>(t + 1)};
      const std::int64_t a[1] = {0};
      const std::uint8_t te[1] = {static_cast<std::uint8_t>(t == 2 && terminated_at_2)};
      const std::uint8_t tr[1] = {static_cast<std::uint8_t>(t == 2 && !terminated_at_2)};
      r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(next)), te, tr);
    }
    return r;
  };
  // Each sample is drawn by seeding until it hits the wanted row; simpler: the
  // replay's gather() is public, and sample() only picks rows.
  for (bool terminated : {true, false}) {
    Replay r = run(terminated);
    pavlov::Rng rng(5);
    std::map<float, std::pair<float, float>> by_obs;  // obs -> (return, discount)
    std::map<float, float> next_of;
    for (int i = 0; i < 200; ++i) {
      const auto& s = r.sample(rng);
      by_obs[s.obs.as<float>()[0]] = {s.returns[0], s.discounts[0]};
      next_of[s.obs.as<float>()[0]] = s.next_obs.as<float>()[0];
    }
    REQUIRE(by_obs.size() == 5);
    CAPTURE(terminated);
    // t=0: 1 + 0.9*2 + 0.81*3 = 5.23, the episode ends at t=2 -> discount 0 or 0.9^3
    CHECK(by_obs[0].first == doctest::Approx(5.23));
    CHECK(by_obs[0].second == doctest::Approx(terminated ? 0.0 : 0.729));
    CHECK(next_of[0] == 12.0f);
    // t=1: 2 + 0.9*3 = 4.7, two steps
    CHECK(by_obs[1].first == doctest::Approx(4.7));
    CHECK(by_obs[1].second == doctest::Approx(terminated ? 0.0 : 0.81));
    // t=3: 4 + 0.9*5 = 8.5, stops at the newest stored step (t=4), bootstraps with 0.81
    CHECK(by_obs[3].first == doctest::Approx(8.5));
    CHECK(by_obs[3].second == doctest::Approx(0.81));
    CHECK(next_of[3] == 14.0f);
    // t=4: the newest step alone
    CHECK(by_obs[4].first == doctest::Approx(5.0));
    CHECK(by_obs[4].second == doctest::Approx(0.9));
  }
}

TEST_CASE("replay: inserting and sampling allocate nothing" * doctest::skip(!pavlov::test::kCountsAllocations)) {
  Replay r(Space::box(-1, 1, {4}), Space::discrete(2), {.capacity = 1000, .num_envs = 2, .n_step = 3, .gamma = 0.99, .batch_size = 64});
  const float obs[8] = {}, next[8] = {}, rew[2] = {1, 1};
  const std::int64_t a[2] = {0, 1};
  const std::uint8_t te[2] = {0, 1}, tr[2] = {1, 0};
  pavlov::Rng rng(1);
  r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(next)), te, tr);
  const auto before = pavlov::test::allocations();
  for (int i = 0; i < 2000; ++i) {
    r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(next)), te, tr);
    r.sample(rng);
  }
  CHECK(pavlov::test::allocations() == before);
}

TEST_CASE("replay: actors write their env columns at their own pace; n-step returns stay in a column") {
  // 2 columns, gamma 0.5, n = 2. Column 0 gets 3 steps (obs 0, 1, 2; rewards 1, 2, 3), column 1 one
  // step (obs 100, reward 10); then column 1's writer leaves (cut) and a new one writes obs 200, reward 20.
  Replay r(Space::box(-1e9, 1e9, {1}), Space::discrete(2),
           {.capacity = 16, .num_envs = 2, .n_step = 2, .gamma = 0.5, .batch_size = 1});
  auto add = [&](int col, float o, float rew) {
    const float obs[1] = {o};
    const std::int64_t a[1] = {0};
    const pavlov::test::StepBatch step({o + 0.5f}, {rew});
    r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), step.batch, col);
  };
  add(0, 0, 1);
  add(0, 1, 2);
  add(1, 100, 10);
  add(0, 2, 3);
  CHECK(r.size() == 4);
  r.cut(1, 1);
  add(1, 200, 20);
  CHECK(r.size() == 5);
  pavlov::Rng rng(9);
  std::map<float, std::pair<float, float>> by_obs;
  for (int i = 0; i < 400; ++i) {
    const auto& s = r.sample(rng);
    by_obs[s.obs.as<float>()[0]] = {s.returns[0], s.discounts[0]};
  }
  REQUIRE(by_obs.size() == 5);  // never a row that a column has not written
  CHECK(by_obs[0].first == doctest::Approx(1 + 0.5 * 2));  // column 0's own next step
  CHECK(by_obs[0].second == doctest::Approx(0.25));
  CHECK(by_obs[2].first == doctest::Approx(3.0));  // the newest step of column 0
  CHECK(by_obs[100].first == doctest::Approx(10.0));  // cut: does not run on into the next writer's 20
  CHECK(by_obs[100].second == doctest::Approx(0.5));  // a cut bootstraps, as a time limit does
  CHECK(by_obs[200].first == doctest::Approx(20.0));
  CHECK_THROWS_AS(add(2, 0, 0), std::out_of_range);

  // Uneven columns survive a save and load.
  std::stringstream buf;
  r.save(buf);
  Replay back(Space::box(-1e9, 1e9, {1}), Space::discrete(2),
              {.capacity = 16, .num_envs = 2, .n_step = 2, .gamma = 0.5, .batch_size = 1});
  back.load(buf);
  CHECK(back.size() == 5);
  pavlov::Rng rng2(9), rng3(9);
  for (int i = 0; i < 50; ++i) {
    const float a = r.sample(rng2).returns[0];
    CHECK(back.sample(rng3).returns[0] == a);
  }
}

TEST_CASE("replay: frame-stacked observations are stored a frame at a time and sampled exactly as added") {
  // MinAtar Breakout frames [4, 10, 10] stacked 4 deep: observations [16, 10, 10] uint8. Random play
  // over 3 envs for 3000 steps (many episodes; the 900-transition replay wraps three times) into a
  // replay that keeps whole observations and one that keeps frames: the same draws give the same bytes.
  pavlov::VectorEnv venv("MinAtar/Breakout-v1", {.num_envs = 3, .threads = 1, .autoreset = pavlov::AutoresetMode::kSameStep,
                                                   .seed = 11, .frame_stack = 4});
  const auto& os = venv.observation_space();
  const pavlov::ReplayOptions naive_options{.capacity = 900, .num_envs = 3, .n_step = 3, .gamma = 0.9, .batch_size = 64};
  pavlov::ReplayOptions frames_options = naive_options;
  frames_options.frame_stack = 4;
  Replay naive(os, venv.action_space(), naive_options), frames(os, venv.action_space(), frames_options);
  std::vector<std::uint8_t> obs(3 * os.numel());
  const auto& first = venv.reset(11);
  std::copy(first.obs.as<std::uint8_t>(), first.obs.as<std::uint8_t>() + obs.size(), obs.begin());
  pavlov::Rng act_rng(3);
  std::int64_t episodes = 0;
  for (int t = 0; t < 3000; ++t) {
    std::int64_t a[3];
    for (auto& x : a) x = static_cast<std::int64_t>(act_rng.below(venv.action_space().n()));
    const ConstArrayView ov(obs.data(), pavlov::DType::kUInt8, static_cast<std::int64_t>(obs.size()));
    const auto& b = venv.step(ConstArrayView(std::span(a)));
    naive.add(ov, ConstArrayView(std::span(a)), b);
    frames.add(ov, ConstArrayView(std::span(a)), b);
    for (int e = 0; e < 3; ++e) episodes += b.terminated[e] || b.truncated[e];
    std::copy(b.obs.as<std::uint8_t>(), b.obs.as<std::uint8_t>() + obs.size(), obs.begin());
    if (t % 500 == 499) {  // compare along the way, as the rings wrap
      pavlov::Rng r1(t), r2(t);
      for (int k = 0; k < 5; ++k) {
        const auto& x = naive.sample(r1);
        const auto& y = frames.sample(r2);
        REQUIRE(std::memcmp(x.obs.data, y.obs.data, 64 * os.numel()) == 0);
        REQUIRE(std::memcmp(x.next_obs.data, y.next_obs.data, 64 * os.numel()) == 0);
        for (int i = 0; i < 64; ++i) REQUIRE(x.returns[i] == y.returns[i]);
      }
    }
  }
  CHECK(episodes > 30);
  // About 2 frames per transition instead of 2 x 4 (the target: at most half).
  CHECK(frames.observation_bytes() * 3 <= naive.observation_bytes());

  // A checkpoint keeps the frame rings.
  std::stringstream buf;
  frames.save(buf);
  Replay back(os, venv.action_space(), frames_options);
  back.load(buf);
  pavlov::Rng r1(77), r2(77);
  const auto& x = frames.sample(r1);
  const std::vector<std::byte> kept(static_cast<const std::byte*>(x.next_obs.data),
                                    static_cast<const std::byte*>(x.next_obs.data) + 64 * os.numel());
  const auto& y = back.sample(r2);
  CHECK(std::memcmp(kept.data(), y.next_obs.data, kept.size()) == 0);
}

TEST_CASE("replay: stacks that do not shift one frame a step are kept whole, and still sampled exactly") {
  // Observations of 2 "frames" of 1 float each, with no relation between steps: every stack is stored
  // in full, the ring overflows, and overwritten transitions are never drawn.
  const auto os = Space::box(-1e9, 1e9, {2});
  Replay r(os, Space::discrete(2), {.capacity = 64, .num_envs = 1, .n_step = 1, .gamma = 0.5, .batch_size = 16, .frame_stack = 2});
  std::map<float, float> next_of;  // obs[0] -> next_obs[0], for the transitions still held
  pavlov::Rng data(5);
  for (int t = 0; t < 500; ++t) {
    const float obs[2] = {static_cast<float>(t), static_cast<float>(data.uniform())};
    const float next[2] = {static_cast<float>(1000 + t), static_cast<float>(data.uniform())};
    const float rew[1] = {1.0f};
    const std::int64_t a[1] = {0};
    const std::uint8_t no[1] = {0};
    r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(next)), no, no);
    next_of[obs[0]] = next[0];
  }
  pavlov::Rng rng(8);
  for (int k = 0; k < 20; ++k) {
    const auto& s = r.sample(rng);
    for (int i = 0; i < 16; ++i) {
      const float o = s.obs.as<float>()[2 * i];
      CHECK(o >= 500 - 64);  // a recent transition
      CHECK(s.next_obs.as<float>()[2 * i] == next_of[o]);
    }
  }
}
