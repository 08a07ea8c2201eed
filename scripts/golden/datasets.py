"""Golden files for datasets/: run with the project venv from the repository root,

    .venv/bin/python scripts/golden/datasets.py

(needs node, and Debian's python3-rasterio for /usr/bin/python3). It writes
test/fixtures/datasets/ from the reference implementations:

1. TIFF reading: small tiffs written by tifffile (every layout tifffile writes
   without imagecodecs) and by GDAL (LZW, predictors, band descriptions), each with
   its expected samples as a .bin.
2. TIFF writing: our writer's cases (scripts/golden/datasets-cases.ts) read back by
   tifffile (all but LZW: tifffile needs imagecodecs for it) and by GDAL (all); the
   manifest keeps the sha256 of each verified file, the test re-encodes and compares.
3. Listing: a tiny tree in each layout (written by datasets-cases.ts with our
   writer), listed by torchvision's ImageFolder and the reference's BigEarthNet code.
4. Preprocessing: what the reference's transform pipelines (msclip/inference/utils.py,
   benchmark_tool.py and datasets/bigearthnet.py of IBM/MS-CLIP) make of that tree,
   computed by our own functions below, which call torchvision's functional API step
   for step as those pipelines do; full outputs at size 16, sampled ones at 224.
   BigEarthNet's GDAL read runs in datasets_gdal.py (system python).
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import tifffile
import torch
import torchvision
from torchvision.datasets import ImageFolder
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "datasets")
SYSTEM_PYTHON = "/usr/bin/python3"
GDAL_SCRIPT = os.path.join(ROOT, "scripts", "golden", "datasets_gdal.py")
CASES_SCRIPT = os.path.join(ROOT, "scripts", "golden", "datasets-cases.ts")
DTYPES = {"uint8": np.uint8, "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "float32": np.float32}

# --- reference constants (msclip/inference/utils.py) ---------------------------------
MS_MEANS = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645]
MS_STDS = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08]
RGB_MEANS = [0.48145466, 0.4578275, 0.40821073]
RGB_STDS = [0.26862954, 0.26130258, 0.27577711]
MS_BANDS = ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
MODES = {"bicubic": InterpolationMode.BICUBIC, "bilinear": InterpolationMode.BILINEAR}
SAMPLES_PER_IMAGE = 512


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def node(*args):
    subprocess.run(["node", "--import", "tsx", CASES_SCRIPT, *args], cwd=ROOT, check=True)


def gdal(*args):
    return json.loads(subprocess.run([SYSTEM_PYTHON, GDAL_SCRIPT, *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout)


# --- 1. reading fixtures ---------------------------------------------------------------
def tifffile_fixtures(folder):
    cases = [
        ("tifffile-int16-contig-strips", "int16", (13, 12, 16), dict(photometric="minisblack", planarconfig="contig", rowsperstrip=5)),
        ("tifffile-uint16-separate-zlib", "uint16", (12, 15, 11), dict(photometric="minisblack", planarconfig="separate", compression="zlib")),
        ("tifffile-uint16-contig-tiled", "uint16", (4, 40, 33), dict(photometric="minisblack", planarconfig="contig", tile=(16, 16))),
        ("tifffile-int16-separate-tiled-zlib", "int16", (5, 20, 36), dict(photometric="minisblack", planarconfig="separate", tile=(16, 32), compression="zlib")),
        ("tifffile-uint8-rgb", "uint8", (3, 9, 14), dict(photometric="rgb", planarconfig="contig")),
        ("tifffile-float32-contig", "float32", (2, 7, 9), dict(photometric="minisblack", planarconfig="contig")),
        ("tifffile-int32-single", "int32", (1, 10, 6), dict(photometric="minisblack")),
        ("tifffile-int16-bigendian", "int16", (13, 8, 8), dict(photometric="minisblack", planarconfig="contig", byteorder=">")),
        ("tifffile-uint16-bigtiff", "uint16", (3, 8, 10), dict(photometric="minisblack", planarconfig="contig", bigtiff=True)),
        ("tifffile-int16-zlib-predictor", "int16", (4, 11, 13), dict(photometric="minisblack", planarconfig="contig", compression="zlib", predictor=True)),
    ]
    manifest = []
    rng = np.random.RandomState(1234)
    for name, dtype, shape, options in cases:
        bands, height, width = shape
        low, high = (-2000, 12000) if dtype != "uint8" else (0, 255)
        data = rng.randint(low, high, size=shape).astype(DTYPES[dtype])
        if dtype == "float32":
            data = data + np.float32(0.25)
        if dtype == "uint16":
            data = data.astype(np.int64) % 65536
            data = data.astype(np.uint16)
        layout = np.moveaxis(data, 0, -1) if options.get("planarconfig") == "contig" or options.get("photometric") == "rgb" else data
        if bands == 1:
            layout = data[0]
        path = os.path.join(folder, name + ".tif")
        tifffile.imwrite(path, layout, **options)
        back = tifffile.imread(path)
        assert np.array_equal(back, layout), name
        data.astype(data.dtype.newbyteorder("<")).tofile(os.path.join(folder, name + ".bin"))
        manifest.append(dict(file=name + ".tif", bin=name + ".bin", sampleType=dtype, bands=bands, height=height, width=width,
                             descriptions=[None] * bands, writer="tifffile " + tifffile.__version__,
                             options={k: str(v) for k, v in options.items()}))
    # A truncated copy for the bad-input tests.
    source = open(os.path.join(folder, "tifffile-int16-contig-strips.tif"), "rb").read()
    open(os.path.join(folder, "truncated.tif"), "wb").write(source[: len(source) // 2])
    return manifest


# --- 2. writer verification ------------------------------------------------------------
def verify_writer(folder):
    node("writer", folder)
    cases = json.load(open(os.path.join(folder, "cases.json")))
    gdal_results = gdal("verify-writer", folder)
    out = []
    for case in cases:
        name = case["name"]
        path = os.path.join(folder, name + ".tif")
        dtype = DTYPES[case["options"]["sampleType"]]
        expected = np.fromfile(os.path.join(folder, name + ".bin"), dtype=dtype).reshape(case["bands"], case["height"], case["width"])
        if case["options"].get("compression") == "lzw":
            by_tifffile = "not checked: tifffile decodes LZW only with imagecodecs"
        else:
            with tifffile.TiffFile(path) as tiff:
                page = tiff.pages[0]
                actual = page.asarray()
                if page.planarconfig == tifffile.PLANARCONFIG.CONTIG and case["bands"] > 1:
                    actual = np.moveaxis(actual, -1, 0)
                actual = actual.reshape(expected.shape)
            by_tifffile = bool(np.array_equal(actual, expected) and actual.dtype == expected.dtype)
        by_gdal = gdal_results["results"][name]
        if by_tifffile is False or not by_gdal:
            raise SystemExit(f"writer case {name}: tifffile={by_tifffile} gdal={by_gdal}")
        out.append(dict(name=name, sha256=sha256(path), tifffile=by_tifffile, gdal=by_gdal))
    return out, gdal_results["gdal"]


# --- 3. listing ------------------------------------------------------------------------
def imagefolder_listing(root, names=None):
    """zeroshot_get_dataset's class-name handling on torchvision's ImageFolder."""
    dataset = ImageFolder(root=root, loader=tifffile.imread)
    classes = names if names is not None else dataset.classes
    classes = [c.replace("_", " ").replace("/", " ").lower() for c in classes]
    items = [dict(id=os.path.relpath(path, root), labels=[target]) for path, target in dataset.samples]
    return dict(classes=classes, items=items), dataset


METERML_CLASSES = ["concentrated animal feeding operations", "landfills", "coal mines", "other features",
                   "natural gas processing plants", "oil refineries and petroleum terminals", "wastewater treatment plants"]
BEN_43 = [
    "Continuous urban fabric", "Discontinuous urban fabric", "Industrial or commercial units",
    "Road and rail networks and associated land", "Port areas", "Airports", "Mineral extraction sites", "Dump sites",
    "Construction sites", "Green urban areas", "Sport and leisure facilities", "Non-irrigated arable land",
    "Permanently irrigated land", "Rice fields", "Vineyards", "Fruit trees and berry plantations", "Olive groves",
    "Pastures", "Annual crops associated with permanent crops", "Complex cultivation patterns",
    "Land principally occupied by agriculture, with significant areas of natural vegetation", "Agro-forestry areas",
    "Broad-leaved forest", "Coniferous forest", "Mixed forest", "Natural grassland", "Moors and heathland",
    "Sclerophyllous vegetation", "Transitional woodland/shrub", "Beaches, dunes, sands", "Bare rock",
    "Sparsely vegetated areas", "Burnt areas", "Inland marshes", "Peatbogs", "Salt marshes", "Salines",
    "Intertidal flats", "Water courses", "Water bodies", "Coastal lagoons", "Estuaries", "Sea and ocean",
]
BEN_19 = [
    "Urban fabric", "Industrial or commercial units", "Arable land", "Permanent crops", "Pastures",
    "Complex cultivation patterns",
    "Land principally occupied by agriculture, with significant areas of natural vegetation",
    "Agro-forestry areas", "Broad-leaved forest", "Coniferous forest", "Mixed forest",
    "Natural grassland and sparsely vegetated areas", "Moors, heathland and sclerophyllous vegetation",
    "Transitional woodland, shrub", "Beaches, dunes, sands", "Inland wetlands", "Coastal wetlands", "Inland waters",
    "Marine waters",
]
LABEL_CONVERTER = {0: 0, 1: 0, 2: 1, 11: 2, 12: 2, 13: 2, 14: 3, 15: 3, 16: 3, 18: 3, 17: 4, 19: 5, 20: 6, 21: 7, 22: 8,
                   23: 9, 24: 10, 25: 11, 31: 11, 26: 12, 27: 12, 28: 13, 29: 14, 33: 15, 34: 15, 35: 16, 36: 16, 38: 17,
                   39: 17, 40: 18, 41: 18, 42: 18}


def bigearthnet_labels(folder):
    """The 19-class labels of one patch, following the semantics of the reference's
    BigEarthNet._load_target (bands='s2', num_classes=19): the CORINE names listed in
    the patch's metadata JSON (the first *.json glob finds) are looked up among the 43,
    mapped through LABEL_CONVERTER (names with no 19-class counterpart fall away), and the
    label is the set of 19-class indices, ascending."""
    import glob
    with open(glob.glob(os.path.join(folder, "*.json"))[0]) as handle:
        names = json.load(handle)["labels"]
    index_of = {name: index for index, name in enumerate(BEN_43)}
    merged = {LABEL_CONVERTER.get(index_of[name]) for name in names}
    return sorted(index for index in merged if index is not None)


# --- 4. preprocessing as the reference does it ---------------------------------------------
# Each function follows one of the reference's pipelines, one torchvision functional call
# per step of the original. Resize antialiases tensors (torchvision >= 0.17's default).
def multispectral_tile(hwc, size, interpolation):
    """msclip/inference/utils.py get_preprocess(is_ms=True) semantics, with the size and
    the model's interpolation as parameters: float32 HWC -> CHW tensor (no scaling for
    float input), shorter side resized to `size`, centre crop, per-band standardisation."""
    chw = TF.to_tensor(hwc.astype(np.float32))
    chw = TF.resize(chw, size, interpolation=MODES[interpolation], antialias=True)
    return TF.normalize(TF.center_crop(chw, size), MS_MEANS, MS_STDS)


def rgb_view(hwc, size, clip):
    """The reference's RGB view of a band-last multispectral tile (benchmark_tool.py
    zeroshot_get_dataset's METERML_RGB steps; init_bigearthnet's rgb=True steps are the
    same on a band-last array): bands 3, 2, 1 (B04, B03, B02 of 13 or 12 bands), float32
    /2000, *255, cast to uint8 - which wraps values outside [0, 2000], the reference's
    bug; `clip` clips to [0, 2000] first, the project's documented fix - then ToTensor's
    /255, bicubic resize of the shorter side, centre crop, CLIP's standardisation."""
    reflectance = hwc.astype(np.float32)
    if clip:
        reflectance = np.clip(reflectance, 0, 2000)
    bytes_hwc = (reflectance[:, :, [3, 2, 1]] / 2000 * 255).astype(np.uint8)
    chw = TF.resize(TF.to_tensor(bytes_hwc), size, interpolation=InterpolationMode.BICUBIC, antialias=True)
    return TF.normalize(TF.center_crop(chw, size), RGB_MEANS, RGB_STDS)


def read_hwc(path):
    """tifffile.imread, with band-interleaved files brought to HWC as the reference assumes."""
    with tifffile.TiffFile(path) as tiff:
        array = tiff.pages[0].asarray()
        if tiff.pages[0].planarconfig == tifffile.PLANARCONFIG.SEPARATE:
            array = np.moveaxis(array, 0, -1)
    return array


# zeroshot_get_dataset's band deletion before get_preprocess: 13-band EuroSAT loses
# B01, B09 and B10; 12-band METER-ML loses B01 and B09.
DELETED_BANDS = {"EuroSAT_MS": [0, 9, 10], "METERML_MS": [0, 9]}


def imagefolder_output(path, dataset, variant):
    tile = read_hwc(path)
    if variant["kind"] == "rgb":
        return rgb_view(tile, variant["size"], variant["clip"])
    return multispectral_tile(np.delete(tile, DELETED_BANDS[dataset], axis=2), variant["size"], variant["interpolation"])


# init_bigearthnet's multispectral bands: the 12 bands in band order minus B01 and B09.
BEN_MS_BANDS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 11]


def bigearthnet_output(array, variant):
    """init_bigearthnet's image transforms (datasets/bigearthnet.py), on the band-first
    int32 array of BigEarthNet._load_image. Multispectral: the ten bands as float32,
    resized (bilinear, antialiased - init_bigearthnet ignores the model's interpolation,
    and it does not crop: its tiles are square), standardised. RGB: as rgb_view."""
    if variant["kind"] == "rgb":
        return rgb_view(np.moveaxis(array, 0, -1), variant["size"], variant["clip"])
    bands = torch.from_numpy(array).float()[BEN_MS_BANDS]
    resized = TF.resize(bands, variant["size"], interpolation=InterpolationMode.BILINEAR, antialias=True)
    return TF.normalize(resized, MS_MEANS, MS_STDS)


VARIANTS = [
    dict(name="ms224", kind="multispectral", size=224, interpolation="bicubic", clip=True, sampled=True),
    dict(name="ms16", kind="multispectral", size=16, interpolation="bicubic", clip=True, sampled=False),
    dict(name="ms16-bilinear", kind="multispectral", size=16, interpolation="bilinear", clip=True, sampled=False),
    dict(name="rgb224-clip", kind="rgb", size=224, interpolation="bicubic", clip=True, sampled=True),
    dict(name="rgb224-wrap", kind="rgb", size=224, interpolation="bicubic", clip=False, sampled=True),
    dict(name="rgb16-clip", kind="rgb", size=16, interpolation="bicubic", clip=True, sampled=False),
    dict(name="rgb16-wrap", kind="rgb", size=16, interpolation="bicubic", clip=False, sampled=False),
]


def spec_of(variant):
    if variant["kind"] == "rgb":
        return dict(kind="rgb", bands=["red", "green", "blue"], size=variant["size"], interpolation=variant["interpolation"],
                    mean=RGB_MEANS, std=RGB_STDS, referenceRgbWrap=not variant["clip"])
    return dict(kind="multispectral", bands=MS_BANDS, size=variant["size"], interpolation=variant["interpolation"],
                mean=MS_MEANS, std=MS_STDS)


def main():
    if os.path.isdir(FIXTURES):
        shutil.rmtree(FIXTURES)
    tiff_dir = os.path.join(FIXTURES, "tiff")
    golden_dir = os.path.join(FIXTURES, "golden")
    os.makedirs(tiff_dir)
    os.makedirs(golden_dir)
    manifest = dict(generatedBy="scripts/golden/datasets.py", versions=dict(
        numpy=np.__version__, torch=torch.__version__, torchvision=torchvision.__version__, tifffile=tifffile.__version__))

    reading = tifffile_fixtures(tiff_dir) + gdal("fixtures", tiff_dir)
    json.dump(reading, open(os.path.join(tiff_dir, "fixtures.json"), "w"), indent=1)

    with tempfile.TemporaryDirectory() as temporary:
        manifest["writer"], manifest["versions"]["gdal"] = verify_writer(os.path.join(temporary, "writer"))

        tree = os.path.join(temporary, "tree")
        node("trees", tree)
        manifest["trees"] = {
            os.path.relpath(os.path.join(folder, name), tree): sha256(os.path.join(folder, name))
            for folder, _, names in sorted(os.walk(tree)) for name in sorted(names)
        }

        listings, datasets = {}, {}
        listings["EuroSAT_MS"], datasets["EuroSAT_MS"] = imagefolder_listing(os.path.join(tree, "EuroSAT_MS"))
        listings["METERML_MS"], datasets["METERML_MS"] = imagefolder_listing(os.path.join(tree, "METERML_MS"), METERML_CLASSES)
        ben_root = os.path.join(tree, "BigEarthNet")
        ben_arrays = os.path.join(temporary, "ben")
        ben = gdal("bigearthnet", ben_root, ben_arrays)
        ben_items = []
        for patch in ben["patches"]:
            labels = bigearthnet_labels(os.path.join(ben_root, "sentinel-2", patch["patch"]))
            ben_items.append(dict(id=patch["patch"], labels=labels, bands=patch["bands"]))
        listings["BigEarthNet_MS"] = dict(classes=BEN_19, items=ben_items)
        manifest["listing"] = listings

        rng = np.random.RandomState(99)
        manifest["variants"] = []
        for variant in VARIANTS:
            channels = 3 if variant["kind"] == "rgb" else 10
            count = channels * variant["size"] ** 2
            indices = np.sort(rng.choice(count, SAMPLES_PER_IMAGE, replace=False)).astype(np.uint32) if variant["sampled"] else None
            for dataset in ["EuroSAT_MS", "METERML_MS", "BigEarthNet_MS"]:
                outputs, stats = [], []
                if dataset == "BigEarthNet_MS":
                    tensors = [bigearthnet_output(np.load(os.path.join(ben_arrays, item["id"] + ".npy")), variant) for item in ben_items]
                else:
                    tensors = [imagefolder_output(path, dataset, variant) for path, _ in datasets[dataset].samples]
                for tensor in tensors:
                    flat = tensor.numpy().astype(np.float32).reshape(-1)
                    assert flat.size == count, (dataset, variant["name"], tensor.shape)
                    outputs.append(flat[indices] if indices is not None else flat)
                    stats.append(dict(mean=float(flat.astype(np.float64).mean()), absMax=float(np.abs(flat).max())))
                stem = f"{dataset}-{variant['name']}"
                np.concatenate(outputs).astype("<f4").tofile(os.path.join(golden_dir, stem + ".f32"))
                entry = dict(dataset=dataset, variant=variant["name"], spec=spec_of(variant), values=stem + ".f32",
                             perImage=int(outputs[0].size), stats=stats)
                if indices is not None:
                    indices.astype("<u4").tofile(os.path.join(golden_dir, variant["name"] + "-indices.u32"))
                    entry["indices"] = variant["name"] + "-indices.u32"
                manifest["variants"].append(entry)

    json.dump(manifest, open(os.path.join(golden_dir, "manifest.json"), "w"), indent=1)
    total = sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(FIXTURES) for name in names)
    print(f"wrote {FIXTURES} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
