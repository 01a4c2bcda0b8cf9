// The async runtime's parts: the closable queue, the weights board, and the
// actor runner's hand-over, shutdown and error path, with a stand-in agent.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "engine/runtime/async_runner.h"
#include "engine/runtime/closable_queue.h"
#include "engine/runtime/weights_board.h"
#include "engine/runtime/fake_agent.h"

using namespace std::chrono_literals;

TEST_CASE("ClosableQueue: close wakes a blocked pop and a blocked push; pop drains what is left") {
  pavlov::ClosableQueue<int> q(1);
  std::atomic<int> popped{-2};
  std::thread consumer([&] {
    auto v = q.pop();
    popped = v ? *v : -1;
  });
  std::this_thread::sleep_for(20ms);
  CHECK(popped == -2);  // still waiting on the empty queue
  q.close();
  consumer.join();
  CHECK(popped == -1);

  pavlov::ClosableQueue<int> full(1);
  CHECK(full.push(1));
  std::atomic<int> pushed{-1};
  std::thread producer([&] { pushed = full.push(2) ? 1 : 0; });
  std::this_thread::sleep_for(20ms);
  CHECK(pushed == -1);  // waiting for room
  full.close();
  producer.join();
  CHECK(pushed == 0);     // refused once closed
  CHECK(*full.pop() == 1);  // what was in stays readable
  CHECK(!full.pop());
  CHECK(!full.push(3));
}

TEST_CASE("ClosableQueue: many producers, one consumer, every item arrives once") {
  pavlov::ClosableQueue<int> q(4);
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p)
    producers.emplace_back([&, p] {
      for (int i = 0; i < 1000; ++i) q.push(p * 1000 + i);
    });
  std::vector<int> seen(4000, 0);
  for (int k = 0; k < 4000; ++k) ++seen[*q.pop()];
  for (auto& t : producers) t.join();
  for (int v : seen) CHECK(v == 1);
}

TEST_CASE("WeightsBoard: versions count up, a reader keeps its version, buffers are recycled") {
  pavlov::WeightsBoard board;
  CHECK(board.version() == 0);
  CHECK(!board.latest());
  board.publish(1, 10, [](std::vector<float>& v) { v.assign(3, 1.0f); });
  auto held = board.latest();
  REQUIRE(held);
  CHECK(held->version == 1);
  CHECK(held->env_steps == 10);
  board.publish(2, 20, [](std::vector<float>& v) { v.assign(3, 2.0f); });
  CHECK(board.version() == 2);
  CHECK(held->values[0] == 1.0f);  // the reader's copy did not change under it
  CHECK(board.latest()->values[0] == 2.0f);
  const float* first_buffer = held->values.data();
  held.reset();
  board.publish(3, 30, [](std::vector<float>& v) { v.assign(3, 3.0f); });
  CHECK(board.latest()->values.data() == first_buffer);  // version 1's buffer, no longer read, was reused
}

using pavlov::test::cartpole_plan;
using pavlov::test::FakeAgent;

TEST_CASE("AsyncRunner: actors hand over full blocks of their own env columns with the policy version") {
  FakeAgent agent(0);
  pavlov::AsyncRunner runner(agent, cartpole_plan(2, 3, 5));
  runner.start(0);
  int from[2] = {0, 0};
  for (int k = 0; k < 20 || from[0] == 0 || from[1] == 0; ++k) {  // on a loaded machine one actor may wait long
    REQUIRE(k < 100000);
    auto b = runner.next();
    REQUIRE(b);
    CHECK(b->steps == 5);
    CHECK(b->num_envs == 3);
    CHECK(b->first_env == 3 * b->actor);
    CHECK(b->policy_version >= 1);
    CHECK(b->policy_version <= runner.version());
    CHECK(b->behaviour_at(0)[0] == static_cast<float>(b->policy_version));  // acted with that version's weights
    ++from[b->actor];
    // Step t's next observation is step t+1's observation where no episode ended.
    const auto* obs = reinterpret_cast<const float*>(b->obs.data());
    const auto* next = reinterpret_cast<const float*>(b->next_obs.data());
    for (int e = 0; e < 3; ++e)
      if (!b->terminated[e] && !b->truncated[e]) CHECK(std::memcmp(next + e * 4, obs + (3 + e) * 4, 16) == 0);
    runner.recycle(std::move(*b));
    runner.publish(k);
  }
  CHECK(from[0] > 0);
  CHECK(from[1] > 0);
  runner.stop();
  runner.rethrow_if_failed();  // nothing failed
}

TEST_CASE("AsyncRunner: stop() returns while actors wait on a full queue") {
  FakeAgent agent(0);
  pavlov::AsyncRunner runner(agent, cartpole_plan(2, 1, 1));
  runner.start(0);
  std::this_thread::sleep_for(50ms);  // the queue fills up, the actors block on it
  const auto t0 = std::chrono::steady_clock::now();
  runner.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  int left = 0;
  while (runner.next()) ++left;  // what was queued drains, then next() says the run is over
  CHECK(left <= 4);
}

TEST_CASE("AsyncRunner: an actor's exception ends the run and reaches the learner with its message") {
  FakeAgent agent(7);
  pavlov::AsyncRunner runner(agent, cartpole_plan(2, 2, 4));
  runner.start(0);
  int blocks = 0;
  while (auto b = runner.next()) {
    ++blocks;
    runner.recycle(std::move(*b));
    REQUIRE(blocks < 1000);
  }
  CHECK(blocks <= 2);  // each actor failed on its 7th act, within its second block
  runner.stop();
  CHECK_THROWS_WITH(runner.rethrow_if_failed(), "policy exploded at act 7");
}

TEST_CASE("AsyncRunner: an agent without async support is refused") {
  class SyncOnly : public FakeAgent {
   public:
    SyncOnly() : FakeAgent(0) {}
    std::unique_ptr<pavlov::Policy> make_policy(int, int, int, std::uint64_t) override { return nullptr; }
  } agent;
  CHECK_THROWS_AS(pavlov::AsyncRunner(agent, cartpole_plan(1, 1, 1)), std::invalid_argument);
}
