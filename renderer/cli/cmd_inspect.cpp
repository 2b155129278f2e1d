#include "commands.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/head_model.h"

// SKELETON: the head-model work completes the report (landmarks, units confidence, dropped).

namespace stipple::cli {

Command addInspectCommand(CLI::App& root) {
    struct Options {
        std::string mesh;
        std::string design;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    Command command;
    command.app = root.add_subcommand("inspect", "Load a head mesh and report what Stipple sees");
    command.app->add_option("MESH", opt->mesh, "Head mesh (OBJ, PLY, STL, glTF/GLB, FBX)")
        ->required();
    command.app->add_option("--design", opt->design, "Design file whose head section applies");
    command.app->add_flag("--json", opt->json, "Machine-readable output");
    command.run = [opt]() -> int {
        HeadSpec spec;
        if (!opt->design.empty()) spec = loadDesign(opt->design).head;
        spec.mesh = opt->mesh;
        const HeadModel head = loadHeadModel(spec);
        nlohmann::json j;
        j["vertices"] = head.mesh.vertexCount();
        j["triangles"] = head.mesh.triangleCount();
        std::cout << j.dump(2) << "\n";
        return 0;
    };
    return command;
}

} // namespace stipple::cli
