#include "engine/render/window.h"

#include <cstdlib>

#ifdef PAVLOV_HAS_SFML
#include <SFML/Graphics.hpp>
#endif

namespace pavlov {

#ifdef PAVLOV_HAS_SFML
namespace {

Key key_of(sf::Keyboard::Key code) {
  switch (code) {
    case sf::Keyboard::Space: return Key::kSpace;
    case sf::Keyboard::Left: return Key::kLeft;
    case sf::Keyboard::Right: return Key::kRight;
    case sf::Keyboard::Up: return Key::kUp;
    case sf::Keyboard::Down: return Key::kDown;
    case sf::Keyboard::Add:
    case sf::Keyboard::Equal: return Key::kPlus;
    case sf::Keyboard::Subtract:
    case sf::Keyboard::Hyphen: return Key::kMinus;
    case sf::Keyboard::R: return Key::kR;
    case sf::Keyboard::Escape: return Key::kEscape;
    case sf::Keyboard::Enter: return Key::kEnter;
    default: return Key::kOther;
  }
}

sf::Keyboard::Key code_of(Key key) {
  switch (key) {
    case Key::kSpace: return sf::Keyboard::Space;
    case Key::kLeft: return sf::Keyboard::Left;
    case Key::kRight: return sf::Keyboard::Right;
    case Key::kUp: return sf::Keyboard::Up;
    case Key::kDown: return sf::Keyboard::Down;
    case Key::kPlus: return sf::Keyboard::Equal;
    case Key::kMinus: return sf::Keyboard::Hyphen;
    case Key::kR: return sf::Keyboard::R;
    case Key::kEscape: return sf::Keyboard::Escape;
    case Key::kEnter: return sf::Keyboard::Enter;
    default: return sf::Keyboard::Unknown;
  }
}

}  // namespace

struct Window::Impl {
  sf::RenderWindow window;
  sf::Texture texture;
  sf::Sprite sprite;
  std::vector<std::uint8_t> rgba;
};

std::string no_display_reason() {
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0')
    return "no display ($DISPLAY is not set): record instead with --record out.gif|out.mp4|frames/";
  return "";
}

Window::Window(const std::string& title, int width, int height) {
  // SFML aborts the process when X11 cannot be reached (already when a texture
  // is constructed), so check before touching it.
  if (const std::string reason = no_display_reason(); !reason.empty()) throw NoDisplay(reason);
  impl_ = std::make_unique<Impl>();
  impl_->window.create(sf::VideoMode(static_cast<unsigned>(width), static_cast<unsigned>(height)), title,
                       sf::Style::Titlebar | sf::Style::Close | sf::Style::Resize);
  if (!impl_->window.isOpen()) throw NoDisplay("cannot open a window on display " + std::string(std::getenv("DISPLAY")) +
                                               ": record instead with --record out.gif|out.mp4|frames/");
  impl_->window.setKeyRepeatEnabled(true);
}

Window::~Window() = default;

bool Window::is_open() const { return impl_->window.isOpen(); }
void Window::close() { impl_->window.close(); }
int Window::width() const { return static_cast<int>(impl_->window.getSize().x); }
int Window::height() const { return static_cast<int>(impl_->window.getSize().y); }

void Window::show(const Image& frame) {
  Impl& w = *impl_;
  const auto size = sf::Vector2u(static_cast<unsigned>(frame.width), static_cast<unsigned>(frame.height));
  if (w.texture.getSize() != size) {
    if (!w.texture.create(size.x, size.y)) return;
    w.sprite.setTexture(w.texture, true);
  }
  rgb_to_rgba(frame, w.rgba);
  w.texture.update(w.rgba.data());
  // Map the frame onto the whole window, whatever its size now.
  const sf::Vector2u ws = w.window.getSize();
  w.window.setView(sf::View(sf::FloatRect(0, 0, static_cast<float>(ws.x), static_cast<float>(ws.y))));
  w.sprite.setScale(static_cast<float>(ws.x) / size.x, static_cast<float>(ws.y) / size.y);
  redraw();
  w.window.display();
}

void Window::redraw() {
  impl_->window.clear();
  if (impl_->texture.getSize().x > 0) impl_->window.draw(impl_->sprite);
}

std::optional<Key> Window::poll() {
  sf::Event event;
  while (impl_->window.pollEvent(event)) {
    if (event.type == sf::Event::Closed) return Key::kClose;
    if (event.type == sf::Event::KeyPressed) return key_of(event.key.code);
  }
  return std::nullopt;
}

bool Window::held(Key key) { return sf::Keyboard::isKeyPressed(code_of(key)); }

Image Window::screenshot() {
  sf::Texture texture;
  const sf::Vector2u ws = impl_->window.getSize();
  texture.create(ws.x, ws.y);
  redraw();  // read the back buffer, which after display() holds nothing defined
  texture.update(impl_->window);
  impl_->window.display();
  const sf::Image shot = texture.copyToImage();
  return rgba_to_image(shot.getPixelsPtr(), static_cast<int>(ws.x), static_cast<int>(ws.y));
}

#else

struct Window::Impl {};
std::string no_display_reason() {
  return "this pavlov was built without SFML (PAVLOV_WITH_SFML=OFF), so it cannot open windows: record instead with "
         "--record out.gif|out.mp4|frames/";
}
Window::Window(const std::string&, int, int) { throw NoDisplay(no_display_reason()); }
Window::~Window() = default;
bool Window::is_open() const { return false; }
void Window::close() {}
int Window::width() const { return 0; }
int Window::height() const { return 0; }
void Window::show(const Image&) {}
std::optional<Key> Window::poll() { return std::nullopt; }
bool Window::held(Key) { return false; }
Image Window::screenshot() { return {}; }
void Window::redraw() {}

#endif

}  // namespace pavlov
