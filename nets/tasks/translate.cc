// [task] kind = "translate": an encoder-decoder Transformer ([net] type =
// "seq2seq", nets/transformer.h) learns the generated language pair of
// nets/data/synthetic_language.h (dataset = "synthetic_pairs").
//
// The corpus is a pure function of the experiment's seed: `pairs` training
// pairs of at most `max_length` source words, `val_size` validation pairs and
// `test_size` test pairs of the same lengths never seen in training, and
// `test_size` long pairs of max_length + 1 .. long_length words, longer than
// any training sentence. Training draws `batch_size` random pairs a step
// (teacher forcing, cross-entropy per target token). Every eval_every steps:
// the validation loss and the greedy exact-match rate; at the end eval.json
// holds exact match and corpus BLEU-4 (over target tokens, suffixes counted
// as tokens) for greedy decoding and beam search (width `beam`), on the test
// set and on the long set. `pavlov sample RUN_DIR --prompt "the ..."` prints
// a source sentence's translation by beam search.
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/io/binary.h"
#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/metrics.h"
#include "engine/runtime/device.h"
#include "engine/runtime/task.h"
#include "nets/archive.h"
#include "nets/data/synthetic_language.h"
#include "nets/optim.h"
#include "nets/sequence_search.h"
#include "nets/transformer.h"

namespace pavlov::nets {
namespace {

constexpr std::int64_t kBegin = 1, kEnd = 2, kFirstWord = 3;  // kPadToken is 0

using Ids = std::vector<std::int64_t>;

// Word <-> id for one language: the specials, then the language's words in order.
class Vocabulary {
 public:
  explicit Vocabulary(const std::vector<std::string>& words) : words_(words) {
    for (std::size_t i = 0; i < words.size(); ++i) ids_[words[i]] = kFirstWord + static_cast<std::int64_t>(i);
  }
  std::int64_t size() const { return kFirstWord + static_cast<std::int64_t>(words_.size()); }
  Ids encode(const data::Sentence& s, const char* language) const {
    Ids out;
    for (const auto& w : s) {
      auto it = ids_.find(w);
      if (it == ids_.end())
        throw std::invalid_argument("'" + w + "' is not a word of the " + language + " language (e.g. " + words_.front() +
                                    ", " + words_[words_.size() / 2] + ", " + words_.back() + ")");
      out.push_back(it->second);
    }
    return out;
  }
  std::string decode(const Ids& ids) const {
    std::string out;
    for (std::int64_t id : ids) {
      if (!out.empty()) out += ' ';
      out += id >= kFirstWord && id < size() ? words_[static_cast<std::size_t>(id - kFirstWord)] : "<?>";
    }
    return out;
  }

 private:
  std::vector<std::string> words_;
  std::map<std::string, std::int64_t> ids_;
};

struct EncodedSet {
  std::vector<Ids> source, target;
};

struct Score {
  double exact = 0, bleu = 0;
};

class TranslateTask : public Task {
 public:
  explicit TranslateTask(const Config& cfg)
      : cfg_(cfg), schedule_(cfg), language_(derive_seed(static_cast<std::uint64_t>(cfg.get_int("experiment.seed")), 0x1A6)),
        source_vocab_(language_.source_words()), target_vocab_(language_.target_words()) {
    if (cfg.get_string("task.dataset") != "synthetic_pairs")
      throw std::invalid_argument("task.kind = \"translate\" reads sentence pairs: dataset = \"synthetic_pairs\"");
    if (cfg.get_string("net.type") != "seq2seq")
      throw std::invalid_argument("task.kind = \"translate\" needs [net] type = \"seq2seq\", not \"" +
                                  cfg.get_string("net.type") + "\"");
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    const auto seed = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    const auto long_length = static_cast<std::size_t>(cfg.get_int("task.long_length"));
    const data::TranslationCorpus corpus = data::make_translation_corpus(
        language_, derive_seed(seed, 0xC0F), static_cast<std::size_t>(cfg.get_int("task.pairs")),
        static_cast<std::size_t>(cfg.get_int("task.val_size")), static_cast<std::size_t>(cfg.get_int("task.test_size")),
        static_cast<std::size_t>(cfg.get_int("task.max_length")), long_length);
    train_ = encode(corpus.train);
    val_ = encode(corpus.val);
    test_ = encode(corpus.test);
    long_test_ = encode(corpus.long_test);
    // Room for the longest target the grammar writes for long_length source
    // words (at most 2.5 tokens a word), its begin token and a margin.
    positions_ = static_cast<std::int64_t>(3 * long_length + 8);
    torch::manual_seed(derive_seed(seed, 0x6B7));
    model_ = Seq2Seq(seq2seq_options_from(cfg, "net", source_vocab_.size(), target_vocab_.size(), positions_));
    model_->to(device_);
    optimizer_ = make_optimizer(cfg, model_->parameters());
    rng_ = Rng(derive_seed(seed, 0x7E47));
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    const std::int64_t steps = cfg_.get_int("task.steps"), eval_every = cfg_.get_int("task.eval_every");
    const std::int64_t batch = cfg_.get_int("task.batch_size");
    const double grad_clip = cfg_.get_float("optimizer.grad_clip");
    io::MetricsLog log(dir, {"step", "wall_time", "pairs_per_s", "train_loss", "val_loss", "val_exact", "lr"},
                       resume ? step_ : -1);
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t step_at_start = step_;
    double train_sum = 0;
    std::int64_t train_n = 0;
    std::vector<std::size_t> rows(static_cast<std::size_t>(batch));
    while (step_ < steps) {
      if (stop && stop->load()) return false;  // the last checkpoint stays the resume point
      const double progress = static_cast<double>(step_) / static_cast<double>(steps);
      schedule_.apply(*optimizer_, progress);
      for (auto& r : rows) r = static_cast<std::size_t>(rng_.below(train_.source.size()));
      const torch::Tensor loss = batch_loss(train_, rows);
      optimizer_->zero_grad();
      loss.backward();
      if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), grad_clip);
      optimizer_step(*optimizer_);
      train_sum += loss.item<double>();
      ++train_n;
      ++step_;
      if (step_ % eval_every == 0 || step_ == steps) {
        const double val_loss = validation_loss();
        last_val_exact_ = score(val_, greedy(val_)).exact;
        const double wall = wall_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double pps = static_cast<double>((step_ - step_at_start) * batch) / std::max(1e-9, wall - wall_before_);
        log.row({static_cast<double>(step_), wall, pps, train_sum / train_n, val_loss, last_val_exact_,
                 schedule_.at(progress)});
        std::cerr << "step " << step_ << "/" << steps << "  train " << train_sum / train_n << "  val " << val_loss
                  << "  val exact " << last_val_exact_ << "  " << static_cast<std::int64_t>(pps) << " pairs/s\n";
        train_sum = 0;
        train_n = 0;
        io::save_run_checkpoint(dir, step_, sections(wall));
      }
    }
    write_evaluation(dir);
    return true;
  }

  std::string generate(const std::filesystem::path& checkpoint, const GenerateOptions& o) override {
    std::istringstream words(o.prompt);
    data::Sentence sentence;
    for (std::string w; words >> w;) sentence.push_back(w);
    if (sentence.empty()) throw std::invalid_argument("--prompt: give a sentence of the source language to translate");
    const Ids source = source_vocab_.encode(sentence, "source");
    restore(io::read_checkpoint(checkpoint));
    return target_vocab_.decode(beam(source));
  }

 private:
  EncodedSet encode(const std::vector<data::SentencePair>& pairs) const {
    EncodedSet s;
    for (const auto& p : pairs) {
      s.source.push_back(source_vocab_.encode(p.source, "source"));
      s.target.push_back(target_vocab_.encode(p.target, "target"));
    }
    return s;
  }

  // Rows of ids, padded to the longest, as a [rows, length] tensor on the device.
  torch::Tensor padded(const std::vector<const Ids*>& rows, std::int64_t lead, std::int64_t tail) const {
    std::size_t length = 0;
    for (const Ids* r : rows) length = std::max(length, r->size());
    const std::int64_t width = static_cast<std::int64_t>(length) + (lead >= 0) + (tail >= 0);
    std::vector<std::int64_t> flat(rows.size() * static_cast<std::size_t>(width), kPadToken);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::int64_t* out = flat.data() + i * static_cast<std::size_t>(width);
      if (lead >= 0) *out++ = lead;
      out = std::copy(rows[i]->begin(), rows[i]->end(), out);
      if (tail >= 0) *out = tail;
    }
    return torch::from_blob(flat.data(), {static_cast<std::int64_t>(rows.size()), width}, torch::kInt64)
        .to(device_, /*non_blocking=*/false, /*copy=*/true);  // flat dies here
  }

  // Mean cross-entropy per target token (the end token included) of the pairs at `rows`, teacher forced.
  torch::Tensor batch_loss(const EncodedSet& set, const std::vector<std::size_t>& rows,
                           torch::nn::functional::CrossEntropyFuncOptions::reduction_t reduction = torch::kMean) {
    std::vector<const Ids*> source, target;
    for (std::size_t r : rows) {
      source.push_back(&set.source[r]);
      target.push_back(&set.target[r]);
    }
    const torch::Tensor prefix = padded(target, kBegin, -1), labels = padded(target, -1, kEnd);
    const torch::Tensor logits = model_->forward(padded(source, -1, -1), prefix);
    return torch::nn::functional::cross_entropy(
        logits.reshape({-1, target_vocab_.size()}), labels.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kPadToken).reduction(reduction));
  }

  double validation_loss() {
    torch::NoGradGuard no_grad;
    model_->eval();
    double nll = 0, tokens = 0;
    for (std::size_t first = 0; first < val_.source.size(); first += kEvalBatch) {
      std::vector<std::size_t> rows;
      for (std::size_t r = first; r < std::min(val_.source.size(), first + kEvalBatch); ++r) {
        rows.push_back(r);
        tokens += static_cast<double>(val_.target[r].size() + 1);
      }
      nll += batch_loss(val_, rows, torch::kSum).item<double>();
    }
    model_->train();
    return nll / std::max(1.0, tokens);
  }

  std::vector<Ids> greedy(const EncodedSet& set) {
    torch::NoGradGuard no_grad;
    model_->eval();
    std::vector<Ids> out;
    for (std::size_t first = 0; first < set.source.size(); first += kEvalBatch) {
      std::vector<const Ids*> rows;
      for (std::size_t r = first; r < std::min(set.source.size(), first + kEvalBatch); ++r) rows.push_back(&set.source[r]);
      const torch::Tensor source = padded(rows, -1, -1), memory = model_->encode(source);
      const auto next = [&](const torch::Tensor& prefixes) {
        return torch::log_softmax(model_->decode(prefixes, memory, source).select(1, -1), -1);
      };
      for (auto& ids : greedy_decode(next, source.size(0), kBegin, kEnd, positions_ - 1, device_))
        out.push_back(std::move(ids));
    }
    model_->train();
    return out;
  }

  Ids beam(const Ids& source_ids) {
    torch::NoGradGuard no_grad;
    model_->eval();
    const torch::Tensor source = padded({&source_ids}, -1, -1), memory = model_->encode(source);
    const auto next = [&](const torch::Tensor& prefixes) {
      const std::int64_t n = prefixes.size(0);
      return torch::log_softmax(
          model_->decode(prefixes, memory.expand({n, -1, -1}), source.expand({n, -1})).select(1, -1), -1);
    };
    Ids out = beam_search(next, kBegin, kEnd, positions_ - 1, static_cast<int>(cfg_.get_int("task.beam")),
                          cfg_.get_float("task.length_penalty"), device_);
    model_->train();
    return out;
  }

  static Score score(const EncodedSet& set, const std::vector<Ids>& hypotheses) {
    Score s;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) s.exact += hypotheses[i] == set.target[i];
    s.exact /= static_cast<double>(std::max<std::size_t>(1, hypotheses.size()));
    s.bleu = data::corpus_bleu(hypotheses, set.target);
    return s;
  }

  void write_evaluation(const std::filesystem::path& dir) {
    std::ostringstream json;
    json.precision(6);
    json << "{\n  \"task\": \"translate\",\n  \"dataset\": \"synthetic_pairs\",\n  \"steps\": " << step_
         << ",\n  \"train_pairs\": " << train_.source.size() << ",\n  \"max_length\": " << cfg_.get_int("task.max_length")
         << ",\n  \"long_length\": " << cfg_.get_int("task.long_length") << ",\n  \"beam\": " << cfg_.get_int("task.beam")
         << ",\n  \"length_penalty\": " << cfg_.get_float("task.length_penalty");
    for (const auto& [name, set] : {std::pair<const char*, const EncodedSet*>{"test", &test_}, {"long_test", &long_test_}}) {
      const std::vector<Ids> greedy_out = greedy(*set);
      std::vector<Ids> beam_out;
      for (const auto& s : set->source) beam_out.push_back(beam(s));
      const Score g = score(*set, greedy_out), b = score(*set, beam_out);
      json << ",\n  \"" << name << "\": {\"pairs\": " << set->source.size() << ", \"greedy_exact\": " << g.exact
           << ", \"greedy_bleu\": " << 100 * g.bleu << ", \"beam_exact\": " << b.exact << ", \"beam_bleu\": " << 100 * b.bleu
           << "}";
      std::cerr << name << ": exact match " << g.exact << " greedy, " << b.exact << " beam; BLEU " << 100 * g.bleu
                << " greedy, " << 100 * b.bleu << " beam\n";
      for (std::size_t i = 0; i < std::min<std::size_t>(2, set->source.size()); ++i)
        std::cerr << "  " << source_vocab_.decode(set->source[i]) << "\n    -> " << target_vocab_.decode(beam_out[i])
                  << (beam_out[i] == set->target[i] ? "" : "\n    reference " + target_vocab_.decode(set->target[i])) << "\n";
    }
    json << ",\n  \"time\": \"" << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
  }

  io::CheckpointSections sections(double wall) {
    std::ostringstream progress;
    io::write_pod(progress, step_);
    io::write_pod(progress, last_val_exact_);
    io::write_pod(progress, wall);
    io::write_pod(progress, rng_.state());
    io::write_string(progress, cpu_generator_bytes());
    return {{"translate", progress.str()},
            {"model", saved_bytes(*model_)},
            {"optimizer", saved_bytes(*optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    auto it = s.find("translate");
    if (it == s.end()) throw std::runtime_error("the checkpoint is not a translation model's");
    std::istringstream progress(it->second);
    step_ = io::read_pod<std::int64_t>(progress);
    last_val_exact_ = io::read_pod<double>(progress);
    wall_before_ = io::read_pod<double>(progress);
    rng_.set_state(io::read_pod<Rng::State>(progress));
    set_cpu_generator_bytes(io::read_string(progress));
    load_saved(s.at("model"), device_, *model_);
    load_saved(s.at("optimizer"), device_, *optimizer_);
  }

  static constexpr std::size_t kEvalBatch = 256;

  const Config& cfg_;
  LrSchedule schedule_;
  data::SyntheticLanguage language_;
  Vocabulary source_vocab_, target_vocab_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  EncodedSet train_, val_, test_, long_test_;
  std::int64_t positions_ = 0;
  Seq2Seq model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Rng rng_{0};
  std::int64_t step_ = 0;
  double last_val_exact_ = 0, wall_before_ = 0;
};

const bool kRegistered = register_task(
    "translate", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<TranslateTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
