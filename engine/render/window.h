// pavlov::Window: a desktop window that shows rendered frames and reports
// key presses. SFML does the windowing; the picture is the raster's (the
// window never draws on its own), so a screenshot of the window equals the
// off-screen render of the same canvas at the same size.
//
// Built only with PAVLOV_WITH_SFML; otherwise, and when there is no display
// ($DISPLAY unset or unusable), the constructor throws NoDisplay, whose
// message is one line that suggests --record.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/render/raster.h"

namespace pavlov {

struct NoDisplay : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Key { kSpace, kLeft, kRight, kUp, kDown, kPlus, kMinus, kR, kEscape, kEnter, kClose, kOther };

class Window {
 public:
  Window(const std::string& title, int width, int height);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool is_open() const;
  void close();
  // The drawable area in pixels now (the user may resize the window).
  int width() const;
  int height() const;
  // Shows `frame` stretched over the window (render at width() x height() for a sharp picture).
  void show(const Image& frame);
  // The next pending key press (kClose when the window's close button was
  // pressed), or nothing. Call it often: it also keeps the window responsive.
  std::optional<Key> poll();
  // Whether a key is held down now (for human play).
  static bool held(Key key);
  // What the window shows now, read back from the screen.
  Image screenshot();

 private:
  void redraw();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Why no window can be opened here, as NoDisplay's one-line message (a build
// without SFML, $DISPLAY unset); empty when one can be tried.
std::string no_display_reason();
inline bool display_available() { return no_display_reason().empty(); }

}  // namespace pavlov
