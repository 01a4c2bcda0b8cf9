// [task] kind = "language_model": a GPT (nets/transformer.h), or its recurrent
// baseline ([net] type = "lstm_lm"), trained to predict the next token of a
// text corpus (nets/data/text_corpus.h). Tokens are bytes (tokenizer =
// "bytes"), or byte-level BPE tokens (tokenizer = "bpe", nets/data/bpe.h)
// learned from the training text up to vocab_size; the merges are saved with
// the run (tokenizer.bpe and every checkpoint).
//
// Training draws windows of `context` + 1 tokens at random offsets of the
// training tokens (seeded; the generator is saved with checkpoints, so a
// resumed run draws what the uninterrupted one would have). Every eval_every
// steps the validation loss is taken over the first eval_tokens bytes of the
// validation text, tokenized and cut into consecutive windows of `context`
// tokens (a partial last window is left out), in nats per character: the
// summed cross-entropy over the bytes the scored tokens stand for, so bytes
// and BPE models compare. The run folder's eval.json reports the final and
// best validation losses beside a byte-bigram baseline fitted on the training
// text (add-one smoothing) and scored on the validation bytes; `pavlov sample
// RUN_DIR` prints text.
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <sstream>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/io/binary.h"
#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/metrics.h"
#include "engine/runtime/device.h"
#include "engine/runtime/task.h"
#include "nets/archive.h"
#include "nets/data/bpe.h"
#include "nets/data/text_corpus.h"
#include "nets/optim.h"
#include "nets/transformer.h"

namespace pavlov::nets {
namespace {

const bool kLstmRegistered = [] {
  auto i = [](const char* name, std::int64_t def, const char* help) {
    return KeySpec{.name = name, .type = KeyType::kInt, .default_value = def, .help = help, .min = 1, .max = 65536};
  };
  KeySpec dropout{.name = "dropout", .type = KeyType::kFloat, .default_value = 0.1,
                  .help = "dropout between the LSTM's layers and before the output layer", .min = 0.0, .max = 0.9};
  Catalog::global().add({"net", "lstm_lm", "LSTM language model, the GPT's recurrent baseline ([task] kind = \"language_model\")",
                         {i("dim", 256, "embedding and hidden width"), i("layers", 3, "stacked LSTM layers"), dropout}});
  return true;
}();

// The recurrent baseline: byte embedding, a stacked LSTM, a linear layer to the next byte's logits.
class LstmLmImpl : public torch::nn::Module {
 public:
  LstmLmImpl(std::int64_t vocab, std::int64_t dim, std::int64_t layers, double dropout) {
    embed_ = register_module("embed", torch::nn::Embedding(vocab, dim));
    lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(dim, dim).num_layers(layers).dropout(
                                                        layers > 1 ? dropout : 0.0).batch_first(true)));
    dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
    head_ = register_module("head", torch::nn::Linear(dim, vocab));
  }
  torch::Tensor forward(const torch::Tensor& tokens) {
    return head_(dropout_(std::get<0>(lstm_(embed_(tokens)))));
  }

 private:
  torch::nn::Embedding embed_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(LstmLm);

class LanguageModelTask : public Task {
 public:
  explicit LanguageModelTask(const Config& cfg) : cfg_(cfg), schedule_(cfg) {
    if (cfg.get_string("task.dataset") != "fortunes")
      throw std::invalid_argument("task.kind = \"language_model\" reads text: dataset = \"fortunes\"");
    const std::string net_type = cfg.get_string("net.type");
    if (net_type != "gpt" && net_type != "lstm_lm")
      throw std::invalid_argument("task.kind = \"language_model\" needs [net] type = \"gpt\" or \"lstm_lm\", not \"" +
                                  net_type + "\"");
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    seed_ = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    context_ = cfg.get_int("task.context");
    data::load_fortunes(train_, val_);
    const std::int64_t eval_tokens = cfg.get_int("task.eval_tokens");
    if (eval_tokens > 0 && eval_tokens < static_cast<std::int64_t>(val_.text.size())) val_.text.resize(eval_tokens);
    bpe_ = cfg.get_string("task.tokenizer") == "bpe";
    if (bpe_) tokenizer_ = data::BpeTokenizer::train(train_.text, static_cast<int>(cfg.get_int("task.vocab_size")));
    vocab_ = tokenizer_.vocab_size();
    train_ids_ = tokenizer_.encode(train_.text);
    val_ids_ = tokenizer_.encode(val_.text);
    if (static_cast<std::int64_t>(train_ids_.size()) <= context_ + 1)
      throw std::invalid_argument("task.context is longer than the training text");
    torch::manual_seed(derive_seed(seed_, 0x6B7));
    if (net_type == "gpt") {
      Gpt gpt(gpt_options_from(cfg, "net", vocab_, context_));
      model_ = gpt.ptr();
      forward_ = [gpt](const torch::Tensor& t) mutable { return gpt->forward(t); };
    } else {
      LstmLm lstm(vocab_, cfg.get_int("net.dim"), cfg.get_int("net.layers"), cfg.get_float("net.dropout"));
      model_ = lstm.ptr();
      forward_ = [lstm](const torch::Tensor& t) mutable { return lstm->forward(t); };
    }
    model_->to(device_);
    optimizer_ = make_optimizer(cfg, model_->parameters());
    rng_ = Rng(derive_seed(seed_, 0x7E47));
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    const std::int64_t steps = cfg_.get_int("task.steps"), eval_every = cfg_.get_int("task.eval_every");
    const std::int64_t batch = cfg_.get_int("task.batch_size");
    const double grad_clip = cfg_.get_float("optimizer.grad_clip");
    const double bigram = data::bigram_nats_per_byte(train_.text, val_.text);
    if (bpe_ && !resume) {
      std::ostringstream merges;
      tokenizer_.save(merges);
      io::write_file_atomic(dir / "tokenizer.bpe", merges.str());
    }
    io::MetricsLog log(dir, {"step", "wall_time", "tokens_per_s", "train_loss", "val_loss", "bigram_val_loss", "lr"},
                       resume ? step_ : -1);
    std::vector<std::int64_t> windows(static_cast<std::size_t>(batch * (context_ + 1)));
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t step_at_start = step_;
    double train_sum = 0;
    std::int64_t train_n = 0;
    while (step_ < steps) {
      if (stop && stop->load()) return false;  // the last checkpoint stays the resume point
      const double progress = static_cast<double>(step_) / static_cast<double>(steps);
      schedule_.apply(*optimizer_, progress);
      for (std::int64_t b = 0; b < batch; ++b) {
        const auto at = static_cast<std::size_t>(rng_.below(train_ids_.size() - static_cast<std::size_t>(context_) - 1));
        for (std::int64_t t = 0; t <= context_; ++t) windows[static_cast<std::size_t>(b * (context_ + 1) + t)] = train_ids_[at + t];
      }
      const torch::Tensor w = torch::from_blob(windows.data(), {batch, context_ + 1}, torch::kInt64).to(device_);
      const torch::Tensor logits = forward_(w.slice(1, 0, context_));
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits.reshape({-1, vocab_}),
                                                                      w.slice(1, 1, context_ + 1).reshape({-1}));
      optimizer_->zero_grad();
      loss.backward();
      if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), grad_clip);
      optimizer_step(*optimizer_);
      train_sum += loss.item<double>();
      ++train_n;
      ++step_;
      if (step_ % eval_every == 0 || step_ == steps) {
        const double val = validation_loss();
        best_val_ = std::min(best_val_, val);
        last_val_ = val;
        const double wall = wall_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double tps = static_cast<double>((step_ - step_at_start) * batch * context_) /
                           std::max(1e-9, wall - wall_before_);
        log.row({static_cast<double>(step_), wall, tps, train_sum / train_n, val, bigram, schedule_.at(progress)});
        std::cerr << "step " << step_ << "/" << steps << "  train " << train_sum / train_n << "  val " << val
                  << " nats/char (bigram " << bigram << ")  " << static_cast<std::int64_t>(tps) << " tokens/s\n";
        train_sum = 0;
        train_n = 0;
        io::save_run_checkpoint(dir, step_, sections(wall));
      }
    }
    std::ostringstream json;
    json.precision(6);
    json << "{\n  \"task\": \"language_model\",\n  \"dataset\": \"fortunes\",\n  \"tokenizer\": \""
         << (bpe_ ? "bpe" : "bytes") << "\",\n  \"vocab\": " << vocab_ << ",\n  \"steps\": " << step_
         << ",\n  \"val_loss\": " << last_val_ << ",\n  \"best_val_loss\": " << best_val_
         << ",\n  \"bigram_val_loss\": " << bigram << ",\n  \"below_bigram\": " << 1.0 - last_val_ / bigram
         << ",\n  \"val_bytes\": " << val_.text.size() << ",\n  \"train_bytes\": " << train_.text.size()
         << ",\n  \"time\": \"" << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
    return true;
  }

  std::string generate(const std::filesystem::path& checkpoint, const GenerateOptions& o) override {
    restore(io::read_checkpoint(checkpoint));
    torch::NoGradGuard no_grad;
    model_->eval();
    Rng rng(o.seed);
    std::vector<std::int64_t> tokens;
    for (auto t : tokenizer_.encode(o.prompt)) tokens.push_back(t);
    if (tokens.empty()) tokens.push_back('\n');
    const std::size_t prompt_tokens = tokens.size();
    std::vector<double> p(static_cast<std::size_t>(vocab_));
    std::vector<std::int64_t> order(static_cast<std::size_t>(vocab_));
    for (int i = 0; i < o.tokens; ++i) {
      const std::int64_t first = std::max<std::int64_t>(0, static_cast<std::int64_t>(tokens.size()) - context_);
      const torch::Tensor x =
          torch::from_blob(tokens.data() + first, {1, static_cast<std::int64_t>(tokens.size()) - first}, torch::kInt64).to(device_);
      const torch::Tensor logits = forward_(x).select(1, -1).squeeze(0).to(torch::kCPU, torch::kFloat64).contiguous();
      const double* l = logits.data_ptr<double>();
      // Temperature, then keep the top k (all if 0), then draw.
      for (std::int64_t v = 0; v < vocab_; ++v) order[v] = v;
      std::sort(order.begin(), order.end(), [&](auto a, auto b) { return l[a] > l[b]; });
      const std::int64_t keep = o.top_k > 0 ? std::min<std::int64_t>(o.top_k, vocab_) : vocab_;
      double sum = 0;
      for (std::int64_t r = 0; r < keep; ++r) sum += (p[r] = std::exp((l[order[r]] - l[order[0]]) / o.temperature));
      double u = rng.uniform() * sum;
      std::int64_t pick = order[keep - 1];
      for (std::int64_t r = 0; r < keep; ++r)
        if ((u -= p[r]) < 0) {
          pick = order[r];
          break;
        }
      tokens.push_back(pick);
    }
    std::vector<data::BpeTokenizer::Token> written(tokens.begin() + static_cast<std::ptrdiff_t>(prompt_tokens), tokens.end());
    return o.prompt + tokenizer_.decode(written);
  }

 private:
  // Consecutive windows of the validation tokens, 64 to a forward pass; nats per byte scored.
  double validation_loss() {
    torch::NoGradGuard no_grad;
    model_->eval();
    const std::int64_t n = static_cast<std::int64_t>(val_ids_.size()), windows = (n - 1) / context_, per_pass = 64;
    double nll = 0;
    std::int64_t bytes = 0;
    std::vector<std::int64_t> chunk;
    for (std::int64_t first = 0; first < windows; first += per_pass) {
      const std::int64_t rows = std::min(per_pass, windows - first);
      chunk.resize(static_cast<std::size_t>(rows * (context_ + 1)));
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t t = 0; t <= context_; ++t) {
          const auto id = val_ids_[static_cast<std::size_t>((first + r) * context_ + t)];
          chunk[static_cast<std::size_t>(r * (context_ + 1) + t)] = id;
          if (t > 0) bytes += static_cast<std::int64_t>(tokenizer_.bytes_of(id).size());  // a scored target
        }
      const torch::Tensor w = torch::from_blob(chunk.data(), {rows, context_ + 1}, torch::kInt64).to(device_);
      const torch::Tensor logits = forward_(w.slice(1, 0, context_));
      nll += torch::nn::functional::cross_entropy(logits.reshape({-1, vocab_}), w.slice(1, 1, context_ + 1).reshape({-1}),
                                                  torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                 .item<double>();
    }
    model_->train();
    return nll / static_cast<double>(std::max<std::int64_t>(1, bytes));
  }

  io::CheckpointSections sections(double wall) {
    std::ostringstream progress;
    io::write_pod(progress, step_);
    io::write_pod(progress, best_val_);
    io::write_pod(progress, last_val_);
    io::write_pod(progress, wall);
    io::write_pod(progress, rng_.state());
    io::write_string(progress, cpu_generator_bytes());
    std::ostringstream merges;
    tokenizer_.save(merges);
    return {{"language_model", progress.str()},
            {"tokenizer", merges.str()},
            {"model", saved_bytes(*model_)},
            {"optimizer", saved_bytes(*optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    auto it = s.find("language_model");
    if (it == s.end()) throw std::runtime_error("the checkpoint is not a language model's");
    std::istringstream progress(it->second);
    step_ = io::read_pod<std::int64_t>(progress);
    best_val_ = io::read_pod<double>(progress);
    last_val_ = io::read_pod<double>(progress);
    wall_before_ = io::read_pod<double>(progress);
    rng_.set_state(io::read_pod<Rng::State>(progress));
    set_cpu_generator_bytes(io::read_string(progress));
    if (auto t = s.find("tokenizer"); t != s.end()) {  // the run's own merges
      std::istringstream merges(t->second);
      if (data::BpeTokenizer::load(merges).merges() != tokenizer_.merges())
        throw std::runtime_error("the checkpoint's tokenizer is not the one this configuration learns");
    }
    load_saved(s.at("model"), device_, *model_);
    load_saved(s.at("optimizer"), device_, *optimizer_);
  }

  const Config& cfg_;
  LrSchedule schedule_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  std::uint64_t seed_ = 0;
  std::int64_t context_ = 128;
  data::TextSplit train_, val_;
  bool bpe_ = false;
  data::BpeTokenizer tokenizer_;  // bytes only, unless bpe_
  std::int64_t vocab_ = 256;
  std::vector<data::BpeTokenizer::Token> train_ids_, val_ids_;
  std::shared_ptr<torch::nn::Module> model_;                       // the GPT or the LSTM
  std::function<torch::Tensor(const torch::Tensor&)> forward_;  // tokens [B, T] -> logits [B, T, vocab]
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Rng rng_{0};
  std::int64_t step_ = 0;
  double best_val_ = std::numeric_limits<double>::infinity(), last_val_ = std::numeric_limits<double>::quiet_NaN();
  double wall_before_ = 0;
};

const bool kRegistered = register_task(
    "language_model", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<LanguageModelTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
