"""Golden outputs of rasterio/GDAL bilinear reads for test/datasets/resample.test.ts.

Run with the system Python and Debian's rasterio (apt-get install python3-rasterio):

    /usr/bin/python3 scripts/golden/gdal_resample.py

Each case writes a single-band GeoTIFF to a temporary folder and reads it back the
way the reference's BigEarthNet loader does:

    dataset.read(indexes=1, out_shape=(h, w), out_dtype="int32", resampling=Resampling.bilinear)

Writes test/fixtures/resample/gdal.json plus gzipped little-endian binaries.
"""
import gzip
import json
import os
import tempfile

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.transform import from_origin

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'resample')
rng = np.random.default_rng(20240612)
DTYPES = {np.dtype('int16'): 'int16', np.dtype('uint16'): 'uint16', np.dtype('int32'): 'int32'}


def save(name, array):
    array = np.ascontiguousarray(array)
    with open(os.path.join(OUT, name + '.bin.gz'), 'wb') as handle:
        handle.write(gzip.compress(array.astype(array.dtype.newbyteorder('<')).tobytes(), compresslevel=9, mtime=0))
    return {'file': name + '.bin.gz', 'dtype': DTYPES[array.dtype], 'shape': list(array.shape)}


def read_like_reference(band, out_height, out_width, folder):
    path = os.path.join(folder, 'band.tif')
    profile = {'driver': 'GTiff', 'width': band.shape[1], 'height': band.shape[0], 'count': 1, 'dtype': band.dtype,
               'transform': from_origin(500000, 5000000, 10 * 120 / band.shape[1], 10 * 120 / band.shape[0]), 'crs': 'EPSG:32633'}
    with rasterio.open(path, 'w', **profile) as target:
        target.write(band, 1)
    with rasterio.open(path) as source:
        assert source.nodata is None  # BigEarthNet's band files declare no nodata
        return source.read(indexes=1, out_shape=(out_height, out_width), out_dtype='int32', resampling=Resampling.bilinear)


def ties(shape):
    """Small signed values: the 2x upsampling weights (3/4, 1/4) then hit x.5 exactly, positive and negative."""
    return rng.integers(-3, 4, shape).astype(np.int16)


CASES = [
    ('int16-20-random', 'a 60 m band (20x20), DNs 0..10000', rng.integers(0, 10001, (20, 20)).astype(np.int16), 120, 120),
    ('int16-60-random', 'a 20 m band (60x60), DNs 0..10000', rng.integers(0, 10001, (60, 60)).astype(np.int16), 120, 120),
    ('int16-60-ties', 'small signed values (rounding of exact halves)', ties((60, 60)), 120, 120),
    ('int16-20-ties', 'small signed values, factor 6', ties((20, 20)), 120, 120),
    ('int16-20-extremes', 'int16 extremes next to 0 and +-1', rng.choice(np.array([-32768, 32767, 0, 1, -1], np.int16), (20, 20)), 120, 120),
    ('uint16-60-random', 'uint16 over its whole range', rng.integers(0, 65536, (60, 60)).astype(np.uint16), 120, 120),
    ('uint16-20-random', 'uint16 over its whole range, factor 6', rng.integers(0, 65536, (20, 20)).astype(np.uint16), 120, 120),
    ('int16-120-identity', 'a 10 m band (120x120): read as is', rng.integers(0, 10001, (120, 120)).astype(np.int16), 120, 120),
    ('int16-23x17-to-100x120', 'non-integer factors, width and height apart', rng.integers(0, 10001, (17, 23)).astype(np.int16), 120, 100),
    ('int16-120x60-width-only', 'only the width grows', rng.integers(0, 10001, (120, 60)).astype(np.int16), 120, 120),
]

cases = []
with tempfile.TemporaryDirectory() as folder:
    for name, description, band, out_height, out_width in CASES:
        expected = read_like_reference(band, out_height, out_width, folder)
        assert expected.dtype == np.int32 and expected.shape == (out_height, out_width)
        cases.append({'name': name, 'description': description, 'outHeight': out_height, 'outWidth': out_width,
                      'input': save(f'gdal-{name}-input', band), 'expected': save(f'gdal-{name}-expected', expected)})

document = {'cases': cases, 'provenance': {'rasterio': rasterio.__version__, 'gdal': rasterio.__gdal_version__,
                                           'script': 'scripts/golden/gdal_resample.py'}}
with open(os.path.join(OUT, 'gdal.json'), 'w') as handle:
    json.dump(document, handle, indent=1)
    handle.write('\n')
print('rasterio', rasterio.__version__, 'GDAL', rasterio.__gdal_version__, len(cases), 'cases')
