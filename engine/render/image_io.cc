#include "engine/render/image_io.h"

#include <stdexcept>

#ifdef PAVLOV_HAS_SFML
#include <SFML/Graphics/Image.hpp>
#endif

namespace pavlov {

#ifdef PAVLOV_HAS_SFML
bool png_supported() { return true; }

void save_png(const Image& image, const std::filesystem::path& path) {
  std::vector<sf::Uint8> rgba(static_cast<std::size_t>(image.width) * image.height * 4);
  for (std::size_t i = 0, j = 0; i < image.rgb.size(); i += 3, j += 4) {
    rgba[j] = image.rgb[i];
    rgba[j + 1] = image.rgb[i + 1];
    rgba[j + 2] = image.rgb[i + 2];
    rgba[j + 3] = 255;
  }
  sf::Image out;
  out.create(image.width, image.height, rgba.data());
  if (!out.saveToFile(path.string())) throw std::runtime_error("cannot write the image " + path.string());
}

Image load_png(const std::filesystem::path& path) {
  sf::Image in;
  if (!in.loadFromFile(path.string())) throw std::runtime_error("cannot read the image " + path.string());
  Image image(static_cast<int>(in.getSize().x), static_cast<int>(in.getSize().y));
  const sf::Uint8* rgba = in.getPixelsPtr();
  for (std::size_t i = 0, j = 0; i < image.rgb.size(); i += 3, j += 4) {
    image.rgb[i] = rgba[j];
    image.rgb[i + 1] = rgba[j + 1];
    image.rgb[i + 2] = rgba[j + 2];
  }
  return image;
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
