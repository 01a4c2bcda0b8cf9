#include "engine/render/recorder.h"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/render/image_io.h"

#ifdef PAVLOV_HAS_GIF
#include <fcntl.h>
#include <gif_lib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif
#ifdef PAVLOV_HAS_FFMPEG
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}
#endif

namespace pavlov {
namespace {

void check_size(const Image& frame, int width, int height, int index) {
  if (frame.width != width || frame.height != height)
    throw std::invalid_argument("Recorder: frame " + std::to_string(index) + " is " + std::to_string(frame.width) + " x " +
                                std::to_string(frame.height) + ", the recording is " + std::to_string(width) + " x " +
                                std::to_string(height));
}

class PngFolder final : public Recorder {
 public:
  explicit PngFolder(std::filesystem::path dir) : dir_(std::move(dir)) {
    if (!png_supported()) save_png(Image(1, 1), dir_ / "frame.png");  // throws the "built without SFML" message
    std::filesystem::create_directories(dir_);
  }
  void add(const Image& frame) override {
    if (count_ == 0) width_ = frame.width, height_ = frame.height;
    check_size(frame, width_, height_, count_);
    char name[32];
    std::snprintf(name, sizeof name, "frame_%06d.png", count_);
    save_png(frame, dir_ / name);
    ++count_;
  }
  void close() override {}
  int frames() const override { return count_; }

 private:
  std::filesystem::path dir_;
  int count_ = 0, width_ = 0, height_ = 0;
};

#ifdef PAVLOV_HAS_GIF
std::string gif_error(int code) {
  const char* s = GifErrorString(code);
  return s ? s : "error " + std::to_string(code);
}

class GifFile final : public Recorder {
 public:
  GifFile(const std::filesystem::path& path, double fps) : path_(path) {
    delay_cs_ = static_cast<int>(100.0 / fps + 0.5);
    if (delay_cs_ < 2) delay_cs_ = 2;  // browsers treat shorter delays as 10 cs
  }
  ~GifFile() override {
    try {
      close();
    } catch (...) {
    }
  }

  void add(const Image& frame) override {
    if (count_ == 0) open_file(frame.width, frame.height);
    check_size(frame, width_, height_, count_);
    palette_frame(frame);
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSAL_UNSPECIFIED;
    gcb.DelayTime = delay_cs_;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const std::size_t n = EGifGCBToExtension(&gcb, ext);
    ColorMapObject* map = GifMakeMapObject(256, colors_.data());
    const bool ok = EGifPutExtension(gif_, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext) == GIF_OK &&
                    EGifPutImageDesc(gif_, 0, 0, width_, height_, false, map) == GIF_OK;
    GifFreeMapObject(map);
    if (!ok) fail();
    for (int y = 0; y < height_; ++y)
      if (EGifPutLine(gif_, indices_.data() + static_cast<std::size_t>(y) * width_, width_) != GIF_OK) fail();
    ++count_;
  }

  void close() override {
    if (gif_ == nullptr) return;
    int error = 0;
    GifFileType* gif = gif_;
    gif_ = nullptr;
    if (EGifCloseFile(gif, &error) != GIF_OK) throw std::runtime_error("cannot write " + path_.string() + ": " + gif_error(error));
  }
  int frames() const override { return count_; }

 private:
  void open_file(int width, int height) {
    width_ = width;
    height_ = height;
    int error = 0;
    // Opened here, not by EGifOpenFileName, which creates files readable by their owner only.
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) throw std::runtime_error("cannot create " + path_.string() + ": " + std::strerror(errno));
    gif_ = EGifOpenFileHandle(fd, &error);
    if (gif_ == nullptr) {
      ::close(fd);
      throw std::runtime_error("cannot create " + path_.string() + ": " + gif_error(error));
    }
    EGifSetGifVersion(gif_, true);
    if (EGifPutScreenDesc(gif_, width, height, 8, 0, nullptr) != GIF_OK) fail();
    // Loop forever (the NETSCAPE2.0 application extension).
    static const GifByteType kLoop[3] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif_, APPLICATION_EXT_FUNC_CODE) != GIF_OK ||
        EGifPutExtensionBlock(gif_, 11, "NETSCAPE2.0") != GIF_OK || EGifPutExtensionBlock(gif_, 3, kLoop) != GIF_OK ||
        EGifPutExtensionTrailer(gif_) != GIF_OK)
      fail();
    indices_.resize(static_cast<std::size_t>(width) * height);
    colors_.assign(256, GifColorType{0, 0, 0});
  }

  // Fills colors_ and indices_ for one frame: the exact colours when there are
  // at most 256 of them, giflib's quantizer otherwise.
  void palette_frame(const Image& frame) {
    lookup_.clear();
    const std::size_t n = indices_.size();
    bool exact = true;
    for (std::size_t i = 0; i < n && exact; ++i) {
      const std::uint8_t* p = frame.rgb.data() + 3 * i;
      const std::uint32_t key = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
      auto [it, added] = lookup_.try_emplace(key, static_cast<std::uint8_t>(lookup_.size()));
      if (added) {
        if (lookup_.size() > 256) {
          exact = false;
          break;
        }
        colors_[it->second] = GifColorType{p[0], p[1], p[2]};
      }
      indices_[i] = it->second;
    }
    if (exact) return;
    std::vector<GifByteType> r(n), g(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
      r[i] = frame.rgb[3 * i];
      g[i] = frame.rgb[3 * i + 1];
      b[i] = frame.rgb[3 * i + 2];
    }
    int size = 256;
    if (GifQuantizeBuffer(width_, height_, &size, r.data(), g.data(), b.data(), indices_.data(), colors_.data()) != GIF_OK)
      throw std::runtime_error("cannot write " + path_.string() + ": giflib could not quantize frame " + std::to_string(count_));
  }

  [[noreturn]] void fail() {
    const int code = gif_ ? gif_->Error : 0;
    throw std::runtime_error("cannot write " + path_.string() + ": " + gif_error(code));
  }

  std::filesystem::path path_;
  GifFileType* gif_ = nullptr;
  int delay_cs_ = 2, width_ = 0, height_ = 0, count_ = 0;
  std::vector<GifByteType> indices_;
  std::vector<GifColorType> colors_;
  std::unordered_map<std::uint32_t, std::uint8_t> lookup_;
};
#endif

#ifdef PAVLOV_HAS_FFMPEG
std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

class Mp4File final : public Recorder {
 public:
  Mp4File(const std::filesystem::path& path, double fps) : path_(path), fps_(fps) {}
  ~Mp4File() override {
    try {
      close();
    } catch (...) {
    }
    release();
  }

  void add(const Image& frame) override {
    if (count_ == 0) open_file(frame.width, frame.height);
    check_size(frame, in_width_, in_height_, count_);
    check(av_frame_make_writable(frame_), "av_frame_make_writable");
    const std::uint8_t* src[1] = {frame.rgb.data()};
    const int stride[1] = {3 * frame.width};
    sws_scale(sws_, src, stride, 0, codec_->height, frame_->data, frame_->linesize);
    frame_->pts = count_++;
    encode(frame_);
  }

  void close() override {
    if (format_ == nullptr || closed_) return;
    closed_ = true;
    encode(nullptr);
    check(av_write_trailer(format_), "av_write_trailer");
  }
  int frames() const override { return count_; }

 private:
  void check(int code, const char* what) {
    if (code < 0) throw std::runtime_error("cannot write " + path_.string() + ": " + what + ": " + av_error(code));
  }

  void open_file(int width, int height) {
    in_width_ = width;
    in_height_ = height;
    av_log_set_level(AV_LOG_ERROR);  // x264 prints its statistics otherwise
    check(avformat_alloc_output_context2(&format_, nullptr, "mp4", path_.c_str()), "avformat_alloc_output_context2");
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (codec == nullptr) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (codec == nullptr) throw std::runtime_error("cannot write " + path_.string() + ": libavcodec has no H.264 or MPEG-4 encoder");
    stream_ = avformat_new_stream(format_, nullptr);
    codec_ = avcodec_alloc_context3(codec);
    codec_->width = width & ~1;
    codec_->height = height & ~1;
    const int rate = static_cast<int>(fps_ + 0.5) > 0 ? static_cast<int>(fps_ + 0.5) : 1;
    codec_->time_base = AVRational{1, rate};
    codec_->framerate = AVRational{rate, 1};
    codec_->pix_fmt = AV_PIX_FMT_YUV420P;
    codec_->gop_size = 2 * rate;
    codec_->bit_rate = 2'000'000;  // used by MPEG-4; x264 uses its crf
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (std::string(codec->name) == "libx264") {
      av_opt_set(codec_->priv_data, "preset", "veryfast", 0);
      av_opt_set(codec_->priv_data, "crf", "20", 0);
    }
    check(avcodec_open2(codec_, codec, nullptr), "avcodec_open2");
    check(avcodec_parameters_from_context(stream_->codecpar, codec_), "avcodec_parameters_from_context");
    stream_->time_base = codec_->time_base;
    check(avio_open(&format_->pb, path_.c_str(), AVIO_FLAG_WRITE), "avio_open");
    check(avformat_write_header(format_, nullptr), "avformat_write_header");
    frame_ = av_frame_alloc();
    frame_->format = codec_->pix_fmt;
    frame_->width = codec_->width;
    frame_->height = codec_->height;
    check(av_frame_get_buffer(frame_, 0), "av_frame_get_buffer");
    packet_ = av_packet_alloc();
    // Crops an odd last row or column (yuv420p needs even sizes).
    sws_ = sws_getContext(codec_->width, codec_->height, AV_PIX_FMT_RGB24, codec_->width, codec_->height, AV_PIX_FMT_YUV420P,
                          SWS_BILINEAR, nullptr, nullptr, nullptr);
  }

  void encode(AVFrame* frame) {
    check(avcodec_send_frame(codec_, frame), "avcodec_send_frame");
    for (;;) {
      const int got = avcodec_receive_packet(codec_, packet_);
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return;
      check(got, "avcodec_receive_packet");
      // One frame long: without a duration the MP4 edit list cuts off the last frame.
      if (packet_->duration == 0) packet_->duration = 1;
      av_packet_rescale_ts(packet_, codec_->time_base, stream_->time_base);
      packet_->stream_index = stream_->index;
      check(av_interleaved_write_frame(format_, packet_), "av_interleaved_write_frame");
    }
  }

  void release() {
    if (sws_) sws_freeContext(sws_);
    if (packet_) av_packet_free(&packet_);
    if (frame_) av_frame_free(&frame_);
    if (codec_) avcodec_free_context(&codec_);
    if (format_) {
      if (format_->pb) avio_closep(&format_->pb);
      avformat_free_context(format_);
      format_ = nullptr;
    }
  }

  std::filesystem::path path_;
  double fps_;
  AVFormatContext* format_ = nullptr;
  AVStream* stream_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* sws_ = nullptr;
  int in_width_ = 0, in_height_ = 0, count_ = 0;
  bool closed_ = false;
};

VideoInfo probe_mp4(const std::filesystem::path& path) {
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot read " + path.string());
  VideoInfo info;
  avformat_find_stream_info(format, nullptr);
  const int index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index < 0) {
    avformat_close_input(&format);
    throw std::runtime_error(path.string() + " has no video stream");
  }
  const AVCodecParameters* par = format->streams[index]->codecpar;
  AVCodecContext* codec = avcodec_alloc_context3(avcodec_find_decoder(par->codec_id));
  avcodec_parameters_to_context(codec, par);
  avcodec_open2(codec, codec->codec, nullptr);
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto drain = [&] {
    while (avcodec_receive_frame(codec, frame) == 0) {
      ++info.frames;
      info.width = frame->width;
      info.height = frame->height;
    }
  };
  while (av_read_frame(format, packet) >= 0) {
    if (packet->stream_index == index) {
      while (avcodec_send_packet(codec, packet) == AVERROR(EAGAIN)) drain();
      drain();
    }
    av_packet_unref(packet);
  }
  avcodec_send_packet(codec, nullptr);
  drain();
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&codec);
  avformat_close_input(&format);
  return info;
}
#endif

}  // namespace

std::unique_ptr<Recorder> Recorder::open(const std::filesystem::path& path, double fps) {
  if (!(fps > 0)) throw std::invalid_argument("Recorder: fps must be > 0, got " + std::to_string(fps));
  const std::string ext = path.extension().string();
  if (ext == ".gif") {
#ifdef PAVLOV_HAS_GIF
    return std::make_unique<GifFile>(path, fps);
#else
    throw std::runtime_error("cannot write " + path.string() + ": this pavlov was built without giflib (apt install libgif-dev)");
#endif
  }
  if (ext == ".mp4") {
#ifdef PAVLOV_HAS_FFMPEG
    return std::make_unique<Mp4File>(path, fps);
#else
    throw std::runtime_error("cannot write " + path.string() +
                             ": this pavlov was built without FFmpeg (apt install libavformat-dev libavcodec-dev libswscale-dev)");
#endif
  }
  check_recording_path(path);
  return std::make_unique<PngFolder>(path);
}

void check_recording_path(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (!ext.empty() && ext != "." && ext != ".gif" && ext != ".mp4")
    throw std::invalid_argument("cannot record to " + path.string() + ": use a .gif or .mp4 file, or a folder for PNG frames");
}

VideoInfo probe_video(const std::filesystem::path& path) {
  if (path.extension() == ".gif") {
#ifdef PAVLOV_HAS_GIF
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    if (gif == nullptr) throw std::runtime_error("cannot read " + path.string() + ": " + gif_error(error));
    if (DGifSlurp(gif) != GIF_OK) {
      DGifCloseFile(gif, &error);
      throw std::runtime_error("cannot decode " + path.string());
    }
    VideoInfo info{gif->ImageCount, gif->SWidth, gif->SHeight};
    DGifCloseFile(gif, &error);
    return info;
#endif
  }
#ifdef PAVLOV_HAS_FFMPEG
  return probe_mp4(path);
#else
  throw std::runtime_error("cannot read " + path.string() + ": this pavlov was built without FFmpeg");
#endif
}

}  // namespace pavlov
