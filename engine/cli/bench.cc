// `pavlov bench env`: environment throughput with random actions.
//
// Actions are drawn before the clock starts (a pool cycled through), so the
// figure is the cost of stepping, not of the random generator. One env is
// stepped through the public Env API (step, and reset when an episode ends);
// more than one through VectorEnv with next-step autoreset.
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>

#include "engine/cli/commands.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"

namespace po = boost::program_options;

namespace pavlov::cli {
namespace {

struct BenchArgs {
  int num_envs = 1;
  int threads = 1;
  std::int64_t steps = 0;
  int repeat = 1;
  std::string label;
};

// A pool of random action rows of `space`, bytes underneath.
std::vector<std::byte> action_pool(const Space& space, std::int64_t rows, std::uint64_t seed) {
  const std::size_t row_bytes = space.numel() * dtype_size(space.dtype());
  std::vector<std::byte> pool(rows * row_bytes);
  Rng rng(seed);
  for (std::int64_t r = 0; r < rows; ++r) space.sample(rng, ArrayView(pool.data() + r * row_bytes, space.dtype(), space.numel()));
  return pool;
}

double bench_single(const std::string& id, std::int64_t steps) {
  auto env = make_env(id);
  const Space& as = env->action_space();
  constexpr std::int64_t kPool = 1 << 16;
  const auto pool = action_pool(as, kPool, 1);
  const std::size_t row_bytes = as.numel() * dtype_size(as.dtype());
  std::vector<std::byte> obs(env->observation_space().numel() * dtype_size(env->observation_space().dtype()));
  const ArrayView ov(obs.data(), env->observation_space().dtype(), env->observation_space().numel());
  env->reset(ov, 0);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < steps; ++i) {
    const ConstArrayView a(pool.data() + (i & (kPool - 1)) * row_bytes, as.dtype(), as.numel());
    const StepResult r = env->step(a, ov);
    if (r.terminated || r.truncated) env->reset(ov);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double bench_vector(const std::string& id, const BenchArgs& a) {
  VectorEnv venv(id, {.num_envs = a.num_envs, .threads = a.threads, .seed = 0});
  const Space& as = venv.action_space();
  constexpr std::int64_t kBatches = 16;
  const auto pool = action_pool(as, kBatches * a.num_envs, 1);
  const std::size_t batch_bytes = a.num_envs * as.numel() * dtype_size(as.dtype());
  venv.reset();
  const std::int64_t iterations = std::max<std::int64_t>(1, a.steps / a.num_envs);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < iterations; ++i)
    venv.step(ConstArrayView(pool.data() + (i % kBatches) * batch_bytes, as.dtype(), as.numel() * a.num_envs));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report(const std::string& id, const BenchArgs& a) {
  const std::int64_t steps = a.num_envs == 1 ? a.steps : std::max<std::int64_t>(1, a.steps / a.num_envs) * a.num_envs;
  bench_single(id, std::min<std::int64_t>(steps, 10000));  // warm caches and the allocator
  std::vector<double> times;
  for (int r = 0; r < a.repeat; ++r) times.push_back(a.num_envs == 1 ? bench_single(id, steps) : bench_vector(id, a));
  std::sort(times.begin(), times.end());
  const double seconds = times[times.size() / 2];  // the median run
  const double sps = steps / seconds;
  std::cout << std::left << std::setw(26) << id << " envs " << std::setw(5) << a.num_envs << " threads " << a.threads
            << std::right << std::fixed << std::setprecision(2) << std::setw(10) << sps / 1e6 << " M steps/s"
            << std::setw(10) << std::setprecision(1) << 1e9 * seconds / steps << " ns/step  (" << steps << " steps in "
            << std::setprecision(3) << seconds << " s" << (a.repeat > 1 ? ", median of " + std::to_string(a.repeat) + " runs" : "")
            << ")\n";
  if (!a.label.empty()) std::cout << "BENCH " << a.label << " " << std::setprecision(0) << sps << "\n";
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  BenchArgs a;
  std::string what, id;
  po::options_description opts("options");
  opts.add_options()("help,h", "this text")
      ("num-envs,n", po::value(&a.num_envs)->default_value(1), "envs stepped together (1: a single Env, no VectorEnv)")
      ("threads,t", po::value(&a.threads)->default_value(1), "threads stepping a VectorEnv (0: one per core)")
      ("steps,s", po::value(&a.steps)->default_value(2'000'000), "env steps to time")
      ("repeat,r", po::value(&a.repeat)->default_value(1), "timed runs; the median is reported")
      ("label", po::value(&a.label), "also print `BENCH <label> <steps_per_second>`");
  po::options_description hidden;
  hidden.add_options()("what", po::value(&what))("id", po::value(&id));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("what", 1).add("id", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "pavlov bench: " << e.what() << ". Run `pavlov bench --help`.\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: pavlov bench env [ID] [options]\n\nSteps an environment with random actions and prints "
                 "steps per second.\nWithout ID, every registered environment is timed on its own.\n\n"
              << opts;
    return 0;
  }
  if (what != "env") {
    std::cerr << "pavlov bench: expected `pavlov bench env [ID]`. Run `pavlov bench --help`.\n";
    return 2;
  }
  if (a.num_envs < 1 || a.steps < 1 || a.repeat < 1) {
    std::cerr << "pavlov bench: --num-envs, --steps and --repeat must be >= 1\n";
    return 2;
  }
  if (id.empty()) {
    for (const auto& each : EnvRegistry::global().ids()) report(each, a);
  } else {
    EnvRegistry::global().find(id);  // a clear error for an unknown id
    report(id, a);
  }
  return 0;
}

}  // namespace pavlov::cli
