#include "stipple/render/video.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "stipple/core/error.h"

namespace stipple::render {

namespace {

std::string avError(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

// A position in the atomic writer's temporary: libavformat writes, seeks and (for +faststart)
// reads the file back through AVIOContexts over it, never by name.
struct FdCursor {
    int fd = -1;
    int64_t pos = 0;
};

int readCursor(void* opaque, uint8_t* buf, int size) {
    auto* c = static_cast<FdCursor*>(opaque);
    const ssize_t n = ::pread(c->fd, buf, size_t(size), off_t(c->pos));
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    c->pos += n;
    return int(n);
}

#if LIBAVFORMAT_VERSION_MAJOR >= 61
int writeCursor(void* opaque, const uint8_t* buf, int size) {
#else
int writeCursor(void* opaque, uint8_t* buf, int size) {
#endif
    auto* c = static_cast<FdCursor*>(opaque);
    int done = 0;
    while (done < size) {
        const ssize_t n = ::pwrite(c->fd, buf + done, size_t(size - done), off_t(c->pos));
        if (n < 0) {
            if (errno == EINTR) continue;
            return AVERROR(errno);
        }
        c->pos += n;
        done += int(n);
    }
    return size;
}

int64_t seekCursor(void* opaque, int64_t offset, int whence) {
    auto* c = static_cast<FdCursor*>(opaque);
    struct stat st {};
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return ::fstat(c->fd, &st) == 0 ? int64_t(st.st_size) : AVERROR(errno);
    case SEEK_SET:
        c->pos = offset;
        return c->pos;
    case SEEK_CUR:
        c->pos += offset;
        return c->pos;
    case SEEK_END:
        if (::fstat(c->fd, &st) != 0) return AVERROR(errno);
        c->pos = int64_t(st.st_size) + offset;
        return c->pos;
    default:
        return AVERROR(EINVAL);
    }
}

constexpr int kIoBufferBytes = 1 << 16;

// An AVIOContext over `fd` with its own position (the muxer's second pass reads while it
// writes). Freed with freeCursorContext().
AVIOContext* cursorContext(int fd, bool write) {
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
    if (!buffer) return nullptr;
    auto* cursor = new FdCursor{fd, 0};
    AVIOContext* pb =
        avio_alloc_context(buffer, kIoBufferBytes, write ? 1 : 0, cursor,
                           write ? nullptr : readCursor, write ? writeCursor : nullptr, seekCursor);
    if (!pb) {
        av_free(buffer);
        delete cursor;
    }
    return pb;
}

void freeCursorContext(AVIOContext*& pb) {
    if (!pb) return;
    if (pb->write_flag) avio_flush(pb);
    delete static_cast<FdCursor*>(pb->opaque);
    av_freep(&pb->buffer);
    avio_context_free(&pb);
}

// The muxer opens its own file once more to read it back for +faststart; give it a read
// cursor over the same temporary instead of a path.
int openSecondPass(AVFormatContext* s, AVIOContext** pb, const char* url, int flags,
                   AVDictionary**) {
    auto* fd = static_cast<int*>(s->opaque);
    if ((flags & AVIO_FLAG_WRITE) || !url || std::strcmp(url, s->url) != 0) return AVERROR(EPERM);
    *pb = cursorContext(*fd, false);
    return *pb ? 0 : AVERROR(ENOMEM);
}

int closeSecondPass(AVFormatContext*, AVIOContext* pb) {
    freeCursorContext(pb);
    return 0;
}

} // namespace

struct Mp4Writer::Impl {
    std::filesystem::path file;
    std::unique_ptr<AtomicFile> out;
    int out_fd = -1; // the muxer's opaque: the temporary for the +faststart second pass
    int width = 0, height = 0;
    AVFormatContext* format = nullptr;
    AVCodecContext* encoder = nullptr;
    AVStream* stream = nullptr;
    SwsContext* sws = nullptr;
    AVFrame* frame = nullptr;
    AVPacket* packet = nullptr;
    int64_t pts = 0;
    bool finished = false;
    std::string encoder_name;

    void encode(const AVFrame* f) {
        int rc = avcodec_send_frame(encoder, f);
        if (rc < 0)
            throw RuntimeFailure("H.264 encoder refused a frame: " + avError(rc), file.string());
        while (true) {
            rc = avcodec_receive_packet(encoder, packet);
            if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
            if (rc < 0)
                throw RuntimeFailure("H.264 encoding failed: " + avError(rc), file.string());
            av_packet_rescale_ts(packet, encoder->time_base, stream->time_base);
            packet->stream_index = stream->index;
            rc = av_interleaved_write_frame(format, packet);
            if (rc < 0)
                throw RuntimeFailure("cannot write MP4 data: " + avError(rc), file.string());
        }
    }

    ~Impl() {
        if (sws) sws_freeContext(sws);
        av_frame_free(&frame);
        av_packet_free(&packet);
        avcodec_free_context(&encoder);
        if (format) {
            freeCursorContext(format->pb);
            avformat_free_context(format);
        }
        // `out` (declared before) is destroyed after this: without commit() it leaves nothing.
    }
};

Mp4Writer::Mp4Writer(const std::filesystem::path& file, int width, int height, double fps,
                     Overwrite overwrite)
    : m_impl(std::make_unique<Impl>()) {
    Impl& m = *m_impl;
    av_log_set_level(AV_LOG_ERROR); // x264's per-clip statistics are noise on stderr
    m.file = file;
    m.width = width & ~1;
    m.height = height & ~1;
    // Not input-reachable: sizes are validated 16..3840 x 16..2160 and /render/fps 1..60 first.
    STIPPLE_ASSERT(m.width >= 2 && m.height >= 2 && fps > 0, "Mp4Writer(): bad size or fps");
    // The temporary first: a bad output path is refused before the encoder is set up.
    m.out = std::make_unique<AtomicFile>(file, overwrite);
    m.out_fd = m.out->fd();

    const AVCodec* codec = nullptr;
    for (const char* name : {"libx264", "libopenh264"})
        if ((codec = avcodec_find_encoder_by_name(name))) break;
    if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (!codec)
        throw RuntimeFailure("this FFmpeg build has no H.264 encoder (looked for libx264, "
                             "libopenh264); install Debian's libavcodec59 with libx264 or skip "
                             "the MP4 output (PNG frames and GIF do not need it)",
                             file.string());
    m.encoder_name = codec->name;

    int rc = avformat_alloc_output_context2(&m.format, nullptr, "mp4", file.c_str());
    if (rc < 0 || !m.format)
        throw RuntimeFailure("cannot set up the MP4 muxer: " + avError(rc), file.string());
    m.format->flags |= AVFMT_FLAG_CUSTOM_IO;
    m.format->opaque = &m.out_fd;
    m.format->io_open = openSecondPass;
    m.format->io_close2 = closeSecondPass;
    m.encoder = avcodec_alloc_context3(codec);
    const AVRational rate = av_d2q(fps, 1000000);
    m.encoder->width = m.width;
    m.encoder->height = m.height;
    m.encoder->framerate = rate;
    m.encoder->time_base = av_inv_q(rate);
    m.encoder->pix_fmt = AV_PIX_FMT_YUV420P;
    m.encoder->gop_size = std::max(1, int(fps * 2));
    m.encoder->max_b_frames = 2;
    // Tag BT.709 limited range, which is what browsers assume for HD video.
    m.encoder->color_range = AVCOL_RANGE_MPEG;
    m.encoder->colorspace = AVCOL_SPC_BT709;
    m.encoder->color_primaries = AVCOL_PRI_BT709;
    m.encoder->color_trc = AVCOL_TRC_BT709;
    if (m.format->oformat->flags & AVFMT_GLOBALHEADER)
        m.encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* codec_options = nullptr;
    if (m.encoder_name == "libx264") {
        // crf 18: visually lossless for smooth skin; "fast" keeps encode time below render.
        av_dict_set(&codec_options, "crf", "18", 0);
        av_dict_set(&codec_options, "preset", "fast", 0);
        av_dict_set(&codec_options, "profile", "high", 0);
    } else {
        m.encoder->bit_rate = int64_t(double(m.width) * m.height * fps * 0.2);
    }
    rc = avcodec_open2(m.encoder, codec, &codec_options);
    av_dict_free(&codec_options);
    if (rc < 0)
        throw RuntimeFailure("cannot open the " + m.encoder_name + " encoder: " + avError(rc),
                             file.string());

    m.stream = avformat_new_stream(m.format, nullptr);
    avcodec_parameters_from_context(m.stream->codecpar, m.encoder);
    m.stream->time_base = m.encoder->time_base;
    m.stream->avg_frame_rate = rate;
    m.format->pb = cursorContext(m.out_fd, true);
    if (!m.format->pb) throw RuntimeFailure("out of memory for the video file", file.string());
    AVDictionary* mux_options = nullptr;
    av_dict_set(&mux_options, "movflags", "+faststart", 0);
    rc = avformat_write_header(m.format, &mux_options);
    av_dict_free(&mux_options);
    if (rc < 0) throw RuntimeFailure("cannot write the MP4 header: " + avError(rc), file.string());

    m.sws =
        sws_getContext(m.width, m.height, AV_PIX_FMT_RGBA, m.width, m.height, AV_PIX_FMT_YUV420P,
                       SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr);
    // Full-range sRGB in, BT.709 limited-range YUV out.
    sws_setColorspaceDetails(m.sws, sws_getCoefficients(SWS_CS_ITU709), 1,
                             sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
    m.frame = av_frame_alloc();
    m.frame->format = AV_PIX_FMT_YUV420P;
    m.frame->width = m.width;
    m.frame->height = m.height;
    if (av_frame_get_buffer(m.frame, 0) < 0) throw RuntimeFailure("out of memory for video frames");
    m.packet = av_packet_alloc();
}

Mp4Writer::~Mp4Writer() = default;

void Mp4Writer::add(const Image8& rgba) {
    Impl& m = *m_impl;
    // Not input-reachable: frames come from the render job at the size it opened the writer with.
    STIPPLE_ASSERT(rgba.channels == 4 && (rgba.width & ~1) == m.width &&
                       (rgba.height & ~1) == m.height,
                   "Mp4Writer::add(): frame size differs from the clip's");
    // Not input-reachable: the render job calls finish() once, after the last add().
    STIPPLE_ASSERT(!m.finished, "Mp4Writer::add(): already finished");
    if (av_frame_make_writable(m.frame) < 0) throw RuntimeFailure("cannot reuse the video frame");
    const uint8_t* src[1] = {rgba.pixels.data()};
    const int stride[1] = {rgba.width * 4};
    sws_scale(m.sws, src, stride, 0, m.height, m.frame->data, m.frame->linesize);
    m.frame->pts = m.pts++;
    m.encode(m.frame);
}

void Mp4Writer::finish() {
    Impl& m = *m_impl;
    if (m.finished) return;
    m.encode(nullptr);
    const int rc = av_write_trailer(m.format);
    if (rc < 0) throw RuntimeFailure("cannot finish the MP4 file: " + avError(rc), m.file.string());
    avio_flush(m.format->pb);
    if (m.format->pb->error < 0)
        throw RuntimeFailure("cannot write the MP4 file: " + avError(m.format->pb->error),
                             m.file.string());
    freeCursorContext(m.format->pb);
    m.out->commit();
    m.finished = true;
}

std::string Mp4Writer::encoderName() const {
    return m_impl->encoder_name;
}

} // namespace stipple::render
