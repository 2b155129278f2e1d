// stipple_session_bake_layers(): the session's bake outputs (layers, albedo, chart GLB,
// bake.json) through core's writeBakeOutputs, the same files `stipple bake` writes: atomic,
// nothing overwritten unless asked, nothing left behind by a failure half-way.

#include <filesystem>

#include "capi_internal.h"
#include "stipple/core/bake_outputs.h"
#include "stipple/core/image.h"

using namespace stipple;
using namespace stipple::capi;

extern "C" stipple_status stipple_session_bake_layers(stipple_session* handle, const char* out_dir,
                                                      int overwrite) {
    return guarded([&] {
        requireArgument(out_dir, "out_dir");
        Session& session = sessionWithHead(handle, "stipple_session_bake_layers");
        const std::filesystem::path dir = out_dir;
        const Overwrite mode = overwrite ? Overwrite::Yes : Overwrite::No;
        ensureWritableDir(dir);
        checkBakeOutputs(dir, session.head().mesh, mode); // before the long work
        const FollicleSet& dots = session.follicles();
        const LayerStack& layers = session.layers();
        writeBakeOutputs(dir, session.design(), session.head(), dots, layers, BakeTimes{}, mode,
                         handle->provenance);
    });
}
