#include "nets/data/bpe.h"

#include <algorithm>
#include <cctype>
#include <istream>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace pavlov::data {
namespace {

bool word_byte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }  // UTF-8 letters stay in words

std::uint64_t key(BpeTokenizer::Token a, BpeTokenizer::Token b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

}  // namespace

std::vector<std::string> bpe_chunks(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    if (text[j] == ' ' && j + 1 < text.size() && word_byte(static_cast<unsigned char>(text[j + 1]))) ++j;
    if (word_byte(static_cast<unsigned char>(text[j]))) {
      while (j < text.size() && word_byte(static_cast<unsigned char>(text[j]))) ++j;
    } else {
      ++j;
    }
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

BpeTokenizer::BpeTokenizer() {
  for (int b = 0; b < 256; ++b) bytes_.push_back(std::string(1, static_cast<char>(b)));
}

void BpeTokenizer::add_merge(Token a, Token b) {
  const Token t = static_cast<Token>(bytes_.size());
  rank_[key(a, b)] = {static_cast<int>(merges_.size()), t};
  merges_.emplace_back(a, b);
  bytes_.push_back(bytes_[static_cast<std::size_t>(a)] + bytes_[static_cast<std::size_t>(b)]);
}

BpeTokenizer BpeTokenizer::train(const std::string& text, int vocab_size) {
  if (vocab_size < 256) throw std::invalid_argument("bpe: vocab_size must be >= 256 (the bytes)");
  std::map<std::string, std::int64_t> counts;
  for (auto& c : bpe_chunks(text)) ++counts[std::move(c)];
  std::vector<std::vector<Token>> words;
  std::vector<std::int64_t> freq;
  for (const auto& [chunk, n] : counts) {
    if (chunk.size() < 2) continue;  // nothing to merge inside
    words.emplace_back(chunk.begin(), chunk.end());
    for (auto& t : words.back()) t = static_cast<unsigned char>(t);
    freq.push_back(n);
  }
  BpeTokenizer tok;
  std::unordered_map<std::uint64_t, std::int64_t> pairs;
  while (tok.vocab_size() < vocab_size) {
    pairs.clear();
    for (std::size_t w = 0; w < words.size(); ++w)
      for (std::size_t i = 0; i + 1 < words[w].size(); ++i) pairs[key(words[w][i], words[w][i + 1])] += freq[w];
    std::uint64_t best = 0;
    std::int64_t best_count = 1;  // a pair must occur at least twice
    for (const auto& [k, n] : pairs)
      if (n > best_count || (n == best_count && best_count > 1 && k < best)) {
        best = k;
        best_count = n;
      }
    if (best_count < 2) break;
    const Token a = static_cast<Token>(best >> 32), b = static_cast<Token>(best & 0xFFFFFFFFu);
    tok.add_merge(a, b);
    const Token merged = tok.vocab_size() - 1;
    for (auto& word : words) {
      std::size_t out = 0;
      for (std::size_t i = 0; i < word.size(); ++i) {
        if (i + 1 < word.size() && word[i] == a && word[i + 1] == b) {
          word[out++] = merged;
          ++i;
        } else {
          word[out++] = word[i];
        }
      }
      word.resize(out);
    }
  }
  return tok;
}

std::vector<BpeTokenizer::Token> BpeTokenizer::encode_chunk(const std::string& chunk) const {
  std::vector<Token> t(chunk.begin(), chunk.end());
  for (auto& x : t) x = static_cast<unsigned char>(x);
  for (;;) {  // merge the adjacent pair learned first, until none is a merge
    int best_rank = -1;
    std::size_t at = 0;
    Token made = 0;
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      auto it = rank_.find(key(t[i], t[i + 1]));
      if (it != rank_.end() && (best_rank < 0 || it->second.first < best_rank)) {
        best_rank = it->second.first;
        made = it->second.second;
        at = i;
      }
    }
    if (best_rank < 0) return t;
    t[at] = made;
    t.erase(t.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  }
}

std::vector<BpeTokenizer::Token> BpeTokenizer::encode(const std::string& text) const {
  std::vector<Token> out;
  std::unordered_map<std::string, std::vector<Token>> cache;  // a corpus repeats its words
  for (const auto& chunk : bpe_chunks(text)) {
    auto it = cache.find(chunk);
    if (it == cache.end()) it = cache.emplace(chunk, encode_chunk(chunk)).first;
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

std::string BpeTokenizer::decode(const std::vector<Token>& tokens) const {
  std::string out;
  for (Token t : tokens) {
    if (t < 0 || t >= vocab_size()) throw std::out_of_range("bpe: token " + std::to_string(t) + " is not in the vocabulary");
    out += bytes_[static_cast<std::size_t>(t)];
  }
  return out;
}

void BpeTokenizer::save(std::ostream& out) const {
  out << "pavlov-bpe " << merges_.size() << "\n";
  for (const auto& [a, b] : merges_) out << a << " " << b << "\n";
}

BpeTokenizer BpeTokenizer::load(std::istream& in) {
  std::string magic;
  std::size_t n = 0;
  if (!(in >> magic >> n) || magic != "pavlov-bpe") throw std::runtime_error("bpe: not a pavlov-bpe merges file");
  BpeTokenizer tok;
  for (std::size_t i = 0; i < n; ++i) {
    Token a = 0, b = 0;
    if (!(in >> a >> b) || a < 0 || b < 0 || a >= tok.vocab_size() || b >= tok.vocab_size())
      throw std::runtime_error("bpe: merge " + std::to_string(i) + " is malformed");
    tok.add_merge(a, b);
  }
  return tok;
}

}  // namespace pavlov::data
