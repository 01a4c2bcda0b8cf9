// DQN's saliency maps (`pavlov explain`): the magnitude of d max_a Q / d obs,
// checked against finite differences of the Q values the agent reports, and
// reduced over channels to the image grid of a pixel observation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/config/experiment.h"
#include "engine/runtime/agent.h"

namespace {

pavlov::Config dqn_config(const char* env_id, const char* net) {
  return pavlov::parse_experiment(std::string(R"(
[experiment]
name = "t"
device = "cpu"
[env]
id = ")") + env_id + R"("
[agent]
algo = "dqn"
[agent.net]
)" + net + R"(
[train]
total_steps = 1000
)", "inline.toml");
}

}  // namespace

TEST_CASE("dqn saliency: |d max Q / d obs| agrees with finite differences of the reported Q values") {
  const pavlov::Config cfg = dqn_config("CartPole-v1", "hidden = [32, 32]\nactivation = \"tanh\"");
  const auto obs_space = pavlov::Space::box(-5, 5, {4});
  auto agent = pavlov::make_agent("dqn", {cfg, obs_space, pavlov::Space::discrete(2), 1, "cpu", 3, 1000});
  std::vector<float> obs = {0.3f, -0.8f, 0.05f, 1.2f};
  auto max_q = [&](const std::vector<float>& o) {
    const auto q = agent->insight(pavlov::ConstArrayView(o.data(), pavlov::DType::kFloat32, 4)).values;
    return static_cast<double>(std::max(q[0], q[1]));
  };
  const pavlov::SaliencyMap map = agent->saliency(pavlov::ConstArrayView(obs.data(), pavlov::DType::kFloat32, 4));
  REQUIRE(map.cols == 4);
  REQUIRE(map.rows == 1);
  for (int i = 0; i < 4; ++i) {
    std::vector<float> up = obs, down = obs;
    up[i] += 1e-2f, down[i] -= 1e-2f;
    const double slope = (max_q(up) - max_q(down)) / 2e-2;
    CAPTURE(i);
    CHECK(map.values[i] == doctest::Approx(std::abs(slope)).epsilon(0.02).scale(1e-3));
  }
}

TEST_CASE("dqn saliency: a pixel observation's map is its grid, each cell the largest over its channels") {
  const pavlov::Config cfg = dqn_config("MinAtar/Breakout-v1", "type = \"minatar_cnn\"\nhidden = [32]\nactivation = \"tanh\"");
  const auto obs_space = pavlov::Space::box(0, 1, {4, 10, 10});  // channels first, as MinAtar's
  auto agent = pavlov::make_agent("dqn", {cfg, obs_space, pavlov::Space::discrete(3), 1, "cpu", 3, 1000});
  std::vector<float> obs(400, 0.0f);
  obs[0 * 100 + 3 * 10 + 7] = 1.0f;
  obs[2 * 100 + 9 * 10 + 1] = 1.0f;
  auto view = [](const std::vector<float>& o) { return pavlov::ConstArrayView(o.data(), pavlov::DType::kFloat32, 400); };
  auto max_q = [&](const std::vector<float>& o) {
    const auto q = agent->insight(view(o)).values;
    return static_cast<double>(*std::max_element(q.begin(), q.end()));
  };
  const pavlov::SaliencyMap map = agent->saliency(view(obs));
  REQUIRE(map.cols == 10);
  REQUIRE(map.rows == 10);
  for (int cell = 0; cell < 100; cell += 7) {  // every 7th cell: rows and columns all over the grid
    double most = 0;
    for (int ch = 0; ch < 4; ++ch) {
      std::vector<float> up = obs, down = obs;
      up[ch * 100 + cell] += 1e-2f, down[ch * 100 + cell] -= 1e-2f;
      most = std::max(most, std::abs(max_q(up) - max_q(down)) / 2e-2);
    }
    CAPTURE(cell);
    CHECK(map.values[cell] == doctest::Approx(most).epsilon(0.03).scale(1e-3));
  }
}
