// nets/data/: IDX files, Fashion-MNIST, and the background batch loader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <zlib.h>

#include "nets/data/batch_loader.h"
#include "nets/data/bpe.h"
#include "nets/data/fashion_mnist.h"
#include "nets/data/idx.h"
#include "nets/data/shapes.h"
#include "nets/data/synthetic_language.h"
#include "nets/data/text_corpus.h"
#include "tests/alloc_counter.h"

using namespace pavlov::data;

namespace {

std::string write_gz(const std::string& name, const std::vector<unsigned char>& bytes) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

// A set of n images of 1x2x3 pixels: image i holds the values 6i .. 6i + 5 (mod 256), label i % 10.
LabeledImages tiny(std::int64_t n) {
  LabeledImages s;
  s.count = n, s.channels = 1, s.height = 2, s.width = 3;
  for (std::int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 6; ++k) s.pixels.push_back(static_cast<std::uint8_t>(6 * i + k));
    s.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  return s;
}

}  // namespace

TEST_CASE("idx: reads gzip IDX files and names what is wrong with bad ones") {
  const auto ok = read_idx(write_gz("pavlov_ok.idx.gz", {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}));
  CHECK(ok.shape == std::vector<std::int64_t>{2, 3});
  CHECK(ok.data == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});
  const std::string short_file = write_gz("pavlov_short.idx.gz", {0, 0, 8, 1, 0, 0, 0, 9, 1, 2});
  CHECK_THROWS_WITH(read_idx(short_file), (short_file + ": the file ends before the data its header announces").c_str());
  const std::string floats = write_gz("pavlov_float.idx.gz", {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
  CHECK_THROWS_WITH(read_idx(floats), (floats + ": IDX elements are not unsigned bytes (type code 13)").c_str());
  CHECK_THROWS_WITH(read_idx("/no/such.idx"), "/no/such.idx: no such file");
}

TEST_CASE("fashion-mnist: 60000 + 10000 images, 6000 and 1000 per class, and a missing install names the package") {
  CHECK_THROWS_WITH(load_fashion_mnist("train", "/nonexistent"),
                    doctest::Contains("install Debian's package: sudo apt-get install dataset-fashion-mnist"));
  if (!std::filesystem::exists(kFashionMnistDir)) {
    MESSAGE("skipped: dataset-fashion-mnist is not installed (quickstart.sh installs it)");
    return;
  }
  const LabeledImages train = load_fashion_mnist("train"), test = load_fashion_mnist("test");
  CHECK(train.count == 60000);
  CHECK(test.count == 10000);
  CHECK(train.height == 28);
  CHECK(train.width == 28);
  std::map<int, int> per_class;
  for (auto l : test.labels) ++per_class[l];
  CHECK(per_class.size() == 10);
  for (const auto& [c, n] : per_class) CHECK(n == 1000);
  // The first training image is an ankle boot (class 9), as in the dataset's own README figure.
  CHECK(train.labels[0] == 9);
}

TEST_CASE("batch loader: every image once per epoch, in an order fixed by the seed, resumable at any batch") {
  const LabeledImages set = tiny(10);
  auto epoch_labels = [&](LoaderOptions o, int batches) {
    BatchLoader loader(set, o);
    std::vector<std::int64_t> firsts;  // the first pixel of each row, which names the image
    for (int b = 0; b < batches; ++b) {
      const ImageBatch& batch = loader.next();
      CHECK(batch.index == o.start_batch + b);
      for (std::int64_t r = 0; r < batch.size; ++r)
        firsts.push_back(static_cast<std::int64_t>(batch.images[r * 6] * 255.0f + 0.5f) / 6);
    }
    return firsts;
  };
  LoaderOptions o{.batch_size = 4, .seed = 5};
  BatchLoader probe(set, o);
  CHECK(probe.batches_per_epoch() == 3);  // 4 + 4 + 2
  const auto run = epoch_labels(o, 6);     // two epochs
  REQUIRE(run.size() == 20);
  CHECK(std::set<std::int64_t>(run.begin(), run.begin() + 10).size() == 10);  // each image once
  CHECK(std::set<std::int64_t>(run.begin() + 10, run.end()).size() == 10);
  CHECK(std::vector<std::int64_t>(run.begin(), run.begin() + 10) != std::vector<std::int64_t>(run.begin() + 10, run.end()));
  CHECK(epoch_labels(o, 6) == run);  // the same seed, the same order
  o.start_batch = 4;                 // resuming in the second epoch continues the same sequence
  const auto resumed = epoch_labels(o, 2);
  CHECK(resumed == std::vector<std::int64_t>(run.begin() + 14, run.end()));
}

TEST_CASE("batch loader: flips mirror rows, crops shift inside zero padding, labels follow their images") {
  const LabeledImages set = tiny(1);
  BatchLoader flips(set, {.batch_size = 1, .shuffle = false, .seed = 1, .hflip = true, .scale = 1.0f});
  int flipped = 0;
  for (int i = 0; i < 200; ++i) {
    const ImageBatch& b = flips.next();
    const bool f = b.images[0] == 2.0f;
    CHECK(b.images == (f ? std::vector<float>{2, 1, 0, 5, 4, 3} : std::vector<float>{0, 1, 2, 3, 4, 5}));
    flipped += f;
  }
  CHECK(flipped > 70);
  CHECK(flipped < 130);
  BatchLoader crops(set, {.batch_size = 1, .shuffle = false, .seed = 1, .pad_crop = 1, .scale = 1.0f});
  std::set<std::vector<float>> seen;
  for (int i = 0; i < 300; ++i) {
    const ImageBatch& b = crops.next();
    std::vector<float> v = b.images;
    seen.insert(v);
    float sum = 0;
    for (float x : v) sum += x;
    CHECK(sum <= 15.0f);  // a crop keeps a part of the image and zeros, never more
  }
  CHECK(seen.size() == 9);  // 3 x 3 offsets
  CHECK(seen.count({0, 1, 2, 3, 4, 5}) == 1);  // the centred crop is the image
  CHECK(seen.count({0, 0, 0, 0, 0, 1}) == 1);  // shifted one right and one down
}

TEST_CASE("batch loader: random erasing puts one rectangle of 2-40 % of the image, with the asked probability") {
  LabeledImages set;  // one flat grey 20 x 20 image
  set.count = 1, set.channels = 1, set.height = 20, set.width = 20;
  set.pixels.assign(400, 100);
  set.labels = {7};
  auto erased_box = [](const std::vector<float>& img) {  // the bounding box of the changed pixels: area, or 0
    int y0 = 20, y1 = -1, x0 = 20, x1 = -1;
    for (int y = 0; y < 20; ++y)
      for (int x = 0; x < 20; ++x)
        if (img[static_cast<std::size_t>(y * 20 + x)] != 100.0f)
          y0 = std::min(y0, y), y1 = std::max(y1, y), x0 = std::min(x0, x), x1 = std::max(x1, x);
    return y1 < 0 ? 0 : (y1 - y0 + 1) * (x1 - x0 + 1);
  };
  BatchLoader always(set, {.batch_size = 1, .shuffle = false, .seed = 3, .random_erase = 1.0, .scale = 1.0f});
  int largest = 0, smallest = 400;
  for (int i = 0; i < 300; ++i) {
    const ImageBatch& b = always.next();
    CHECK(b.labels[0] == 7);
    const int area = erased_box(b.images);
    largest = std::max(largest, area), smallest = std::min(smallest, area);
    CHECK(area <= 0.4 * 400 + 2 * 20);  // the rectangle, whose sides are rounded
  }
  CHECK(smallest >= 1);   // every image erased (a random pixel equals 100 only by chance)
  CHECK(smallest <= 20);  // small ones...
  CHECK(largest >= 100);  // ...and large ones
  BatchLoader half(set, {.batch_size = 1, .shuffle = false, .seed = 3, .random_erase = 0.5, .scale = 1.0f});
  int erased = 0;
  for (int i = 0; i < 300; ++i) erased += erased_box(half.next().images) > 0;
  CHECK(erased > 110);
  CHECK(erased < 190);
}

TEST_CASE("batch loader: no allocation per batch once running") {
  const LabeledImages set = tiny(64);
  BatchLoader loader(set, {.batch_size = 8, .seed = 2, .pad_crop = 1, .hflip = true});
  for (int i = 0; i < 20; ++i) loader.next();
  if (!pavlov::test::kCountsAllocations) return;
  const auto before = pavlov::test::allocations();
  for (int i = 0; i < 200; ++i) loader.next();
  CHECK(pavlov::test::allocations() == before);
}

TEST_CASE("shape scenes: a pure function of the seed, masks and boxes that agree, disjoint splits") {
  const ShapeScene a = make_shape_scene(11), b = make_shape_scene(11), c = make_shape_scene(12);
  CHECK(a.rgb == b.rgb);
  CHECK(a.mask == b.mask);
  CHECK(a.rgb != c.rgb);
  REQUIRE(a.rgb.size() == 64 * 64 * 3);
  REQUIRE(a.mask.size() == 64 * 64);
  int scenes_with_overlap = 0, stars = 0;
  for (std::uint64_t s = 0; s < 200; ++s) {
    const ShapeScene scene = make_shape_scene(shape_scene_seed("train", s));
    REQUIRE(!scene.boxes.empty());
    int in_boxes = 0;
    for (const ShapeBox& box : scene.boxes) {
      CHECK(box.cls >= 1);
      CHECK(box.cls <= 4);
      CHECK(box.x0 < box.x1);
      CHECK(box.y0 < box.y1);
      stars += box.cls == 4;
      // Every pixel of the box's class inside it could be the shape's; at least its own pixels are.
      int same = 0;
      for (int y = box.y0; y < box.y1; ++y)
        for (int x = box.x0; x < box.x1; ++x) same += scene.mask[y * 64 + x] == box.cls;
      CHECK(same >= box.pixels);
      in_boxes += box.pixels;
    }
    int labelled = 0;
    for (auto m : scene.mask) labelled += m != 0;
    CHECK(labelled >= in_boxes);  // shapes hidden below the visibility threshold keep their pixels
    scenes_with_overlap += labelled < [&] {
      int sum = 0;
      for (const ShapeBox& box : scene.boxes) sum += (box.x1 - box.x0) * (box.y1 - box.y0);
      return sum;
    }();
  }
  CHECK(stars > 20);
  CHECK(scenes_with_overlap > 50);
  CHECK(shape_scene_seed("train", 0) != shape_scene_seed("test", 0));
  CHECK(shape_scene_seed("val", 5) != shape_scene_seed("train", 5));
  CHECK_THROWS_WITH(shape_scene_seed("dev", 0), "shape scenes have the splits train, val and test, not 'dev'");
}

TEST_CASE("shape scenes: a square at a known place fills its mask exactly") {
  // A lone shape: every labelled pixel is in its box, and its box holds nothing else of another class.
  const ShapeScene s = make_shape_scene(3, {.size = 32, .min_shapes = 1, .max_shapes = 1});
  REQUIRE(s.boxes.size() == 1);
  const ShapeBox& b = s.boxes[0];
  int outside = 0, inside = 0;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) {
      const bool in = x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1;
      const int m = s.mask[y * 32 + x];
      if (!in) outside += m != 0;
      else inside += m == b.cls;
      if (in) CHECK((m == 0 || m == b.cls));
    }
  CHECK(outside == 0);
  CHECK(inside == b.pixels);
}

TEST_CASE("text corpus: fortune files split by file; the bigram baseline by hand") {
  const auto dir = std::filesystem::temp_directory_path() / "pavlov_fortunes_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    std::ofstream(dir / (name + ".dat")) << "index";
  };
  write("alpha", "first one\n%\nsecond\nof two lines\n%\n");
  write("beta", "b1\n%\n");
  write("gamma", "g1\n%\ng2\n");  // no final separator
  std::ofstream(dir / "notes") << "no .dat beside it: not a fortune file";
  const auto fortunes = pavlov::data::read_fortune_file(dir / "alpha");
  REQUIRE(fortunes.size() == 2);
  CHECK(fortunes[1] == "second\nof two lines\n");
  pavlov::data::TextSplit train, val;
  pavlov::data::load_fortunes(train, val, 2, dir);  // files 0 and 2 (alpha, gamma) validate
  CHECK(val.files == std::vector<std::string>{"alpha", "gamma"});
  CHECK(train.files == std::vector<std::string>{"beta"});
  CHECK(train.text == "b1\n%\n");
  CHECK(val.text == "first one\n%\nsecond\nof two lines\n%\ng1\n%\ng2\n%\n");
  CHECK_THROWS_WITH_AS(pavlov::data::load_fortunes(train, val, 2, dir / "missing"),
                       doctest::Contains("install Debian's fortunes package"), std::runtime_error);
  std::filesystem::remove_all(dir);

  // Trained on "abab": a->b seen twice, so p(b|a) = (2 + 1) / (2 + 256); "ab" costs -log(3/258) nats.
  CHECK(pavlov::data::bigram_nats_per_byte("abab", "ab") == doctest::Approx(-std::log(3.0 / 258.0)));
  // An unseen pair: p = 1 / 256 after 'z' (never seen first).
  CHECK(pavlov::data::bigram_nats_per_byte("abab", "zq") == doctest::Approx(std::log(256.0)));
}

namespace {
bool is_agreement(const std::string& w) {
  return w == "-1sg" || w == "-2sg" || w == "-3sg" || w == "-1pl" || w == "-3pl";
}
}  // namespace

TEST_CASE("synthetic language: a pure function of the seed; the grammar's word order and agreement") {
  using pavlov::data::SyntheticLanguage;
  const SyntheticLanguage language(7), same(7), other(8);
  CHECK(language.source_words() == same.source_words());
  CHECK(language.source_words() != other.source_words());
  pavlov::Rng r1(3), r2(3);
  std::map<std::string, std::string> noun_of;  // source noun -> target noun: the lexicon is a function
  int short_ones = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto p = language.sample(r1), q = same.sample(r2);
    REQUIRE(p.source == q.source);
    REQUIRE(p.target == q.target);
    const auto& s = p.source;
    const auto& t = p.target;
    // Every clause ends with its verb's agreement; a conjunction joins two clauses.
    const auto clauses = 1 + std::count(s.begin(), s.end(), "and");
    CHECK(std::count_if(t.begin(), t.end(), is_agreement) == clauses);
    CHECK(std::count(t.begin(), t.end(), "-acc") == clauses);
    CHECK(is_agreement(t.back()));
    // "i <verb> the <noun>" is "<I> <noun> [-pl] -acc <verb> [-pst] -1sg": stems end in a vowel,
    // so a source noun ending in "s" is plural and a verb ending in "ed" past.
    if (s.size() == 4 && s[0] == "i" && s[2] == "the") {
      ++short_ones;
      const bool past = s[1].size() > 2 && s[1].substr(s[1].size() - 2) == "ed";
      const bool plural = s[3].back() == 's';
      REQUIRE(t.size() == 5u + past + plural);
      if (plural) CHECK(t[2] == "-pl");
      CHECK(t[2 + plural] == "-acc");
      if (past) CHECK(t[4 + plural] == "-pst");
      CHECK(t.back() == "-1sg");
      const std::string stem = plural ? s[3].substr(0, s[3].size() - 1) : s[3];
      auto [it, fresh] = noun_of.emplace(stem, t[1]);
      CHECK(it->second == t[1]);
    }
    // A one-clause sentence's subject "a ..." is singular, "some ..." plural: the verb agrees.
    if (clauses == 1 && s[0] == "a") CHECK(t.back() == "-3sg");
    if (clauses == 1 && s[0] == "some") CHECK(t.back() == "-3pl");
  }
  CHECK(short_ones > 0);
  // Every word a sentence uses is in the vocabularies.
  const auto sw = language.source_words(), tw = language.target_words();
  pavlov::Rng r3(4);
  for (int i = 0; i < 200; ++i) {
    const auto p = language.sample(r3);
    for (const auto& w : p.source) CHECK(std::binary_search(sw.begin(), sw.end(), w));
    for (const auto& w : p.target) CHECK(std::binary_search(tw.begin(), tw.end(), w));
  }
}

TEST_CASE("synthetic language: corpus lengths, held-out sentences never trained on, errors") {
  const pavlov::data::SyntheticLanguage language(1);
  const auto c = pavlov::data::make_translation_corpus(language, 5, 3000, 100, 200, 9, 14);
  CHECK(c.train.size() == 3000);
  CHECK(c.val.size() == 100);
  CHECK(c.test.size() == 200);
  CHECK(c.long_test.size() == 200);
  std::set<std::vector<std::string>> trained;
  for (const auto& p : c.train) {
    CHECK(p.source.size() <= 9);
    trained.insert(p.source);
  }
  std::set<std::vector<std::string>> held;
  for (const auto* set : {&c.val, &c.test}) {
    for (const auto& p : *set) {
      CHECK(p.source.size() <= 9);
      CHECK(trained.count(p.source) == 0);
      CHECK(held.insert(p.source).second);
    }
  }
  for (const auto& p : c.long_test) {
    CHECK(p.source.size() >= 10);
    CHECK(p.source.size() <= 14);
    CHECK(trained.count(p.source) == 0);
  }
  CHECK_THROWS_WITH_AS(pavlov::data::make_translation_corpus(language, 5, 10, 1, 1, 9, 9),
                       doctest::Contains("long_length must exceed max_length"), std::invalid_argument);
}

TEST_CASE("corpus BLEU: by hand") {
  using pavlov::data::corpus_bleu;
  const std::vector<std::int64_t> ref{1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(corpus_bleu({ref}, {ref}) == doctest::Approx(1.0));
  // Six of eight words, all in order: every precision 1, brevity penalty exp(1 - 8/6).
  CHECK(corpus_bleu({{1, 2, 3, 4, 5, 6}}, {ref}) == doctest::Approx(std::exp(1.0 - 8.0 / 6.0)));
  // "1 2 3 4 1 2 3 4": clipped matches 4/8 unigrams, 3/7 bigrams, 2/6 trigrams, 1/5 4-grams.
  CHECK(corpus_bleu({{1, 2, 3, 4, 1, 2, 3, 4}}, {ref}) ==
        doctest::Approx(std::pow(4.0 / 8 * 3.0 / 7 * 2.0 / 6 * 1.0 / 5, 0.25)));
  // Counts add over the corpus before the mean: a perfect sentence lifts a poor one.
  CHECK(corpus_bleu({{1, 2, 3, 4, 1, 2, 3, 4}, ref}, {ref, ref}) ==
        doctest::Approx(std::pow(12.0 / 16 * 10.0 / 14 * 8.0 / 12 * 6.0 / 10, 0.25)));
  CHECK(corpus_bleu({{8, 7, 6, 5}}, {ref}) == 0.0);  // no bigram in common
  CHECK_THROWS_AS(corpus_bleu({ref}, {}), std::invalid_argument);
}

TEST_CASE("bpe: chunks, merges learned by hand, round trips, save and load") {
  using pavlov::data::BpeTokenizer;
  CHECK(pavlov::data::bpe_chunks("the cat, 42 cats!\n") ==
        std::vector<std::string>{"the", " cat", ",", " 42", " cats", "!", "\n"});
  // "aaab" x 3 and "ab": the pair (a, a) occurs 6 times, (a, b) 4: "aa" is merge 0 (token 256).
  // Then "aa a b" has (aa, a) 3 times and (a, b) 4 times: "ab" is token 257; then (aa, ab) 3 times: 258.
  const BpeTokenizer tok = BpeTokenizer::train("aaab aaab aaab ab", 259);
  REQUIRE(tok.vocab_size() == 259);
  CHECK(tok.merges()[0] == std::pair<BpeTokenizer::Token, BpeTokenizer::Token>{'a', 'a'});
  CHECK(tok.merges()[1] == std::pair<BpeTokenizer::Token, BpeTokenizer::Token>{'a', 'b'});
  CHECK(tok.merges()[2] == std::pair<BpeTokenizer::Token, BpeTokenizer::Token>{256, 257});
  CHECK(tok.bytes_of(258) == "aaab");
  CHECK(tok.encode("aaab") == std::vector<BpeTokenizer::Token>{258});
  CHECK(tok.encode("aab") == std::vector<BpeTokenizer::Token>{256, 'b'});  // merge order: "aa" first
  // Then (" ", aaab) twice: token 259; then no pair occurs twice: training stops short of the size asked.
  CHECK(BpeTokenizer::train("aaab aaab aaab ab", 400).vocab_size() == 260);
  const std::string text = "Every byte string round-trips: \xff\x01 caf\xc3\xa9 %\n";
  const BpeTokenizer big = BpeTokenizer::train(text + text + "the the the", 300);
  CHECK(big.decode(big.encode(text)) == text);
  CHECK(big.encode(text).size() < text.size());
  std::stringstream saved;
  big.save(saved);
  CHECK(BpeTokenizer::load(saved).merges() == big.merges());
  std::istringstream bad("pavlov-bpe 1\n300 1\n");
  CHECK_THROWS_AS(BpeTokenizer::load(bad), std::runtime_error);
  CHECK_THROWS_AS(BpeTokenizer::train("x", 100), std::invalid_argument);
}
