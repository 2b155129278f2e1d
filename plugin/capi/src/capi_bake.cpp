// stipple_session_bake_layers(): the session's layers as PNG files, written atomically, with
// nothing overwritten unless asked and nothing left behind by a failure half-way.
// (When core grows a shared bake-output writer, this file becomes a call to it.)

#include <filesystem>
#include <functional>

#include "capi_internal.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"

namespace stipple::capi {
namespace {

namespace fs = std::filesystem;

struct LayerFile {
    const char* name;
    std::function<std::string(const TextChunks&)> encode;
    const char* layer;
};

TextChunks provenance(const Session& session, int size) {
    const Design& design = session.design();
    return {{"Software", std::string("Stipple ") + STIPPLE_VERSION},
            {"stipple:version", STIPPLE_VERSION},
            {"stipple:design", design.source.string()},
            {"stipple:design_sha256", design.sha256},
            {"stipple:mesh_sha256", session.head().import.sha256},
            {"stipple:layer_size", std::to_string(size)}};
}

} // namespace
} // namespace stipple::capi

using namespace stipple;
using namespace stipple::capi;

extern "C" stipple_status stipple_session_bake_layers(stipple_session* handle, const char* out_dir,
                                                      int overwrite) {
    return guarded([&] {
        requireArgument(out_dir, "out_dir");
        Session& session = sessionWithHead(handle, "stipple_session_bake_layers");
        const fs::path dir = out_dir;
        ensureWritableDir(dir);
        const LayerStack& layers = session.layers();
        // Fast compression for the big pigment layer; the smooth ones are small.
        const std::vector<LayerFile> files = {
            {"pigment.png", [&](const TextChunks& t) { return encodePng(layers.pigment, t, 1); },
             "pigment"},
            {"scar.png", [&](const TextChunks& t) { return encodePng(layers.scar, t, 6); }, "scar"},
            {"scar_roughness.png",
             [&](const TextChunks& t) { return encodePng(layers.scar_roughness, t, 6); },
             "scar_roughness"},
            {"before.png", [&](const TextChunks& t) { return encodePng(layers.before, t, 6); },
             "before"}};
        const Overwrite mode = overwrite ? Overwrite::Yes : Overwrite::No;
        if (mode == Overwrite::No)
            for (const LayerFile& f : files)
                if (fs::exists(dir / f.name))
                    throw Error("exists; set overwrite to replace it (nothing was written)",
                                (dir / f.name).string(), "overwrite");
        std::vector<std::string> bytes;
        for (const LayerFile& f : files) {
            TextChunks text = provenance(session, layers.size);
            text.emplace_back("stipple:layer", f.layer);
            bytes.push_back(f.encode(text));
        }
        std::vector<fs::path> created;
        try {
            for (size_t i = 0; i < files.size(); ++i) {
                const fs::path file = dir / files[i].name;
                const bool existed = fs::exists(file);
                writeFileAtomic(file, bytes[i], mode);
                if (!existed) created.push_back(file);
            }
        } catch (...) {
            std::error_code ec;
            for (const fs::path& f : created)
                fs::remove(f, ec);
            throw;
        }
    });
}
