"""GDAL (rasterio) side of the datasets golden files. Runs with the system python
(Debian's python3-rasterio: `apt-get install -y python3-rasterio`), called by
scripts/golden/datasets.py; not meant to be run alone.

  datasets_gdal.py verify-writer <cases dir>       -> JSON: GDAL decodes every writer case
  datasets_gdal.py fixtures <out dir>               -> GDAL-written tiffs (LZW, predictors,
                                                       band descriptions) + expected .bin
  datasets_gdal.py bigearthnet <tree root> <out>    -> the reference loader's int32 arrays
"""
import glob
import json
import os
import sys
import warnings

import numpy as np
import rasterio
from rasterio.enums import Resampling

warnings.filterwarnings("ignore", category=rasterio.errors.NotGeoreferencedWarning)

DTYPES = {"uint8": np.uint8, "int16": np.int16, "uint16": np.uint16, "int32": np.int32, "float32": np.float32}


def verify_writer(folder):
    cases = json.load(open(os.path.join(folder, "cases.json")))
    results = {}
    for case in cases:
        dtype = DTYPES[case["options"]["sampleType"]]
        expected = np.fromfile(os.path.join(folder, case["name"] + ".bin"), dtype=dtype)
        expected = expected.reshape(case["bands"], case["height"], case["width"])
        with rasterio.open(os.path.join(folder, case["name"] + ".tif")) as dataset:
            actual = dataset.read()
            descriptions = list(dataset.descriptions)
            crs = dataset.crs.to_epsg() if dataset.crs else None
        ok = actual.dtype == expected.dtype and actual.shape == expected.shape and np.array_equal(actual, expected)
        wanted = case["options"].get("descriptions")
        if wanted is not None:
            ok = ok and descriptions == wanted
        geo = case["options"].get("geo")
        if geo is not None:
            ok = ok and crs == geo["epsg"]
        results[case["name"]] = bool(ok)
    json.dump({"gdal": rasterio.__gdal_version__, "rasterio": rasterio.__version__, "results": results}, sys.stdout)


def smooth(seed, bands, height, width, low, high):
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:height, 0:width]
    out = []
    for _ in range(bands):
        fx, fy, phase = rng.rand(3) * [0.5, 0.5, 6]
        field = 0.5 + 0.35 * np.sin(fx * x + fy * y + phase) + 0.15 * (rng.rand(height, width) - 0.5)
        out.append(low + (high - low) * np.clip(field, 0, 1))
    return np.stack(out)


def fixtures(folder):
    """Files as GDAL writes them: the layouts real Sentinel-2 products come in."""
    os.makedirs(folder, exist_ok=True)
    cases = [
        ("gdal-int16-lzw-predictor2-described", "int16", 12, 21, 19, dict(compress="lzw", predictor=2, interleave="pixel"), True),
        ("gdal-uint16-deflate-predictor2-tiled-band", "uint16", 13, 40, 36, dict(compress="deflate", predictor=2, tiled=True, blockxsize=16, blockysize=16, interleave="band"), False),
        ("gdal-uint16-lzw-band", "uint16", 3, 17, 25, dict(compress="lzw", interleave="band"), True),
        ("gdal-float32-lzw-predictor3", "float32", 2, 15, 15, dict(compress="lzw", predictor=3), False),
        ("gdal-uint16-single-deflate", "uint16", 1, 60, 60, dict(compress="deflate"), False),
    ]
    names = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12", "B10"]
    manifest = []
    for index, (name, dtype, bands, height, width, options, described) in enumerate(cases):
        data = smooth(50 + index, bands, height, width, -200 if dtype == "int16" else 0, 9000).astype(DTYPES[dtype])
        path = os.path.join(folder, name + ".tif")
        profile = dict(driver="GTiff", width=width, height=height, count=bands, dtype=dtype, **options)
        with rasterio.open(path, "w", **profile) as dataset:
            dataset.write(data)
            if described:
                for band in range(bands):
                    dataset.set_band_description(band + 1, names[(band * 5) % 12])
        data.astype(data.dtype.newbyteorder("<")).tofile(os.path.join(folder, name + ".bin"))
        with rasterio.open(path) as dataset:
            descriptions = [d if d else None for d in dataset.descriptions]
            assert np.array_equal(dataset.read(), data)
        manifest.append(dict(file=name + ".tif", bin=name + ".bin", sampleType=dtype, bands=bands, height=height,
                             width=width, descriptions=descriptions, writer="gdal " + rasterio.__gdal_version__,
                             options={k: str(v) for k, v in options.items()}))
    json.dump(manifest, sys.stdout)


# The reference spells B8A as B08A when it orders band files, so B8A falls between B08
# and B09; the manifest records these sort keys.
BAND_SPELLING = {"B8A": "B08A"}


def band_key(path):
    """Sort key of a band file, with the semantics of sort_sentinel2_bands in the
    reference's msclip/inference/datasets/utils.py: the part of the file name after its
    last "_", without the extension, B8A respelled."""
    band = os.path.splitext(os.path.basename(path).rpartition("_")[2])[0]
    return BAND_SPELLING.get(band, band)


def read_band_120(path):
    """One band as the reference's BigEarthNet._load_image reads it: GDAL resamples it to
    120 x 120 (bilinear) and returns int32."""
    with rasterio.open(path) as dataset:
        return dataset.read(indexes=1, out_shape=(120, 120), out_dtype="int32", resampling=Resampling.bilinear)


def bigearthnet(root, out):
    """The test split as the reference's BigEarthNet (bands='s2') loads it, following
    _load_folders, _load_paths and _load_image: the split file names a patch first on
    each line (comma-separated); a patch is its folder's *.tif band files in band_key
    order, stacked band-first."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(root, "bigearthnet-test.csv")) as handle:
        names = [line.split(",")[0] for line in handle.read().strip().splitlines()]
    patches = []
    for name in names:
        band_files = sorted(glob.glob(os.path.join(root, "sentinel-2", name, "*.tif")), key=band_key)
        np.save(os.path.join(out, name + ".npy"), np.stack([read_band_120(path) for path in band_files]))
        patches.append(dict(patch=name, bands=[band_key(path) for path in band_files]))
    json.dump({"gdal": rasterio.__gdal_version__, "patches": patches}, sys.stdout)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "verify-writer":
        verify_writer(sys.argv[2])
    elif command == "fixtures":
        fixtures(sys.argv[2])
    elif command == "bigearthnet":
        bigearthnet(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
