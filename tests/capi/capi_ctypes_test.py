#!/usr/bin/env python3
"""The C ABI through Python ctypes, as the Blender add-on will bind it (python3, no packages).

    capi_ctypes_test.py LIBSTIPPLE SOURCE_DIR SHARED_HEADS OUTPUT_DIR

Covers the basics end to end: version, bad arguments (NULL pointers, wrong sizes, a NaN
coordinate, a bad design, no head yet, a throwing assertion) each returning a status and a
message, the mannequin from its design file, the ICT head handed over as arrays in Blender's
frame (metres, +Z up, -Y forward), dots copied into Python-owned buffers, the pigment layer's
pointer, and one rendered view when the library has a renderer.
"""
import ctypes as C
import math
import os
import sys
import threading
import unittest

LIB_PATH, SOURCE, HEADS, OUTPUT = sys.argv[1:5]
del sys.argv[1:5]

OK, BAD_ARGUMENT, BAD_INPUT, RUNTIME, INTERNAL, NO_HEAD = range(6)
CHANGED_ZONES, CHANGED_DOTS, CHANGED_RENDER = 1 << 3, 1 << 4, 1 << 7
FRAME_HEAD, FRAME_HOST = 0, 1


class HeadInfo(C.Structure):
    _fields_ = [("vertex_count", C.c_size_t), ("triangle_count", C.c_size_t),
                ("mm_per_unit", C.c_double), ("units_inferred", C.c_int),
                ("breadth_mm", C.c_double), ("length_mm", C.c_double),
                ("height_mm", C.c_double), ("up", C.c_char * 4), ("forward", C.c_char * 4)]


def bind():
    lib = C.CDLL(LIB_PATH)
    sess = C.c_void_p
    sigs = {
        "stipple_last_error": (C.c_char_p, []),
        "stipple_last_error_field": (C.c_char_p, []),
        "stipple_version_string": (C.c_char_p, []),
        "stipple_version": (C.c_int, [C.POINTER(C.c_int)] * 3),
        "stipple_has_renderer": (C.c_int, []),
        "stipple_debug_trigger_assert": (C.c_int, []),
        "stipple_session_create_from_file": (C.c_int, [C.c_char_p, C.POINTER(sess)]),
        "stipple_session_create_from_json": (C.c_int, [C.c_char_p, C.c_char_p, C.POINTER(sess)]),
        "stipple_session_destroy": (C.c_int, [sess]),
        "stipple_session_load_head": (C.c_int, [sess, C.c_char_p]),
        "stipple_session_set_head_arrays": (
            C.c_int, [sess, C.POINTER(C.c_float), C.c_size_t, C.POINTER(C.c_uint32), C.c_size_t,
                      C.POINTER(C.c_float), C.c_double, C.c_char_p, C.c_char_p]),
        "stipple_session_set_head_arrays_with_landmarks": (
            C.c_int, [sess, C.POINTER(C.c_float), C.c_size_t, C.POINTER(C.c_uint32), C.c_size_t,
                      C.POINTER(C.c_float), C.c_double, C.c_char_p, C.c_char_p,
                      C.POINTER(C.c_double), C.POINTER(C.c_int)]),
        "stipple_session_design_json": (C.c_int, [sess, C.c_char_p, C.POINTER(C.c_char_p)]),
        "stipple_cancel_create": (C.c_int, [C.POINTER(C.c_void_p)]),
        "stipple_cancel_request": (C.c_int, [C.c_void_p]),
        "stipple_cancel_destroy": (C.c_int, [C.c_void_p]),
        "stipple_session_render_folder_cancellable": (
            C.c_int, [sess, C.c_char_p, C.c_uint32, C.c_void_p, C.POINTER(C.c_size_t)]),
        "stipple_session_head_info": (C.c_int, [sess, C.POINTER(HeadInfo)]),
        "stipple_session_landmarks": (C.c_int, [sess, C.POINTER(C.c_double),
                                                C.POINTER(C.c_double), C.POINTER(C.c_int)]),
        "stipple_session_apply_json": (C.c_int, [sess, C.c_char_p, C.c_char_p,
                                                 C.POINTER(C.c_uint32), C.POINTER(C.c_uint32)]),
        "stipple_session_dot_count": (C.c_int, [sess, C.POINTER(C.c_size_t)]),
        "stipple_session_copy_dots": (
            C.c_int, [sess, C.c_int, C.c_size_t, C.POINTER(C.c_float), C.POINTER(C.c_float),
                      C.POINTER(C.c_float), C.POINTER(C.c_float), C.POINTER(C.c_uint8),
                      C.POINTER(C.c_uint64), C.POINTER(C.c_size_t)]),
        "stipple_session_set_layer_size": (C.c_int, [sess, C.c_int]),
        "stipple_session_layer_pixels": (C.c_int, [sess, C.c_int, C.POINTER(C.POINTER(C.c_uint16)),
                                                   C.POINTER(C.c_int), C.POINTER(C.c_int)]),
        "stipple_session_chart_uvs": (
            C.c_int, [sess, C.POINTER(C.c_float), C.c_size_t, C.POINTER(C.c_size_t),
                      C.POINTER(C.c_uint8), C.c_size_t, C.POINTER(C.c_size_t)]),
        "stipple_session_render_view": (C.c_int, [sess, C.c_char_p, C.c_int, C.c_int, C.c_int,
                                                  C.c_char_p, C.POINTER(C.c_uint8), C.c_size_t]),
    }
    for name, (restype, argtypes) in sigs.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, argtypes
    return lib


LIB = bind()


def error():
    return LIB.stipple_last_error().decode(), LIB.stipple_last_error_field().decode()


def read_obj(path):
    """v and f lines of an OBJ; polygons fanned into triangles."""
    positions, indices = [], []
    with open(path) as f:
        for line in f:
            if line.startswith("v "):
                positions.extend(float(x) for x in line.split()[1:4])
            elif line.startswith("f "):
                corners = [int(c.split("/")[0]) - 1 for c in line.split()[1:]]
                for k in range(1, len(corners) - 1):
                    indices.extend((corners[0], corners[k], corners[k + 1]))
    return positions, indices


def json_design(path, **render):
    """The design file at `path` as JSON text with some /render fields replaced."""
    import json
    with open(path) as f:
        d = json.load(f)
    d["render"].update(render)
    return json.dumps(d).encode()


class CapiTest(unittest.TestCase):
    def setUp(self):
        self.design = os.path.join(SOURCE, "examples", "natural.json")
        self.session = C.c_void_p()
        self.assertEqual(LIB.stipple_session_create_from_file(self.design.encode(),
                                                              C.byref(self.session)), OK)

    def tearDown(self):
        self.assertEqual(LIB.stipple_session_destroy(self.session), OK)

    def expect(self, status, want, field=None, part=None):
        message, got_field = error()
        self.assertEqual(status, want, message)
        self.assertTrue(message, "a failing call leaves a message")
        if field is not None:
            self.assertEqual(got_field, field, message)
        if part is not None:
            self.assertIn(part, message)

    def test_version(self):
        major, minor, patch = C.c_int(), C.c_int(), C.c_int()
        self.assertEqual(LIB.stipple_version(C.byref(major), C.byref(minor), C.byref(patch)), OK)
        self.assertEqual(f"{major.value}.{minor.value}.{patch.value}",
                         LIB.stipple_version_string().decode())

    def test_errors(self):
        count = C.c_size_t()
        self.expect(LIB.stipple_session_dot_count(self.session, C.byref(count)), NO_HEAD)
        self.expect(LIB.stipple_session_dot_count(None, C.byref(count)), BAD_ARGUMENT, "session")
        bad = C.c_void_p()
        self.expect(LIB.stipple_session_create_from_json(
            b'{"stipple": 1, "head": {"mesh": "h.glb"}, "hairline": {"frontal_height_mm": 300}}',
            b"client.json", C.byref(bad)), BAD_INPUT, "/hairline/frontal_height_mm",
            "/hairline/frontal_height_mm")
        self.assertFalse(bad.value)
        pos = (C.c_float * 12)(0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1)
        idx = (C.c_uint32 * 12)(0, 1, 2, 0, 2, 3, 0, 3, 1, 1, 3, 2)
        self.expect(LIB.stipple_session_set_head_arrays(self.session, None, 4, idx, 4, None, 0,
                                                        None, None), BAD_ARGUMENT, "positions")
        pos[7] = math.nan
        self.expect(LIB.stipple_session_set_head_arrays(self.session, pos, 4, idx, 4, None, 0,
                                                        None, None), BAD_ARGUMENT, "positions",
                    "positions[7]")
        pos[7] = 1
        idx[11] = 99
        self.expect(LIB.stipple_session_set_head_arrays(self.session, pos, 4, idx, 4, None, 0,
                                                        None, None), BAD_ARGUMENT, "indices",
                    "indices[11]")
        rgba = (C.c_uint8 * (16 * 16 * 4))()
        self.expect(LIB.stipple_session_render_view(self.session, b"front", 16, 16, 1, None,
                                                    rgba, len(rgba)), NO_HEAD)
        self.expect(LIB.stipple_debug_trigger_assert(), INTERNAL, None,
                    "stipple_debug_trigger_assert()")

    def test_mannequin(self):
        self.assertEqual(LIB.stipple_session_load_head(self.session, None), OK, error())
        count = C.c_size_t()
        self.assertEqual(LIB.stipple_session_dot_count(self.session, C.byref(count)), OK)
        n = count.value
        self.assertGreater(n, 20000)  # natural.json: about 40k dots on the mannequin
        needed = C.c_size_t()
        small = (C.c_float * 3)()
        self.expect(LIB.stipple_session_copy_dots(self.session, FRAME_HEAD, 1, small, None, None,
                                                  None, None, None, C.byref(needed)),
                    BAD_ARGUMENT, "capacity")
        self.assertEqual(needed.value, n)
        positions = (C.c_float * (3 * n))()
        zones = (C.c_uint8 * n)()
        self.assertEqual(LIB.stipple_session_copy_dots(self.session, FRAME_HEAD, n, positions,
                                                       None, None, None, zones, None,
                                                       C.byref(needed)), OK)
        self.assertTrue(all(z < 7 for z in zones))
        # Dots lie on the scalp: above the lowest ear-line point the hairline allows (nape at
        # -35 mm, ear clearance), so every y is above -100 mm.
        self.assertGreater(min(positions[1::3]), -100)

        changed, mask = C.c_uint32(), C.c_uint32()
        with open(self.design) as f:
            text = f.read()
        # The crown's entry (the demo's front_transition is also at 80).
        edited = text.replace('"crown", "density_per_cm2": 80', '"crown", "density_per_cm2": 90')
        self.assertEqual(LIB.stipple_session_apply_json(self.session, edited.encode(), None,
                                                        C.byref(changed), C.byref(mask)), OK)
        self.assertTrue(changed.value & CHANGED_ZONES and changed.value & CHANGED_DOTS)
        self.assertEqual(mask.value, 1 << 3)  # crown only
        edited = edited.replace('"fps": 24', '"fps": 30')
        self.assertEqual(LIB.stipple_session_apply_json(self.session, edited.encode(), None,
                                                        C.byref(changed), C.byref(mask)), OK)
        self.assertEqual(changed.value, CHANGED_RENDER)

        self.assertEqual(LIB.stipple_session_set_layer_size(self.session, 1024), OK)
        pixels = C.POINTER(C.c_uint16)()
        w, h = C.c_int(), C.c_int()
        self.assertEqual(LIB.stipple_session_layer_pixels(self.session, 0, C.byref(pixels),
                                                          C.byref(w), C.byref(h)), OK)
        self.assertEqual((w.value, h.value), (1024, 1024))
        covered = sum(1 for i in range(3, 1024 * 1024 * 4, 4 * 97) if pixels[i] > 0)
        self.assertGreater(covered, 0)  # some ink in a 1/97 sample of the texels

        if LIB.stipple_has_renderer():
            rgba = (C.c_uint8 * (160 * 90 * 4))()
            self.assertEqual(LIB.stipple_session_render_view(self.session, b"front", 160, 90, 1,
                                                             b"clinic", rgba, len(rgba)), OK,
                             error())
            self.assertEqual(rgba[3], 255)  # opaque background from the design
            self.assertGreater(len(set(rgba[0::4])), 10)  # a head, not a flat fill

    def test_blender_arrays(self):
        positions, indices = read_obj(os.path.join(
            HEADS, "ict_facekit_neutral", "generic_neutral_mesh_skin_only.obj"))
        nv, nt = len(positions) // 3, len(indices) // 3
        # Blender holds the head in metres, +Z up, looking down -Y: (x, -z, y) / 100.
        blender = (C.c_float * (3 * nv))()
        for i in range(nv):
            x, y, z = positions[3 * i:3 * i + 3]
            blender[3 * i:3 * i + 3] = [x / 100, -z / 100, y / 100]
        tris = (C.c_uint32 * (3 * nt))(*indices)
        self.expect(LIB.stipple_session_set_head_arrays(self.session, blender, nv, tris, 0,
                                                        None, 1000, b"+Z", b"-Y"),
                    BAD_ARGUMENT, "triangle_count")
        self.expect(LIB.stipple_session_set_head_arrays(self.session, blender, nv, tris, nt,
                                                        None, 1000, b"+Z", b"+Z"),
                    BAD_ARGUMENT, "forward")
        self.assertEqual(LIB.stipple_session_set_head_arrays(self.session, blender, nv, tris, nt,
                                                             None, 1000, b"+Z", b"-Y"), OK,
                         error())
        info = HeadInfo()
        self.assertEqual(LIB.stipple_session_head_info(self.session, C.byref(info)), OK)
        self.assertEqual(info.vertex_count, nv)
        self.assertEqual((info.up, info.forward), (b"+Z", b"-Y"))
        head, host = (C.c_double * 18)(), (C.c_double * 18)()
        self.assertEqual(LIB.stipple_session_landmarks(self.session, head, host, None), OK)
        # README: nose tip (0, 0.09, 13.09) cm -> Blender (0, -0.1309, 0.0009) m; 5 mm
        nose = host[6:9]
        self.assertAlmostEqual(nose[0], 0.0, delta=0.005)
        self.assertAlmostEqual(nose[1], -0.1309, delta=0.005)
        count = C.c_size_t()
        self.assertEqual(LIB.stipple_session_dot_count(self.session, C.byref(count)), OK)
        self.assertGreater(count.value, 5000)
        vertices = C.c_size_t()
        uvs = (C.c_float * (2 * nv))()
        self.assertEqual(LIB.stipple_session_chart_uvs(self.session, uvs, nv, C.byref(vertices),
                                                       None, 0, None), OK)
        self.assertEqual(vertices.value, nv)

    def test_design_json(self):
        """The canonical writer through the ABI: paths relative to the folder given, and the
        text read back and written again is the same bytes (what Blender's export relies on)."""
        text = C.c_char_p()
        folder = os.path.join(SOURCE, "examples")
        self.assertEqual(LIB.stipple_session_design_json(self.session, folder.encode(),
                                                         C.byref(text)), OK, error())
        first = text.value
        self.assertIn(b'"mesh": "../meshes/mannequin.glb"', first)
        self.assertIn(b'"name": "back"', first)  # every zone written, defaults included
        self.assertTrue(first.endswith(b"\n"))
        again = C.c_void_p()
        self.assertEqual(LIB.stipple_session_create_from_json(
            first, os.path.join(folder, "copy.json").encode(), C.byref(again)), OK, error())
        self.assertEqual(LIB.stipple_session_design_json(again, folder.encode(), C.byref(text)),
                         OK)
        self.assertEqual(text.value, first)
        LIB.stipple_session_destroy(again)
        self.expect(LIB.stipple_session_design_json(self.session, None, None), BAD_ARGUMENT,
                    "json")

    def test_landmark_overrides(self):
        """Landmarks a host moved (Blender's empties) replace the estimated ones, in host
        units; the others stay estimated."""
        positions, indices = read_obj(os.path.join(
            HEADS, "ict_facekit_neutral", "generic_neutral_mesh_skin_only.obj"))
        nv, nt = len(positions) // 3, len(indices) // 3
        pos = (C.c_float * len(positions))(*positions)
        tris = (C.c_uint32 * len(indices))(*indices)
        self.assertEqual(LIB.stipple_session_set_head_arrays(self.session, pos, nv, tris, nt,
                                                             None, 10, None, None), OK, error())
        host, estimated = (C.c_double * 18)(), (C.c_int * 6)()
        self.assertEqual(LIB.stipple_session_landmarks(self.session, None, host, estimated), OK)
        self.assertEqual(list(estimated), [1] * 6)
        moved = (C.c_double * 18)(*host)
        moved[3 * 1 + 1] += 0.5  # glabella 5 mm (0.5 cm) higher
        given = (C.c_int * 6)(0, 1, 0, 0, 0, 0)
        self.assertEqual(LIB.stipple_session_set_head_arrays_with_landmarks(
            self.session, pos, nv, tris, nt, None, 10, None, None, moved, given), OK, error())
        after = (C.c_double * 18)()
        self.assertEqual(LIB.stipple_session_landmarks(self.session, None, after, estimated), OK)
        self.assertEqual(list(estimated), [1, 0, 1, 1, 1, 1])
        # The override is used as given (1e-9 cm: doubles through a matrix and its inverse).
        for k in range(3):
            self.assertAlmostEqual(after[3 + k], moved[3 + k], delta=1e-9)
        moved[4] = math.nan
        self.expect(LIB.stipple_session_set_head_arrays_with_landmarks(
            self.session, pos, nv, tris, nt, None, 10, None, None, moved, given),
            BAD_ARGUMENT, "landmarks", "landmarks[4]")

    def test_render_cancel(self):
        """A turntable on a worker thread, cancelled from this thread before it starts: it stops
        after its first frame with RUNTIME "interrupted", and leaves no file half-written."""
        if not LIB.stipple_has_renderer():
            return
        design = json_design(self.design, width=64, height=64, turntable_frames=12)
        session = C.c_void_p()
        self.assertEqual(LIB.stipple_session_create_from_json(design, self.design.encode(),
                                                              C.byref(session)), OK, error())
        self.assertEqual(LIB.stipple_session_load_head(session, None), OK, error())
        self.assertEqual(LIB.stipple_session_set_layer_size(session, 1024), OK)
        cancel = C.c_void_p()
        self.assertEqual(LIB.stipple_cancel_create(C.byref(cancel)), OK)
        self.assertEqual(LIB.stipple_cancel_request(cancel), OK)
        out = os.path.join(OUTPUT, "cancel")
        result = {}

        def render():
            n = C.c_size_t()
            result["status"] = LIB.stipple_session_render_folder_cancellable(
                session, out.encode(), 2 | 64, cancel, C.byref(n))  # TURNTABLE | OVERWRITE
            result["error"] = error()

        t = threading.Thread(target=render)
        t.start()
        t.join()
        self.assertEqual(result["status"], RUNTIME, result["error"])
        self.assertIn("interrupted", result["error"][0])
        frames = [f for f in os.listdir(out) if f.startswith("turntable_")]
        self.assertLess(len(frames), 12)  # stopped early
        self.assertFalse([f for f in os.listdir(out) if f.startswith(".")])  # no temporaries
        LIB.stipple_cancel_destroy(cancel)
        LIB.stipple_session_destroy(session)

    def test_threads(self):
        """Different sessions on different threads at once (ctypes releases the GIL during a
        call); each thread has its own last error; a session renders from one thread only."""
        results = {}

        def worker(name, fail_first):
            session = C.c_void_p()
            LIB.stipple_session_create_from_file(self.design.encode(), C.byref(session))
            if fail_first:
                LIB.stipple_session_set_layer_size(session, 3)
            first_error = error()
            LIB.stipple_session_load_head(session, None)
            count = C.c_size_t()
            status = LIB.stipple_session_dot_count(session, C.byref(count))
            results[name] = (first_error, status, count.value)
            LIB.stipple_session_destroy(session)

        threads = [threading.Thread(target=worker, args=(n, n == "a")) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results["a"][0][1], "size")  # its own failure
        self.assertEqual(results["b"][0], ("", ""))   # not thread a's
        self.assertEqual((results["a"][1], results["b"][1]), (OK, OK))
        self.assertEqual(results["a"][2], results["b"][2])  # deterministic: same dots

        if not LIB.stipple_has_renderer():
            return
        self.assertEqual(LIB.stipple_session_load_head(self.session, None), OK)
        self.assertEqual(LIB.stipple_session_set_layer_size(self.session, 1024), OK)
        rgba = (C.c_uint8 * (64 * 64 * 4))()
        self.assertEqual(LIB.stipple_session_render_view(self.session, b"front", 64, 64, 1, None,
                                                         rgba, len(rgba)), OK, error())
        other = {}

        def render_elsewhere():
            other["status"] = LIB.stipple_session_render_view(self.session, b"front", 64, 64, 1,
                                                              None, rgba, len(rgba))
            other["error"] = error()

        t = threading.Thread(target=render_elsewhere)
        t.start()
        t.join()
        self.assertEqual(other["status"], BAD_ARGUMENT)
        self.assertEqual(other["error"][1], "session")


if __name__ == "__main__":
    unittest.main(verbosity=2)
