#include "nets/data/synthetic_language.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_set>

namespace pavlov::data {
namespace {

const char* const kSourcePronouns[6] = {"i", "you", "he", "she", "we", "they"};
// The verb ending each pronoun takes in the target; a noun-phrase subject is 3sg or 3pl.
const char* const kPronounAgreement[6] = {"-1sg", "-2sg", "-3sg", "-3sg", "-1pl", "-3pl"};
const char* const kSuffixes[] = {"-pl", "-acc", "-loc", "-pst", "-1sg", "-2sg", "-3sg", "-1pl", "-3pl"};

// Made-up words of two syllables (three for a longer lexicon), consonant then
// vowel, never one already taken: each language's words end in a vowel, so
// the source's "s" and "ed" endings cannot make one stem look like another.
class WordMaker {
 public:
  WordMaker(std::uint64_t seed, const char* consonants, std::set<std::string> taken)
      : rng_(seed), consonants_(consonants), taken_(std::move(taken)) {}
  std::string make() {
    for (int attempt = 0;; ++attempt) {
      std::string w;
      const int syllables = attempt < 200 ? 2 : 3;
      for (int s = 0; s < syllables; ++s) {
        w += consonants_[rng_.below(consonants_.size())];
        w += "aeiou"[rng_.below(5)];
      }
      if (taken_.insert(w).second && taken_.insert(w + "s").second) return w;
    }
  }

 private:
  Rng rng_;
  std::string consonants_;
  std::set<std::string> taken_;
};

std::string joined(const Sentence& s) {
  std::string out;
  for (const auto& w : s) out += w + " ";
  return out;
}

}  // namespace

SyntheticLanguage::SyntheticLanguage(std::uint64_t seed, SyntheticLanguageOptions o) {
  if (o.nouns < 1 || o.verbs < 1 || o.adjectives < 4 || o.prepositions < 1)
    throw std::invalid_argument("synthetic language: needs nouns, verbs, prepositions >= 1 and adjectives >= 4");
  WordMaker source(derive_seed(seed, 1), "bdfgklmnprstvz",
                   {"a", "the", "some", "and", "i", "you", "he", "she", "we", "they"});
  WordMaker target(derive_seed(seed, 2), "hjkmnqtwxz", {});
  auto fill = [&](std::vector<Noun>& words, int n) {
    for (int i = 0; i < n; ++i) words.push_back({source.make(), target.make()});
  };
  fill(nouns_, o.nouns);
  fill(verbs_, o.verbs);
  fill(adjectives_, o.adjectives);
  fill(prepositions_, o.prepositions);
  for (auto& p : target_pronouns_) p = target.make();
  indefinite_ = target.make();
  quantifier_ = target.make();
  conjunction_ = target.make();
}

SyntheticLanguage::NounPhrase SyntheticLanguage::draw_phrase(Rng& rng) const {
  NounPhrase np{.noun = rng.below(nouns_.size()), .adjectives = {}, .plural = rng.uniform() < 0.4,
                .determiner = static_cast<int>(rng.below(2))};
  const double u = rng.uniform();
  const std::size_t count = u < 0.45 ? 0 : u < 0.75 ? 1 : u < 0.9 ? 2 : 3;
  while (np.adjectives.size() < count) {
    const std::size_t a = rng.below(adjectives_.size());
    if (std::find(np.adjectives.begin(), np.adjectives.end(), a) == np.adjectives.end()) np.adjectives.push_back(a);
  }
  return np;
}

void SyntheticLanguage::write_phrase(const NounPhrase& np, Sentence& source, Sentence& target,
                                     const char* case_suffix) const {
  source.push_back(np.determiner == 0 ? "the" : np.plural ? "some" : "a");
  for (std::size_t a : np.adjectives) source.push_back(adjectives_[a].source);
  source.push_back(nouns_[np.noun].source + (np.plural ? "s" : ""));

  if (np.determiner == 1) target.push_back(np.plural ? quantifier_ : indefinite_);
  target.push_back(nouns_[np.noun].target);
  if (np.plural) target.push_back("-pl");
  for (auto a = np.adjectives.rbegin(); a != np.adjectives.rend(); ++a) {
    target.push_back(adjectives_[*a].target);
    if (np.plural) target.push_back("-pl");  // agreement
  }
  if (case_suffix) target.push_back(case_suffix);
}

void SyntheticLanguage::write_clause(Rng& rng, Sentence& source, Sentence& target) const {
  std::string agreement;
  bool third_singular;
  if (rng.uniform() < 0.3) {
    const std::size_t p = rng.below(6);
    source.push_back(kSourcePronouns[p]);
    target.push_back(target_pronouns_[p]);
    agreement = kPronounAgreement[p];
    third_singular = p == 2 || p == 3;
  } else {
    const NounPhrase subject = draw_phrase(rng);
    write_phrase(subject, source, target, nullptr);
    agreement = subject.plural ? "-3pl" : "-3sg";
    third_singular = !subject.plural;
  }
  const Noun& verb = verbs_[rng.below(verbs_.size())];
  const bool past = rng.uniform() < 0.5;
  source.push_back(verb.source + (past ? "ed" : third_singular ? "s" : ""));
  write_phrase(draw_phrase(rng), source, target, "-acc");
  if (rng.uniform() < 0.4) {
    const Noun& preposition = prepositions_[rng.below(prepositions_.size())];
    source.push_back(preposition.source);
    write_phrase(draw_phrase(rng), source, target, "-loc");
    target.push_back(preposition.target);
  }
  target.push_back(verb.target);
  if (past) target.push_back("-pst");
  target.push_back(agreement);
}

SentencePair SyntheticLanguage::sample(Rng& rng) const {
  SentencePair p;
  write_clause(rng, p.source, p.target);
  if (rng.uniform() < 0.25) {
    p.source.push_back("and");
    p.target.push_back(conjunction_);
    write_clause(rng, p.source, p.target);
  }
  return p;
}

std::vector<std::string> SyntheticLanguage::source_words() const {
  std::set<std::string> w = {"a", "the", "some", "and"};
  for (const char* p : kSourcePronouns) w.insert(p);
  for (const auto& n : nouns_) w.insert({n.source, n.source + "s"});
  for (const auto& v : verbs_) w.insert({v.source, v.source + "s", v.source + "ed"});
  for (const auto& a : adjectives_) w.insert(a.source);
  for (const auto& p : prepositions_) w.insert(p.source);
  return {w.begin(), w.end()};
}

std::vector<std::string> SyntheticLanguage::target_words() const {
  std::set<std::string> w = {indefinite_, quantifier_, conjunction_};
  for (const auto& p : target_pronouns_) w.insert(p);
  for (const char* s : kSuffixes) w.insert(s);
  for (const auto* list : {&nouns_, &verbs_, &adjectives_, &prepositions_})
    for (const auto& n : *list) w.insert(n.target);
  return {w.begin(), w.end()};
}

TranslationCorpus make_translation_corpus(const SyntheticLanguage& language, std::uint64_t seed, std::size_t train,
                                          std::size_t val, std::size_t test, std::size_t max_length,
                                          std::size_t long_length) {
  if (max_length < 4) throw std::invalid_argument("translation corpus: max_length must be >= 4 (the shortest sentence)");
  if (long_length <= max_length) throw std::invalid_argument("translation corpus: long_length must exceed max_length");
  Rng rng(seed);
  TranslationCorpus c;
  std::unordered_set<std::string> seen;
  // Draws until `n` pairs of `min`..`max` source words land in `out`, each
  // new to `seen` when `unique`; gives up when the grammar cannot supply them.
  auto draw = [&](std::vector<SentencePair>& out, std::size_t n, std::size_t min, std::size_t max, bool unique) {
    const std::size_t limit = 1000 * (n + 100);
    for (std::size_t attempts = 0; out.size() < n; ++attempts) {
      if (attempts > limit)
        throw std::invalid_argument("translation corpus: the grammar gives too few distinct sentences of " +
                                    std::to_string(min) + " to " + std::to_string(max) + " words");
      SentencePair p = language.sample(rng);
      if (p.source.size() < min || p.source.size() > max) continue;
      if (unique && !seen.insert(joined(p.source)).second) continue;
      out.push_back(std::move(p));
    }
  };
  draw(c.train, train, 1, max_length, false);
  for (const auto& p : c.train) seen.insert(joined(p.source));
  draw(c.val, val, 1, max_length, true);
  draw(c.test, test, 1, max_length, true);
  draw(c.long_test, test, max_length + 1, long_length, true);
  return c;
}

double corpus_bleu(const std::vector<std::vector<std::int64_t>>& hypotheses,
                   const std::vector<std::vector<std::int64_t>>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument("corpus_bleu: " + std::to_string(hypotheses.size()) + " hypotheses, " +
                                std::to_string(references.size()) + " references");
  double matches[4] = {0, 0, 0, 0}, totals[4] = {0, 0, 0, 0}, hyp_length = 0, ref_length = 0;
  for (std::size_t s = 0; s < hypotheses.size(); ++s) {
    const auto &h = hypotheses[s], &r = references[s];
    hyp_length += static_cast<double>(h.size());
    ref_length += static_cast<double>(r.size());
    for (std::size_t n = 1; n <= 4; ++n) {
      std::map<std::vector<std::int64_t>, int> ref_counts;
      for (std::size_t i = 0; i + n <= r.size(); ++i) ++ref_counts[{r.begin() + i, r.begin() + i + n}];
      for (std::size_t i = 0; i + n <= h.size(); ++i) {
        totals[n - 1] += 1;
        auto it = ref_counts.find({h.begin() + i, h.begin() + i + n});
        if (it != ref_counts.end() && it->second > 0) {  // clipped: each reference n-gram matches once
          --it->second;
          matches[n - 1] += 1;
        }
      }
    }
  }
  double log_precision = 0;
  for (int n = 0; n < 4; ++n) {
    if (matches[n] == 0) return 0.0;
    log_precision += std::log(matches[n] / totals[n]) / 4.0;
  }
  const double brevity = hyp_length < ref_length ? std::exp(1.0 - ref_length / hyp_length) : 1.0;
  return brevity * std::exp(log_precision);
}

}  // namespace pavlov::data
