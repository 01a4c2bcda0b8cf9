// Byte-level byte-pair encoding (Sennrich et al., 2016, over bytes as in
// GPT-2): a vocabulary of the 256 byte values plus `merges`, each naming two
// tokens that become one new token, learned from a corpus by counting.
//
// Training splits the text into chunks that no token crosses (a run of
// letters or digits with the space before it, or a single other byte), counts
// the distinct chunks, and then again and again merges the most frequent
// adjacent pair of tokens (ties: the smaller pair of ids), until the
// vocabulary has `vocab_size` tokens or no pair occurs twice. Encoding splits
// the same way and applies the merges in the order they were learned. Every
// byte string encodes, and decode(encode(s)) == s.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pavlov::data {

class BpeTokenizer {
 public:
  using Token = std::int32_t;

  BpeTokenizer();  // bytes only: no merges
  // Learns merges from `text` until `vocab_size` tokens (>= 256).
  static BpeTokenizer train(const std::string& text, int vocab_size);

  std::vector<Token> encode(const std::string& text) const;
  std::string decode(const std::vector<Token>& tokens) const;
  // The bytes token `t` stands for.
  const std::string& bytes_of(Token t) const { return bytes_[static_cast<std::size_t>(t)]; }
  int vocab_size() const { return static_cast<int>(bytes_.size()); }
  const std::vector<std::pair<Token, Token>>& merges() const { return merges_; }

  // The merges as text, one "a b" pair of ids per line, and back (throws
  // std::runtime_error on a malformed file).
  void save(std::ostream& out) const;
  static BpeTokenizer load(std::istream& in);

 private:
  void add_merge(Token a, Token b);
  std::vector<Token> encode_chunk(const std::string& chunk) const;

  std::vector<std::pair<Token, Token>> merges_;
  std::vector<std::string> bytes_;  // per token
  std::unordered_map<std::uint64_t, std::pair<int, Token>> rank_;  // pair -> (merge order, new token)
};

// The chunks of `text` that tokens never cross, in order; they concatenate to `text`.
std::vector<std::string> bpe_chunks(const std::string& text);

}  // namespace pavlov::data
