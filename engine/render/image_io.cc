#include "engine/render/image_io.h"

#include <stdexcept>

#ifdef PAVLOV_HAS_SFML
#include <SFML/Graphics/Image.hpp>
#endif

namespace pavlov {

#ifdef PAVLOV_HAS_SFML
bool png_supported() { return true; }

void save_png(const Image& image, const std::filesystem::path& path) {
  std::vector<std::uint8_t> rgba;
  rgb_to_rgba(image, rgba);
  sf::Image out;
  out.create(image.width, image.height, rgba.data());
  if (!out.saveToFile(path.string())) throw std::runtime_error("cannot write the image " + path.string());
}

Image load_png(const std::filesystem::path& path) {
  sf::Image in;
  if (!in.loadFromFile(path.string())) throw std::runtime_error("cannot read the image " + path.string());
  return rgba_to_image(in.getPixelsPtr(), static_cast<int>(in.getSize().x), static_cast<int>(in.getSize().y));
}
#else
bool png_supported() { return false; }

void save_png(const Image&, const std::filesystem::path& path) {
  throw std::runtime_error("cannot write " + path.string() + ": this pavlov was built without SFML (PAVLOV_WITH_SFML=OFF), which PNG files need");
}

Image load_png(const std::filesystem::path& path) {
  throw std::runtime_error("cannot read " + path.string() + ": this pavlov was built without SFML (PAVLOV_WITH_SFML=OFF), which PNG files need");
}
#endif

}  // namespace pavlov
