// A generated language pair for the zoo's translation task ([task] kind =
// "translate", dataset = "synthetic_pairs"): an English-like source language
// (subject-verb-object) and a head-final, agglutinative target language
// (subject-object-verb), both with made-up words drawn from a seed.
//
// Source, one or two clauses joined by "and":
//   clause  = subject verb object [preposition noun-phrase]
//   subject = pronoun (i you he she we they) | noun-phrase
//   NP      = determiner adjective* noun        determiner: a / the (singular), some / the (plural)
//   nouns take "s" in the plural; verbs take "s" after a 3rd-person singular
//   subject in the present and "ed" in the past.
// Target, the same clauses joined by a conjunction word:
//   clause  = subject object [NP' -loc postposition] verb -pst? -AGR
//   NP'     = [indefinite word] noun -pl? adjective -pl? ... (adjectives after
//             the noun, in mirror order; each agrees in number) [-acc for objects]
//   "a" becomes an indefinite word, "some" a plural quantifier, "the" nothing;
//   the verb agrees with its subject's person and number (-1sg -2sg -3sg -1pl -3pl).
// Suffixes are tokens of their own (written with a leading '-'), as a
// morphological segmenter would cut them; words are tokens split at spaces.
//
// Everything is a pure function of the seed: the lexicon of the language and
// (with the corpus seed) every sentence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/env/rng.h"

namespace pavlov::data {

using Sentence = std::vector<std::string>;

struct SentencePair {
  Sentence source, target;
};

struct SyntheticLanguageOptions {
  int nouns = 160, verbs = 80, adjectives = 60, prepositions = 10;
};

class SyntheticLanguage {
 public:
  explicit SyntheticLanguage(std::uint64_t seed, SyntheticLanguageOptions options = {});

  // One sentence pair drawn from the grammar above.
  SentencePair sample(Rng& rng) const;

  // Every word form either language can write, sorted (the vocabularies).
  std::vector<std::string> source_words() const;
  std::vector<std::string> target_words() const;

 private:
  struct Noun {
    std::string source, target;
  };
  struct NounPhrase {
    std::size_t noun;
    std::vector<std::size_t> adjectives;
    bool plural;
    int determiner;  // 0: the, 1: a / some
  };
  NounPhrase draw_phrase(Rng& rng) const;
  void write_phrase(const NounPhrase& np, Sentence& source, Sentence& target, const char* case_suffix) const;
  void write_clause(Rng& rng, Sentence& source, Sentence& target) const;

  std::vector<Noun> nouns_, verbs_, adjectives_, prepositions_;
  std::string target_pronouns_[6], indefinite_, quantifier_, conjunction_;
};

struct TranslationCorpus {
  std::vector<SentencePair> train, val, test, long_test;
};

// `train` pairs with at most `max_length` source words (repeats allowed, as
// sampling gives them); `val` and `test` pairs of the same lengths whose
// source sentences occur nowhere else in the corpus; `long_test` pairs of
// max_length + 1 .. long_length source words (longer than any training one).
TranslationCorpus make_translation_corpus(const SyntheticLanguage& language, std::uint64_t seed, std::size_t train,
                                          std::size_t val, std::size_t test, std::size_t max_length,
                                          std::size_t long_length);

// Corpus BLEU-4 (Papineni et al., 2002) of token sequences, one reference
// each: clipped n-gram precisions for n = 1..4 summed over the corpus, their
// geometric mean times the brevity penalty; in [0, 1]. 0 when some n has no
// match at all.
double corpus_bleu(const std::vector<std::vector<std::int64_t>>& hypotheses,
                   const std::vector<std::vector<std::int64_t>>& references);

}  // namespace pavlov::data
