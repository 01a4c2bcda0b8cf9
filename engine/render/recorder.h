// pavlov::Recorder: writes rendered frames to a file, with no display.
//
//   auto rec = pavlov::Recorder::open("episode.gif", /*fps=*/50);   // .gif, .mp4, or a folder
//   rec->add(frame);  ...  rec->close();
//
// The format follows the path: `.gif` through giflib (a palette per frame:
// exact when a frame has at most 256 colours, as env pictures do, else
// giflib's median-cut quantizer), `.mp4` through FFmpeg's libraries (H.264
// when Debian's libavcodec has libx264, else MPEG-4 part 2; yuv420p, so odd
// sizes are cropped by one pixel), anything else is a folder that receives
// frame_000000.png, frame_000001.png, ... All frames of a recording must have
// the first frame's size. Formats this build lacks fail in open() with a
// message naming the missing library.
#pragma once

#include <filesystem>
#include <memory>

#include "engine/render/raster.h"

namespace pavlov {

class Recorder {
 public:
  virtual ~Recorder() = default;
  static std::unique_ptr<Recorder> open(const std::filesystem::path& path, double fps);

  virtual void add(const Image& frame) = 0;
  // Finishes the file (also done by the destructor, which swallows errors).
  virtual void close() = 0;
  virtual int frames() const = 0;
};

// Throws std::invalid_argument, saying what to use, unless `path` names a .gif,
// an .mp4 or a folder (no extension). Recorder::open checks the same.
void check_recording_path(const std::filesystem::path& path);

// What a video or GIF file holds, decoded back (for tests and checks).
struct VideoInfo {
  int frames = 0, width = 0, height = 0;
};
VideoInfo probe_video(const std::filesystem::path& path);

}  // namespace pavlov
