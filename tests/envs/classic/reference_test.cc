// The classic-control environments against trajectories recorded with
// Gymnasium 1.0 (tests/data/reference/gymnasium/<EnvId>/*.csv; the README
// there gives the format). Every CSV file found is replayed: the env is put
// into the recorded state, given the recorded actions, and each step's
// observation (1e-5 relative + 1e-6 absolute), reward and flags (exactly)
// must match. Adding a file adds a case.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "engine/env/registry.h"

namespace fs = std::filesystem;

namespace {

struct Recording {
  std::string env_id;
  std::int64_t max_episode_steps = 0;
  std::vector<double> state, obs0;
  struct Row {
    double action;
    std::vector<double> obs;
    double reward;
    bool terminated, truncated;
  };
  std::vector<Row> rows;
};

std::vector<double> numbers(const std::string& csv) {
  std::vector<double> out;
  std::stringstream ss(csv);
  for (std::string field; std::getline(ss, field, ',');) out.push_back(std::stod(field));
  return out;
}

std::string after(const std::string& line, const std::string& key) {
  const auto at = line.find(key);
  REQUIRE_MESSAGE(at != std::string::npos, "expected '" << key << "' in: " << line);
  const auto start = at + key.size();
  return line.substr(start, line.find(' ', start) - start);
}

Recording load(const fs::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  Recording r;
  std::string line;
  std::getline(in, line);
  r.env_id = after(line, "env=");
  r.max_episode_steps = std::stoll(after(line, "max_episode_steps="));
  std::getline(in, line);
  r.state = numbers(after(line, "state="));
  std::getline(in, line);
  r.obs0 = numbers(after(line, "obs="));
  std::getline(in, line);  // column header
  while (std::getline(in, line)) {
    const auto v = numbers(line);
    const std::size_t k = v.size() - 5;  // t, action, k obs, reward, terminated, truncated
    Recording::Row row{v[1], std::vector<double>(v.begin() + 2, v.begin() + 2 + k), v[2 + k], v[3 + k] != 0, v[4 + k] != 0};
    r.rows.push_back(std::move(row));
  }
  return r;
}

bool close(double got, double want) { return std::abs(got - want) <= 1e-6 + 1e-5 * std::abs(want); }

void replay(const fs::path& file) {
  const Recording rec = load(file);
  INFO("reference file " << file.string());
  auto env = pavlov::make_env(rec.env_id);
  CHECK(env->max_episode_steps() == rec.max_episode_steps);
  std::vector<float> obs(env->observation_space().numel());
  env->reset(obs, 0);
  env->set_state(rec.state, std::span<float>(obs));
  REQUIRE(obs.size() == rec.obs0.size());
  for (std::size_t i = 0; i < obs.size(); ++i) CHECK(close(obs[i], rec.obs0[i]));
  for (std::size_t t = 0; t < rec.rows.size(); ++t) {
    const auto& row = rec.rows[t];
    INFO("step t = " << t);
    pavlov::StepResult r;
    if (env->action_space().is_discrete()) {
      r = env->step(static_cast<std::int64_t>(row.action), obs);
    } else {
      const float a = static_cast<float>(row.action);
      r = env->step(std::span<const float>(&a, 1), obs);
    }
    for (std::size_t i = 0; i < obs.size(); ++i) {
      INFO("obs_" << i << " = " << obs[i] << ", Gymnasium: " << row.obs[i]);
      REQUIRE(close(obs[i], row.obs[i]));
    }
    INFO("reward = " << r.reward << ", Gymnasium: " << row.reward);
    REQUIRE(close(r.reward, row.reward));
    REQUIRE(r.terminated == row.terminated);
    REQUIRE(r.truncated == row.truncated);
  }
}

// Every recording of one env id stepped side by side through Env::step_many,
// the batched path VectorEnv takes (CartPole vectorizes it, exact_sincos
// included): the same trajectories, bit for bit as far as the checks see.
void replay_batched(const std::vector<fs::path>& files) {
  std::vector<Recording> recs;
  std::vector<std::unique_ptr<pavlov::Env>> envs;
  std::vector<std::vector<float>> obs;
  for (const auto& f : files) {
    recs.push_back(load(f));
    envs.push_back(pavlov::make_env(recs.back().env_id));
    obs.emplace_back(envs.back()->observation_space().numel());
    envs.back()->reset(obs.back(), 0);
    envs.back()->set_state(recs.back().state, std::span<float>(obs.back()));
  }
  std::vector<std::int64_t> discrete(files.size());
  std::vector<float> continuous(files.size());
  for (std::size_t t = 0;; ++t) {
    std::vector<pavlov::StepJob> jobs;
    std::vector<std::size_t> which;
    for (std::size_t e = 0; e < recs.size(); ++e) {
      if (t >= recs[e].rows.size()) continue;
      pavlov::StepJob job;
      job.env = envs[e].get();
      discrete[e] = static_cast<std::int64_t>(recs[e].rows[t].action);
      continuous[e] = static_cast<float>(recs[e].rows[t].action);
      job.action = envs[e]->action_space().is_discrete() ? pavlov::ConstArrayView(&discrete[e], pavlov::DType::kInt64, 1)
                                                          : pavlov::ConstArrayView(&continuous[e], pavlov::DType::kFloat32, 1);
      job.obs = pavlov::ArrayView(std::span<float>(obs[e]));
      jobs.push_back(job);
      which.push_back(e);
    }
    if (jobs.empty()) break;
    std::vector<pavlov::StepResult> results(jobs.size());
    pavlov::Env::step_many(jobs, results.data());
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      const auto& row = recs[which[k]].rows[t];
      INFO("batched replay of " << files[which[k]].string() << ", step t = " << t);
      for (std::size_t i = 0; i < obs[which[k]].size(); ++i) REQUIRE(close(obs[which[k]][i], row.obs[i]));
      REQUIRE(close(results[k].reward, row.reward));
      REQUIRE(results[k].terminated == row.terminated);
      REQUIRE(results[k].truncated == row.truncated);
    }
  }
}

void replay_all(const std::string& env_id) {
  const fs::path dir = fs::path(PAVLOV_TEST_DATA) / "reference" / "gymnasium" / env_id;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".csv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE_MESSAGE(!files.empty(), "no reference files in " << dir.string());
  for (const auto& f : files) replay(f);
  replay_batched(files);
  MESSAGE(env_id << ": " << files.size() << " reference trajectories matched, one at a time and side by side");
}

}  // namespace

TEST_CASE("reference: CartPole-v1 matches Gymnasium 1.0") { replay_all("CartPole-v1"); }
TEST_CASE("reference: MountainCar-v0 matches Gymnasium 1.0") { replay_all("MountainCar-v0"); }
TEST_CASE("reference: MountainCarContinuous-v0 matches Gymnasium 1.0") { replay_all("MountainCarContinuous-v0"); }
TEST_CASE("reference: Acrobot-v1 matches Gymnasium 1.0") { replay_all("Acrobot-v1"); }
TEST_CASE("reference: Pendulum-v1 matches Gymnasium 1.0") { replay_all("Pendulum-v1"); }

TEST_CASE("reference: every folder of recordings names a registered env") {
  const fs::path dir = fs::path(PAVLOV_TEST_DATA) / "reference" / "gymnasium";
  int folders = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory()) continue;
    ++folders;
    INFO(e.path().filename().string());
    CHECK(pavlov::EnvRegistry::global().contains(e.path().filename().string()));
  }
  CHECK(folders == 5);
}

TEST_CASE("CartPoleNoVel-v1: CartPole-v1's trajectory observed without the velocities") {
  // Against Gymnasium through CartPole-v1: the same seed and actions give the same
  // episode, and the observation is [x, theta] of the full one.
  auto full = pavlov::make_env("CartPole-v1"), hidden = pavlov::make_env("CartPoleNoVel-v1");
  CHECK(hidden->observation_space().numel() == 2);
  CHECK(hidden->observation_space().high()[1] == doctest::Approx(full->observation_space().high()[2]));
  CHECK(hidden->max_episode_steps() == 500);
  std::vector<float> a(4), b(2);
  full->reset(a, 11);
  hidden->reset(b, 11);
  int steps = 0;
  for (bool done = false; !done; ++steps) {
    CHECK(b[0] == a[0]);
    CHECK(b[1] == a[2]);
    const std::int64_t action = (steps / 3) % 2;
    const auto ra = full->step(action, a), rb = hidden->step(action, b);
    CHECK(ra.reward == rb.reward);
    REQUIRE(ra.terminated == rb.terminated);
    REQUIRE(ra.truncated == rb.truncated);
    done = ra.terminated || ra.truncated;
  }
  CHECK(steps > 5);
  CHECK(hidden->state() == full->state());
}
