"""Reads BigEarthNet band files the way the reference's loader does, for
scripts/parity/reference_datasets.py when the project venv has no rasterio.

Runs with a Python that has rasterio (the system Python with Debian's
python3-rasterio). Protocol: one request per stdin line, the band files separated by
tabs; the answer on stdout is len(files) x H x W little-endian int32, each file read as

    dataset.read(indexes=1, out_shape=(H, W), out_dtype="int32", resampling=Resampling.bilinear)

  gdal_server.py H W
"""
import sys
import warnings

import numpy as np
import rasterio
from rasterio.enums import Resampling

warnings.filterwarnings("ignore", category=rasterio.errors.NotGeoreferencedWarning)


def main():
    height, width = int(sys.argv[1]), int(sys.argv[2])
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        paths = line.decode("utf-8").rstrip("\n").split("\t")
        for path in paths:
            with rasterio.open(path) as dataset:
                array = dataset.read(indexes=1, out_shape=(height, width), out_dtype="int32", resampling=Resampling.bilinear)
            out.write(np.ascontiguousarray(array, dtype="<i4").tobytes())
        out.flush()


if __name__ == "__main__":
    main()
