// [task] kind = "text_classify": which fortune file (category) a fortune comes
// from, learned by a Transformer encoder ([net] type = "bert",
// nets/transformer.h) pretrained with masked-token prediction, against a
// bag-of-words logistic regression on the same split.
//
// Data (dataset = "fortunes"): the fortunes of each file named in
// `categories`, shuffled with the seed and cut to the size of the smallest
// (balanced classes); the first 80 % of each class train, the rest test.
// Pretraining reads every fortune of every file except the test ones.
// Tokens: bytes, or byte-level BPE (tokenizer = "bpe") learned from the
// pretraining text; a fortune is cut to `context` tokens; two more ids stand
// for padding and [MASK].
//
// Phase 1, `pretrain_steps` steps: batches of `context`-token windows at
// random places in the pretraining fortunes' tokens laid end to end (full
// windows, no padding: RoBERTa's packing, ~3x the text per step of one
// padded fortune per row, most fortunes being short); 15 % of the tokens are chosen, 80 % of those become [MASK], 10 % a random
// token, 10 % stay; the loss is the cross-entropy of the chosen tokens
// (Devlin et al., 2019). Phase 2, `steps` steps: batches of random training
// fortunes; mean-pooled hidden states -> a linear layer over the classes,
// cross-entropy, a fresh optimizer whose peak learning rate is finetune_lr
// (pretraining's is optimizer.lr). Each phase runs its own lr schedule. Every
// eval_every steps of phase 2 the test accuracy is logged (reported, never
// used to choose anything).
//
// The baseline: logistic regression on binary bag-of-words features (words:
// lowercased runs of letters and digits seen in at least 2 training
// fortunes), full-batch Adam, its L2 weight picked from {1e-4, 1e-3, 1e-2} on
// the last 10 % of each training class, then refitted on all of it.
#include <chrono>
#include <iostream>
#include <map>
#include <set>
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
#include "nets/data/bpe.h"
#include "nets/data/text_corpus.h"
#include "nets/optim.h"
#include "nets/transformer.h"

namespace pavlov::nets {
namespace {

using Tokens = std::vector<data::BpeTokenizer::Token>;

struct Example {
  std::string text;
  std::int64_t label = 0;
};

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

// Binary bag-of-words logistic regression: returns the test accuracy.
double bag_of_words_accuracy(const std::vector<Example>& train, const std::vector<Example>& test, std::int64_t classes,
                             std::uint64_t seed) {
  std::map<std::string, int> df;
  for (const auto& e : train) {
    const auto w = words_of(e.text);
    for (const auto& word : std::set<std::string>(w.begin(), w.end())) ++df[word];
  }
  std::map<std::string, std::int64_t> index;
  for (const auto& [word, n] : df)
    if (n >= 2) index.emplace(word, static_cast<std::int64_t>(index.size()));
  const auto V = static_cast<std::int64_t>(index.size());
  auto features = [&](const std::vector<Example>& set) {
    torch::Tensor x = torch::zeros({static_cast<std::int64_t>(set.size()), V});
    torch::Tensor y = torch::empty({static_cast<std::int64_t>(set.size())}, torch::kInt64);
    auto xa = x.accessor<float, 2>();
    auto ya = y.accessor<std::int64_t, 1>();
    for (std::size_t i = 0; i < set.size(); ++i) {
      const auto row = static_cast<std::int64_t>(i);
      for (const auto& w : words_of(set[i].text))
        if (auto it = index.find(w); it != index.end()) xa[row][it->second] = 1.0f;
      ya[row] = set[i].label;
    }
    return std::make_pair(x, y);
  };
  auto fit = [&](const torch::Tensor& x, const torch::Tensor& y, double l2) {
    torch::manual_seed(derive_seed(seed, 0xB0));
    torch::nn::Linear lr(V, classes);
    torch::optim::Adam opt(lr->parameters(), torch::optim::AdamOptions(0.05));
    for (int step = 0; step < 300; ++step) {
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(lr(x), y) + l2 * lr->weight.pow(2).sum();
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    return lr;
  };
  auto accuracy = [](torch::nn::Linear& lr, const torch::Tensor& x, const torch::Tensor& y) {
    torch::NoGradGuard no_grad;
    return lr(x).argmax(1).eq(y).to(torch::kFloat64).mean().item<double>();
  };
  // The L2 weight, chosen on the last 10 % of each class (training examples come class by class).
  std::vector<Example> fit_part, dev_part;
  std::map<std::int64_t, std::vector<const Example*>> by_class;
  for (const auto& e : train) by_class[e.label].push_back(&e);
  for (const auto& [label, list] : by_class)
    for (std::size_t i = 0; i < list.size(); ++i) (i < list.size() * 9 / 10 ? fit_part : dev_part).push_back(*list[i]);
  const auto [xf, yf] = features(fit_part);
  const auto [xd, yd] = features(dev_part);
  double best_l2 = 1e-3, best = -1;
  for (double l2 : {1e-4, 1e-3, 1e-2}) {
    auto lr = fit(xf, yf, l2);
    const double a = accuracy(lr, xd, yd);
    if (a > best) {
      best = a;
      best_l2 = l2;
    }
  }
  const auto [xt, yt] = features(train);
  const auto [xs, ys] = features(test);
  auto lr = fit(xt, yt, best_l2);
  return accuracy(lr, xs, ys);
}

class TextClassifyTask : public Task {
 public:
  explicit TextClassifyTask(const Config& cfg) : cfg_(cfg), schedule_(cfg) {
    if (cfg.get_string("task.dataset") != "fortunes")
      throw std::invalid_argument("task.kind = \"text_classify\" reads fortunes: dataset = \"fortunes\"");
    if (cfg.get_string("net.type") != "bert")
      throw std::invalid_argument("task.kind = \"text_classify\" needs [net] type = \"bert\", not \"" +
                                  cfg.get_string("net.type") + "\"");
    device_name_ = setup_compute(cfg.get_string("experiment.device"), static_cast<int>(cfg.get_int("experiment.threads")));
    device_ = torch::Device(device_name_);
    seed_ = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"));
    context_ = cfg.get_int("task.context");
    finetune_lr_ = cfg.get_float("task.finetune_lr");
    load_data();
    if (cfg.get_string("task.tokenizer") == "bpe")
      tokenizer_ = data::BpeTokenizer::train(pretrain_text_, static_cast<int>(cfg.get_int("task.vocab_size")));
    pad_ = tokenizer_.vocab_size();
    mask_ = pad_ + 1;
    for (const auto& f : pretrain_) {
      const Tokens t = tokenizer_.encode(f);
      pretrain_stream_.insert(pretrain_stream_.end(), t.begin(), t.end());
    }
    if (static_cast<std::int64_t>(pretrain_stream_.size()) <= context_)
      throw std::invalid_argument("task.context: longer than the whole pretraining text");
    for (const auto& e : train_) train_ids_.push_back(cut(e.text));
    for (const auto& e : test_) test_ids_.push_back(cut(e.text));
    torch::manual_seed(derive_seed(seed_, 0x6B8));
    bert_ = Bert(bert_options_from(cfg, "net", pad_ + 2, context_, pad_));
    head_ = torch::nn::Linear(cfg.get_int("net.dim"), classes_);
    bert_->to(device_);
    head_->to(device_);
    new_optimizer();
    rng_ = Rng(derive_seed(seed_, 0x7E48));
  }

  const std::string& device() const override { return device_name_; }

  bool run(const std::filesystem::path& dir, bool resume, const std::atomic<bool>* stop) override {
    if (resume)
      if (const auto latest = io::latest_checkpoint(dir)) restore(io::read_checkpoint(*latest));
    const std::int64_t pretrain = cfg_.get_int("task.pretrain_steps"), finetune = cfg_.get_int("task.steps");
    const std::int64_t eval_every = cfg_.get_int("task.eval_every"), batch = cfg_.get_int("task.batch_size");
    const double grad_clip = cfg_.get_float("optimizer.grad_clip");
    io::MetricsLog log(dir, {"step", "wall_time", "phase", "loss", "test_accuracy", "lr"}, resume ? step_ : -1);
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    std::int64_t loss_n = 0;
    std::vector<std::size_t> rows(static_cast<std::size_t>(batch));
    while (step_ < pretrain + finetune) {
      if (stop && stop->load()) return false;
      const bool mlm = step_ < pretrain;
      if (step_ == pretrain && pretrain > 0 && !fine_tuning_) {  // phase 2 starts with a fresh optimizer
        new_optimizer();
        fine_tuning_ = true;
      }
      const double progress = mlm ? static_cast<double>(step_) / static_cast<double>(pretrain)
                                  : static_cast<double>(step_ - pretrain) / static_cast<double>(finetune);
      // The schedule's shape; fine-tuning scaled to its own peak.
      const double lr = schedule_.at(progress) * (mlm ? 1.0 : finetune_lr_ / cfg_.get_float("optimizer.lr"));
      for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
      // Pretraining rows are window starts in the token stream, fine-tuning rows training fortunes.
      const std::size_t choices = mlm ? pretrain_stream_.size() - static_cast<std::size_t>(context_) + 1 : train_ids_.size();
      for (auto& r : rows) r = static_cast<std::size_t>(rng_.below(choices));
      const torch::Tensor loss = mlm ? mlm_loss(rows) : classify_loss(rows);
      optimizer_->zero_grad();
      loss.backward();
      if (grad_clip > 0) torch::nn::utils::clip_grad_norm_(parameters(), grad_clip);
      optimizer_step(*optimizer_);
      loss_sum += loss.item<double>();
      ++loss_n;
      ++step_;
      const bool phase_end = step_ == pretrain || step_ == pretrain + finetune;
      if (step_ % eval_every == 0 || phase_end) {
        const bool in_finetune = step_ > pretrain;
        last_accuracy_ = in_finetune ? test_accuracy() : std::numeric_limits<double>::quiet_NaN();
        if (!in_finetune) last_mlm_loss_ = loss_sum / loss_n;
        const double wall = wall_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        log.row({static_cast<double>(step_), wall, in_finetune ? 2.0 : 1.0, loss_sum / loss_n, last_accuracy_, lr});
        std::cerr << "step " << step_ << "/" << pretrain + finetune << (in_finetune ? "  fine-tune loss " : "  masked-token loss ")
                  << loss_sum / loss_n;
        if (in_finetune) std::cerr << "  test accuracy " << last_accuracy_;
        std::cerr << "\n";
        loss_sum = 0;
        loss_n = 0;
        io::save_run_checkpoint(dir, step_, sections(wall));
      }
    }
    const double bow = bag_of_words_accuracy(train_, test_, classes_, seed_);
    std::cerr << "test accuracy: Transformer " << last_accuracy_ << ", bag-of-words logistic regression " << bow << "\n";
    std::ostringstream json;
    json.precision(6);
    json << "{\n  \"task\": \"text_classify\",\n  \"dataset\": \"fortunes\",\n  \"classes\": " << classes_
         << ",\n  \"train_examples\": " << train_.size() << ",\n  \"test_examples\": " << test_.size()
         << ",\n  \"pretrain_steps\": " << pretrain << ",\n  \"steps\": " << finetune << ",\n  \"final_mlm_loss\": "
         << last_mlm_loss_ << ",\n  \"test_accuracy\": " << last_accuracy_ << ",\n  \"bow_test_accuracy\": " << bow
         << ",\n  \"time\": \"" << io::utc_iso8601() << "\"\n}\n";
    io::write_file_atomic(dir / "eval.json", json.str());
    return true;
  }

 private:
  void load_data() {
    const auto names = cfg_.get_string_list("task.categories");
    if (names.size() < 2) throw std::invalid_argument("task.categories: name at least 2 fortune files");
    classes_ = static_cast<std::int64_t>(names.size());
    std::vector<std::vector<std::string>> per_class;
    for (const auto& name : names) {
      const auto file = data::kFortunesDir / name;
      if (!std::filesystem::exists(file))
        throw std::invalid_argument("task.categories: no fortune file '" + name + "' in " + data::kFortunesDir.string() +
                                    " (install Debian's fortunes package; `ls " + data::kFortunesDir.string() + "`)");
      per_class.push_back(data::read_fortune_file(file));
    }
    std::size_t n = per_class.front().size();
    for (const auto& c : per_class) n = std::min(n, c.size());
    if (n < 10) throw std::invalid_argument("task.categories: a category has fewer than 10 fortunes");
    Rng rng(derive_seed(seed_, 0x5EB));
    std::set<std::string> held_out;
    for (std::size_t c = 0; c < per_class.size(); ++c) {
      auto& list = per_class[c];
      for (std::size_t i = list.size() - 1; i > 0; --i) std::swap(list[i], list[rng.below(i + 1)]);
      for (std::size_t i = 0; i < n; ++i) {
        const Example e{list[i], static_cast<std::int64_t>(c)};
        if (i < n * 8 / 10) train_.push_back(e);
        else {
          test_.push_back(e);
          held_out.insert(list[i]);
        }
      }
    }
    for (const auto& entry : std::filesystem::directory_iterator(data::kFortunesDir)) {
      const auto& p = entry.path();
      if (p.has_extension() || !std::filesystem::exists(p.string() + ".dat")) continue;
      for (auto& f : data::read_fortune_file(p))
        if (!held_out.count(f)) pretrain_.push_back(std::move(f));
    }
    std::sort(pretrain_.begin(), pretrain_.end());  // the directory's order is the file system's
    for (const auto& f : pretrain_) pretrain_text_ += f;
  }

  Tokens cut(const std::string& text) const {
    Tokens t = tokenizer_.encode(text);
    if (static_cast<std::int64_t>(t.size()) > context_) t.resize(static_cast<std::size_t>(context_));
    return t;
  }

  // The rows' tokens, padded to the longest, [B, T] int64 on the CPU.
  torch::Tensor batch_of(const std::vector<Tokens>& pool, const std::vector<std::size_t>& rows) const {
    std::size_t length = 1;
    for (auto r : rows) length = std::max(length, pool[r].size());
    torch::Tensor t = torch::full({static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(length)}, pad_,
                                  torch::kInt64);
    auto a = t.accessor<std::int64_t, 2>();
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = 0; j < pool[rows[i]].size(); ++j) a[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(j)] = pool[rows[i]][j];
    return t;
  }

  torch::Tensor mlm_loss(const std::vector<std::size_t>& rows) {
    torch::Tensor tokens = torch::empty({static_cast<std::int64_t>(rows.size()), context_}, torch::kInt64);
    for (std::size_t i = 0; i < rows.size(); ++i)
      std::copy_n(pretrain_stream_.begin() + static_cast<std::ptrdiff_t>(rows[i]), context_,
                  tokens.data_ptr<std::int64_t>() + static_cast<std::int64_t>(i) * context_);
    torch::Tensor targets = torch::full_like(tokens, -100);  // -100: not scored
    auto t = tokens.accessor<std::int64_t, 2>();
    auto y = targets.accessor<std::int64_t, 2>();
    for (std::int64_t i = 0; i < tokens.size(0); ++i)
      for (std::int64_t j = 0; j < tokens.size(1); ++j) {
        if (t[i][j] == pad_ || rng_.uniform() >= 0.15) continue;
        y[i][j] = t[i][j];
        const double u = rng_.uniform();
        if (u < 0.8) t[i][j] = mask_;
        else if (u < 0.9) t[i][j] = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(pad_)));
      }
    // Only the chosen positions go through the output layer (a vocabulary-wide
    // matmul at every position would cost ~7x more and score nothing).
    const torch::Tensor hidden = bert_->forward(tokens.to(device_));
    const torch::Tensor chosen = targets.reshape({-1}).ne(-100).nonzero().squeeze(1).to(device_);
    if (chosen.numel() == 0) return hidden.sum() * 0.0;  // nothing drawn in this batch (tiny batches only)
    const torch::Tensor picked = hidden.reshape({-1, hidden.size(-1)}).index_select(0, chosen);
    return torch::nn::functional::cross_entropy(bert_->token_logits(picked),
                                                targets.reshape({-1}).to(device_).index_select(0, chosen));
  }

  torch::Tensor class_logits(const torch::Tensor& tokens) { return head_(bert_->pooled(bert_->forward(tokens), tokens)); }

  torch::Tensor classify_loss(const std::vector<std::size_t>& rows) {
    const torch::Tensor x = batch_of(train_ids_, rows).to(device_);
    std::vector<std::int64_t> labels;
    for (auto r : rows) labels.push_back(train_[r].label);
    return torch::nn::functional::cross_entropy(class_logits(x), torch::tensor(labels, torch::kInt64).to(device_));
  }

  double test_accuracy() {
    torch::NoGradGuard no_grad;
    bert_->eval();
    std::int64_t right = 0;
    for (std::size_t first = 0; first < test_ids_.size(); first += 128) {
      std::vector<std::size_t> rows;
      for (std::size_t r = first; r < std::min(test_ids_.size(), first + 128); ++r) rows.push_back(r);
      const torch::Tensor pred = class_logits(batch_of(test_ids_, rows).to(device_)).argmax(1).to(torch::kCPU);
      for (std::size_t i = 0; i < rows.size(); ++i) right += pred[static_cast<std::int64_t>(i)].item<std::int64_t>() == test_[rows[i]].label;
    }
    bert_->train();
    return static_cast<double>(right) / static_cast<double>(std::max<std::size_t>(1, test_ids_.size()));
  }

  std::vector<torch::Tensor> parameters() const {
    auto p = bert_->parameters();
    for (auto& h : head_->parameters()) p.push_back(h);
    return p;
  }

  void new_optimizer() { optimizer_ = make_optimizer(cfg_, parameters()); }

  io::CheckpointSections sections(double wall) {
    std::ostringstream progress;
    io::write_pod(progress, step_);
    io::write_pod(progress, fine_tuning_);
    io::write_pod(progress, last_accuracy_);
    io::write_pod(progress, last_mlm_loss_);
    io::write_pod(progress, wall);
    io::write_pod(progress, rng_.state());
    io::write_string(progress, cpu_generator_bytes());
    return {{"text_classify", progress.str()},
            {"model", archive_bytes([&](torch::serialize::OutputArchive& a) {
               bert_->save(a);
               torch::serialize::OutputArchive head;
               head_->save(head);
               a.write("classifier", head);
             })},
            {"optimizer", saved_bytes(*optimizer_)}};
  }

  void restore(const io::CheckpointSections& s) {
    auto it = s.find("text_classify");
    if (it == s.end()) throw std::runtime_error("the checkpoint is not a text classifier's");
    std::istringstream progress(it->second);
    step_ = io::read_pod<std::int64_t>(progress);
    fine_tuning_ = io::read_pod<bool>(progress);
    last_accuracy_ = io::read_pod<double>(progress);
    last_mlm_loss_ = io::read_pod<double>(progress);
    wall_before_ = io::read_pod<double>(progress);
    rng_.set_state(io::read_pod<Rng::State>(progress));
    set_cpu_generator_bytes(io::read_string(progress));
    read_archive_bytes(s.at("model"), device_, [&](torch::serialize::InputArchive& a) {
      bert_->load(a);
      torch::serialize::InputArchive head;
      a.read("classifier", head);
      head_->load(head);
    });
    load_saved(s.at("optimizer"), device_, *optimizer_);
  }

  const Config& cfg_;
  LrSchedule schedule_;
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  std::uint64_t seed_ = 0;
  std::int64_t context_ = 128, classes_ = 0, pad_ = 256, mask_ = 257;
  double finetune_lr_ = 1e-4;
  std::vector<Example> train_, test_;
  std::vector<std::string> pretrain_;
  std::string pretrain_text_;
  data::BpeTokenizer tokenizer_;
  Tokens pretrain_stream_;  // every pretraining fortune's tokens, one after another
  std::vector<Tokens> train_ids_, test_ids_;
  Bert bert_{nullptr};
  torch::nn::Linear head_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  Rng rng_{0};
  std::int64_t step_ = 0;
  bool fine_tuning_ = false;
  double last_accuracy_ = std::numeric_limits<double>::quiet_NaN(), last_mlm_loss_ = std::numeric_limits<double>::quiet_NaN();
  double wall_before_ = 0;
};

const bool kRegistered = register_task(
    "text_classify", [](const Config& cfg) -> std::unique_ptr<Task> { return std::make_unique<TextClassifyTask>(cfg); });

}  // namespace
}  // namespace pavlov::nets
