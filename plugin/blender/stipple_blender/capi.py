"""libstipple.so through ctypes: finding and loading the library, binding the signatures the
add-on uses (plugin/capi/include/stipple/stipple.h), and a small Session wrapper that turns a
failing status into StippleError carrying the library's message and field.

No algorithm lives here: every call goes straight to the C ABI.
"""
import ctypes as C
import os

OK, BAD_ARGUMENT, BAD_INPUT, RUNTIME, INTERNAL, NO_HEAD, OUT_OF_MEMORY = range(7)
FRAME_HEAD, FRAME_HOST = 0, 1
LAYER_PIGMENT, LAYER_SCAR, LAYER_BEFORE = 0, 1, 2
CHANGED_HEAD, CHANGED_REGION, CHANGED_CHART, CHANGED_ZONES = 1, 2, 4, 8
CHANGED_DOTS, CHANGED_LAYERS, CHANGED_COLOUR, CHANGED_RENDER = 16, 32, 64, 128
RENDER_STILLS, RENDER_TURNTABLE, RENDER_BEFORE_AFTER = 1, 2, 4
RENDER_MP4, RENDER_GIF, RENDER_CONTACT_SHEET, RENDER_OVERWRITE = 8, 16, 32, 64
ZONE_COUNT, LANDMARK_COUNT = 7, 6
ZONE_NAMES = ("front_transition", "front", "mid", "crown", "temples", "sides", "back")
LANDMARK_NAMES = ("vertex", "glabella", "nose_tip", "ear_left", "ear_right", "occiput")
LIBRARY_FILE = "libstipple.so.0"


class StippleError(Exception):
    """A failing C ABI call: `status` (stipple_status), `field` (a JSON pointer such as
    "/zones/2/shade", an argument name, or ""), and the library's message, which names the field
    and what is accepted."""

    def __init__(self, status, message, field=""):
        super().__init__(message)
        self.status = status
        self.field = field


class LibraryMissing(StippleError):
    """libstipple.so.0 could not be loaded (the message says where it looked and why)."""

    def __init__(self, message):
        super().__init__(RUNTIME, message, "library")


class HeadInfo(C.Structure):
    _fields_ = [("vertex_count", C.c_size_t), ("triangle_count", C.c_size_t),
                ("mm_per_unit", C.c_double), ("units_inferred", C.c_int),
                ("breadth_mm", C.c_double), ("length_mm", C.c_double),
                ("height_mm", C.c_double), ("up", C.c_char * 4), ("forward", C.c_char * 4)]


class Figures(C.Structure):
    _fields_ = [("dots", C.c_size_t), ("area_cm2", C.c_double), ("sessions", C.c_double),
                ("nn_min_ratio", C.c_double), ("nn_mean_ratio", C.c_double),
                ("zone_present", C.c_int * ZONE_COUNT), ("zone_dots", C.c_size_t * ZONE_COUNT),
                ("zone_area_cm2", C.c_double * ZONE_COUNT),
                ("zone_density_per_cm2", C.c_double * ZONE_COUNT),
                ("zone_target_density_per_cm2", C.c_double * ZONE_COUNT)]


_S = C.c_void_p
_PF, _PD, _PI = C.POINTER(C.c_float), C.POINTER(C.c_double), C.POINTER(C.c_int)
_PU8, _PU16, _PU32 = C.POINTER(C.c_uint8), C.POINTER(C.c_uint16), C.POINTER(C.c_uint32)
_PSZ = C.POINTER(C.c_size_t)
_SIGNATURES = {
    "stipple_last_error": (C.c_char_p, []),
    "stipple_last_error_field": (C.c_char_p, []),
    "stipple_version_string": (C.c_char_p, []),
    "stipple_abi_version": (C.c_int, []),
    "stipple_has_renderer": (C.c_int, []),
    "stipple_session_create_from_file": (C.c_int, [C.c_char_p, C.POINTER(_S)]),
    "stipple_session_create_from_json": (C.c_int, [C.c_char_p, C.c_char_p, C.POINTER(_S)]),
    "stipple_session_destroy": (C.c_int, [_S]),
    "stipple_session_load_head": (C.c_int, [_S, C.c_char_p]),
    "stipple_session_set_head_arrays_with_landmarks": (
        C.c_int, [_S, _PF, C.c_size_t, _PU32, C.c_size_t, _PF, C.c_double, C.c_char_p,
                  C.c_char_p, _PD, _PI]),
    "stipple_session_has_head": (C.c_int, [_S]),
    "stipple_session_head_info": (C.c_int, [_S, C.POINTER(HeadInfo)]),
    "stipple_session_landmarks": (C.c_int, [_S, _PD, _PD, _PI]),
    "stipple_session_file_to_head": (C.c_int, [_S, _PD]),
    "stipple_session_copy_head_mesh": (
        C.c_int, [_S, C.c_int, _PF, _PF, C.c_size_t, _PSZ, _PU32, C.c_size_t, _PSZ]),
    "stipple_session_apply_json": (C.c_int, [_S, C.c_char_p, C.c_char_p, _PU32, _PU32]),
    "stipple_session_design_json": (C.c_int, [_S, C.c_char_p, C.POINTER(C.c_char_p)]),
    "stipple_session_warnings": (C.c_int, [_S, C.POINTER(C.c_char_p)]),
    "stipple_session_dot_count": (C.c_int, [_S, _PSZ]),
    "stipple_session_copy_dots": (
        C.c_int, [_S, C.c_int, C.c_size_t, _PF, _PF, _PF, _PF, _PU8,
                  C.POINTER(C.c_uint64), _PSZ]),
    "stipple_session_figures": (C.c_int, [_S, C.POINTER(Figures)]),
    "stipple_session_set_layer_size": (C.c_int, [_S, C.c_int]),
    "stipple_session_live_layers": (
        C.c_int, [_S, _PF, _PI, C.POINTER(_PU16), C.POINTER(_PU8), _PI]),
    "stipple_session_layer_pixels": (C.c_int, [_S, C.c_int, C.POINTER(_PU16), _PI, _PI]),
    "stipple_session_chart_uvs": (
        C.c_int, [_S, _PF, C.c_size_t, _PSZ, _PU8, C.c_size_t, _PSZ]),
    "stipple_session_bake_layers": (C.c_int, [_S, C.c_char_p, C.c_int]),
    "stipple_session_render_view": (
        C.c_int, [_S, C.c_char_p, C.c_int, C.c_int, C.c_int, C.c_char_p, _PU8, C.c_size_t]),
    "stipple_session_render_folder": (C.c_int, [_S, C.c_char_p, C.c_uint32, _PSZ]),
    "stipple_session_render_folder_cancellable": (C.c_int, [_S, C.c_char_p, C.c_uint32,
                                                            C.c_void_p, _PSZ]),
    "stipple_cancel_create": (C.c_int, [C.POINTER(C.c_void_p)]),
    "stipple_cancel_request": (C.c_int, [C.c_void_p]),
    "stipple_cancel_destroy": (C.c_int, [C.c_void_p]),
    "stipple_session_last_manifest": (C.c_int, [_S, C.POINTER(C.c_char_p)]),
}

_lib = None
_lib_path = None


def default_library_path():
    """The libstipple.so.0 shipped inside the add-on's folder (the zip puts it there)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", LIBRARY_FILE)


def load(path_override=""):
    """Loads and binds the library once: `path_override` (the preferences' library path) when
    not empty, else the one inside the add-on. Raises LibraryMissing naming the path and the
    loader's reason. Loading another path after a successful load is refused (a process keeps
    one copy of the library)."""
    global _lib, _lib_path
    path = path_override or default_library_path()
    if _lib is not None:
        if os.path.abspath(path) != _lib_path:
            raise LibraryMissing(f"library path: {_lib_path} is already loaded; restart Blender "
                                 f"to use {path}")
        return _lib
    if not os.path.isfile(path):
        raise LibraryMissing(f"library path: {path} does not exist; install the add-on zip that "
                             "contains lib/libstipple.so.0, or set the library path in the "
                             "add-on preferences")
    try:
        lib = C.CDLL(path)
    except OSError as e:
        raise LibraryMissing(f"library path: {path} cannot be loaded ({e}); it needs the system "
                             "libraries Stipple was built with (Assimp, OpenSceneGraph, FFmpeg)")
    try:
        for name, (restype, argtypes) in _SIGNATURES.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = restype, argtypes
    except AttributeError as e:
        raise LibraryMissing(f"library path: {path} is too old for this add-on ({e})")
    if lib.stipple_abi_version() != 0:
        raise LibraryMissing(f"library path: {path} has ABI {lib.stipple_abi_version()}, the "
                             "add-on needs 0")
    _lib, _lib_path = lib, os.path.abspath(path)
    return lib


def loaded():
    return _lib


def check(status):
    """Raises StippleError for a failing status, with the thread's last message and field."""
    if status != OK:
        raise StippleError(status, _lib.stipple_last_error().decode("utf-8", "replace"),
                           _lib.stipple_last_error_field().decode("utf-8", "replace"))


def version():
    return _lib.stipple_version_string().decode()


class Cancel:
    """A stipple_cancel flag: request() from any thread stops a render after its frame."""

    def __init__(self):
        self.handle = C.c_void_p()
        check(_lib.stipple_cancel_create(C.byref(self.handle)))

    def request(self):
        _lib.stipple_cancel_request(self.handle)

    def close(self):
        if self.handle:
            _lib.stipple_cancel_destroy(self.handle)
            self.handle = C.c_void_p()


class Session:
    """One stipple_session (see stipple.h THREADS: one thread at a time)."""

    def __init__(self, design_json, base_path):
        self.handle = C.c_void_p()
        check(_lib.stipple_session_create_from_json(design_json.encode(), base_path.encode(),
                                                    C.byref(self.handle)))

    @classmethod
    def from_file(cls, path):
        self = cls.__new__(cls)
        self.handle = C.c_void_p()
        check(_lib.stipple_session_create_from_file(path.encode(), C.byref(self.handle)))
        return self

    def close(self):
        if self.handle:
            _lib.stipple_session_destroy(self.handle)
            self.handle = C.c_void_p()

    def __del__(self):
        if _lib is not None:
            self.close()

    def apply(self, design_json, base_path):
        """Replaces the design; returns (changed flags, zones mask)."""
        changed, zones = C.c_uint32(), C.c_uint32()
        check(_lib.stipple_session_apply_json(self.handle, design_json.encode(),
                                              base_path.encode() if base_path else None,
                                              C.byref(changed), C.byref(zones)))
        return changed.value, zones.value

    def design_json(self, relative_to=None):
        text = C.c_char_p()
        check(_lib.stipple_session_design_json(
            self.handle, relative_to.encode() if relative_to else None, C.byref(text)))
        return text.value.decode()

    def load_head(self, mesh_path):
        check(_lib.stipple_session_load_head(self.handle, mesh_path.encode()))

    def set_head_arrays(self, positions, vertex_count, indices, triangle_count, mm_per_unit,
                        up, forward, landmarks=None, given=None):
        """positions: ctypes float array (3 per vertex), indices: uint32 array (3 per
        triangle); landmarks: None or 18 doubles in the host frame, given: 6 ints."""
        lm = (C.c_double * 18)(*landmarks) if landmarks is not None else None
        gv = (C.c_int * 6)(*given) if given is not None else None
        check(_lib.stipple_session_set_head_arrays_with_landmarks(
            self.handle, positions, vertex_count, indices, triangle_count, None, mm_per_unit,
            up.encode(), forward.encode(), lm, gv))

    def has_head(self):
        return bool(_lib.stipple_session_has_head(self.handle))

    def head_info(self):
        info = HeadInfo()
        check(_lib.stipple_session_head_info(self.handle, C.byref(info)))
        return info

    def landmarks(self):
        """(head_mm, host, estimated): 18 doubles, 18 doubles, 6 ints."""
        head, host, est = (C.c_double * 18)(), (C.c_double * 18)(), (C.c_int * 6)()
        check(_lib.stipple_session_landmarks(self.handle, head, host, est))
        return list(head), list(host), list(est)

    def file_to_head(self):
        """16 doubles, column-major."""
        m = (C.c_double * 16)()
        check(_lib.stipple_session_file_to_head(self.handle, m))
        return list(m)

    def copy_head_mesh(self, frame):
        """(positions float array, vertex count, indices uint32 array, triangle count)."""
        nv, nt = C.c_size_t(), C.c_size_t()
        _lib.stipple_session_copy_head_mesh(self.handle, frame, None, None, 0, C.byref(nv), None,
                                            0, C.byref(nt))
        if not self.has_head():
            check(NO_HEAD)
        pos = (C.c_float * (3 * nv.value))()
        idx = (C.c_uint32 * (3 * nt.value))()
        check(_lib.stipple_session_copy_head_mesh(self.handle, frame, pos, None, nv.value, None,
                                                  idx, nt.value, None))
        return pos, nv.value, idx, nt.value

    def warnings(self):
        text = C.c_char_p()
        check(_lib.stipple_session_warnings(self.handle, C.byref(text)))
        return [w for w in text.value.decode().split("\n") if w]

    def dot_count(self):
        n = C.c_size_t()
        check(_lib.stipple_session_dot_count(self.handle, C.byref(n)))
        return n.value

    def copy_dots(self, frame):
        """(positions, diameters_mm, shades, zones, ids) as ctypes arrays, and the count."""
        n = self.dot_count()
        pos, dia = (C.c_float * (3 * n))(), (C.c_float * n)()
        shade, zone, ids = (C.c_float * n)(), (C.c_uint8 * n)(), (C.c_uint64 * n)()
        check(_lib.stipple_session_copy_dots(self.handle, frame, n, pos, None, dia, shade, zone,
                                             ids, None))
        return pos, dia, shade, zone, ids, n

    def figures(self):
        f = Figures()
        check(_lib.stipple_session_figures(self.handle, C.byref(f)))
        return f

    def set_layer_size(self, size):
        check(_lib.stipple_session_set_layer_size(self.handle, size))

    def live_layers(self):
        """(exponents list of 21, colour_only, pigment pointer, zone map pointer, size)."""
        exps, colour_only, size = (C.c_float * 21)(), C.c_int(), C.c_int()
        pig, zmap = _PU16(), _PU8()
        check(_lib.stipple_session_live_layers(self.handle, exps, C.byref(colour_only),
                                               C.byref(pig), C.byref(zmap), C.byref(size)))
        return list(exps), bool(colour_only.value), pig, zmap, size.value

    def layer_pixels(self, layer):
        """(pointer to RGBA16 texels, width, height); row 0 at the chart's v = 1 edge."""
        pix, w, h = _PU16(), C.c_int(), C.c_int()
        check(_lib.stipple_session_layer_pixels(self.handle, layer, C.byref(pix), C.byref(w),
                                                C.byref(h)))
        return pix, w.value, h.value

    def chart_uvs(self, vertex_count, triangle_count):
        """(uvs: 2 floats per vertex, inside: 1 byte per triangle)."""
        uvs = (C.c_float * (2 * vertex_count))()
        inside = (C.c_uint8 * triangle_count)()
        check(_lib.stipple_session_chart_uvs(self.handle, uvs, vertex_count, None, inside,
                                             triangle_count, None))
        return uvs, inside

    def bake_layers(self, out_dir, overwrite):
        check(_lib.stipple_session_bake_layers(self.handle, out_dir.encode(), int(overwrite)))

    def render_view(self, view, width, height, after=True, lighting=None):
        """RGBA8 bytes, row 0 at the top, straight alpha."""
        buf = (C.c_uint8 * (width * height * 4))()
        check(_lib.stipple_session_render_view(
            self.handle, view.encode(), width, height, int(after),
            lighting.encode() if lighting else None, buf, len(buf)))
        return buf

    def render_folder(self, out_dir, what, cancel=None):
        """Returns the number of files written. Blocks; safe on a worker thread of its own.
        `cancel`: a Cancel another thread may request (RUNTIME "interrupted" then)."""
        n = C.c_size_t()
        check(_lib.stipple_session_render_folder_cancellable(
            self.handle, out_dir.encode(), what, cancel.handle if cancel else None,
            C.byref(n)))
        return n.value

    def last_manifest(self):
        text = C.c_char_p()
        check(_lib.stipple_session_last_manifest(self.handle, C.byref(text)))
        return text.value.decode()
