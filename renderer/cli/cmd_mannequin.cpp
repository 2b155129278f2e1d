#include "commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "stipple/core/error.h"
#include "stipple/core/image.h"
#include "stipple/core/mannequin.h"
#include "stipple/core/mesh_export.h"
#include "stipple/core/preview.h"

// Developer command: regenerates the bundled mannequin (meshes/mannequin.glb) and optionally
// writes preview PNGs of it. Hidden from the main help (group "").

namespace stipple::cli {

Command addMannequinCommand(CLI::App& root) {
    struct Options {
        std::string output;
        std::string preview_dir;
        int size = 768;
        bool force = false;
    };
    auto opt = std::make_shared<Options>();
    Command command;
    command.app = root.add_subcommand("mannequin", "Regenerate the bundled mannequin head mesh");
    command.app->group(""); // a developer tool: not listed in `stipple --help`
    command.app->add_option("-o,--output", opt->output, "Output mesh (.glb, .obj or .ply)")
        ->required();
    command.app->add_option("--preview", opt->preview_dir,
                            "Also write preview PNGs (each view and a four-view strip) here");
    command.app->add_option("--size", opt->size, "Preview size in pixels")
        ->check(CLI::Range(64, 4096));
    command.app->add_flag("--force", opt->force, "Overwrite existing files");
    command.run = [opt]() -> int {
        const auto start = std::chrono::steady_clock::now();
        const Mannequin head = generateMannequin();
        const std::filesystem::path out = opt->output;
        std::string ext = out.extension().string();
        if (!ext.empty()) ext = ext.substr(1);
        MeshExportOptions export_options;
        export_options.format = parseMeshFormat(ext);
        export_options.name = "mannequin";
        const ExportedMesh bytes = exportMesh(head.mesh, export_options);
        const Overwrite overwrite = opt->force ? Overwrite::Yes : Overwrite::No;
        if (out.has_parent_path()) ensureWritableDir(out.parent_path());
        writeFileAtomic(out, bytes.bytes, overwrite);
        for (const auto& [name, data] : bytes.side_files)
            writeFileAtomic(out.parent_path() / name, data, overwrite);
        if (!opt->preview_dir.empty()) {
            ensureWritableDir(opt->preview_dir);
            // One strip of four views (front, three-quarter, left, back) for the docs.
            const PreviewView strip[] = {PreviewView::Front, PreviewView::ThreeQuarter,
                                         PreviewView::Left, PreviewView::Back};
            const int s = opt->size / 2;
            Image8 sheet(4 * s, s, 3, 255);
            for (int i = 0; i < 4; ++i) {
                PreviewOptions p;
                p.view = strip[i];
                p.width = p.height = s;
                p.projection = PreviewProjection::Perspective;
                const Image8 image = renderPreview(head.mesh, p);
                for (int y = 0; y < s; ++y)
                    std::copy(image.at(0, y), image.at(0, y) + 3 * s, sheet.at(i * s, y));
            }
            writeFileAtomic(std::filesystem::path(opt->preview_dir) / "mannequin_sheet.png",
                            encodePng(sheet), overwrite);
            for (PreviewView view :
                 {PreviewView::Front, PreviewView::Left, PreviewView::ThreeQuarter,
                  PreviewView::Top, PreviewView::Back, PreviewView::Right}) {
                PreviewOptions p;
                p.view = view;
                p.width = p.height = opt->size;
                p.projection = PreviewProjection::Perspective;
                const Image8 image = renderPreview(head.mesh, p);
                writeFileAtomic(std::filesystem::path(opt->preview_dir) /
                                    (std::string("mannequin_") + previewViewName(view) + ".png"),
                                encodePng(image), overwrite);
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const Box box = boundingBox(head.mesh);
        const MannequinLandmarks& lm = head.landmarks;
        auto v3 = [](const glm::dvec3& v) {
            char buf[96];
            std::snprintf(buf, sizeof buf, "[%.2f, %.2f, %.2f]", v.x, v.y, v.z);
            return std::string(buf);
        };
        std::cout << "wrote " << out.string() << " (" << bytes.bytes.size() << " bytes) in "
                  << seconds << " s\n"
                  << "  vertices " << head.mesh.vertexCount() << ", triangles "
                  << head.mesh.triangleCount() << "\n"
                  << "  bbox min " << v3(box.min) << " max " << v3(box.max) << " mm\n"
                  << "  breadth " << head.breadth_mm << " mm, length " << head.length_mm
                  << " mm, vertex-chin " << head.height_mm << " mm\n"
                  << "  vertex " << v3(lm.vertex) << "\n  glabella " << v3(lm.glabella)
                  << "\n  nose_tip " << v3(lm.nose_tip) << "\n  ear_left " << v3(lm.ear_left)
                  << "\n  ear_right " << v3(lm.ear_right) << "\n  occiput " << v3(lm.occiput)
                  << "\n";
        return 0;
    };
    return command;
}

} // namespace stipple::cli
