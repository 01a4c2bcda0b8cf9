// nets/data/: IDX files, Fashion-MNIST, and the background batch loader.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <zlib.h>

#include "nets/data/batch_loader.h"
#include "nets/data/fashion_mnist.h"
#include "nets/data/idx.h"
#include "nets/data/shapes.h"
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
