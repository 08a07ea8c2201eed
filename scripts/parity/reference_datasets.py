"""The reference harness's three multispectral benchmarks as torch Datasets, with its
transforms, for scripts/parity/evaluate.py. Written from the reference's semantics
(IBM/MS-CLIP msclip/inference/benchmark_tool.py, datasets/eurosat.py, meter_ml.py,
bigearthnet.py, utils.get_preprocess), not copied from it.

- EuroSAT_MS, METERML_MS: torchvision's ImageFolder (sorted class folders, os.walk
  sorted, sorted file names, image extensions only) with a tifffile loader. Class
  names: folder names with "_" and "/" turned into spaces, lower-cased; METER-ML's
  7 names replace the sorted folder names by position.
  Transform: float32 -> ToTensor -> Resize([224], bicubic; torchvision >= 0.17
  antialiases tensors by default) -> CenterCrop(224) -> Normalize(MS stats).
- BigEarthNet_MS: patches in bigearthnet-test.csv order (first column), each of its
  12 band files read by GDAL (rasterio) with bilinear resampling to 120x120 and
  out_dtype int32, as float; labels from <patch>_labels_metadata.json, 43 -> 19
  classes, multi-hot. Transform: Resize(224) (bilinear, antialiased) -> Normalize. No
  crop. Prompt names: the 19 names verbatim.

Bands are selected BY NAME (the model's 10 bands out of the file's 13 L1C / 12 L2A
bands, named by position or by the file's GDAL band descriptions), which picks the
same bands as the reference's np.delete([0, 9, 10]) / ([0, 9]) / BigEarthNet's
sorted-position list [1..8, 10, 11].

Reference bugs not copied: a band-interleaved tiff comes out of tifffile as
(bands, H, W) and the reference deletes "bands" along the wrong axis; here every tiff
becomes (H, W, bands). BigEarthNet's labels file is found by its name (the reference
takes glob("*.json")[0]); the train/val csvs are not required.
"""
import csv
import glob
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import tifffile
import torch
from torchvision import transforms
from torchvision.datasets import ImageFolder

L1C_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12"]
L2A_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]
MODEL_BANDS = ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
MS_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645]
MS_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08]
IMAGE_SIZE = 224

# METER-ML's own names, in the order of its sorted class folders (CAFOs, Landfills,
# Mines, Negative, ProcessingPlants, RefineriesAndTerminals, WWTreatment).
METERML_NAMES = [
    "concentrated animal feeding operations", "landfills", "coal mines", "other features",
    "natural gas processing plants", "oil refineries and petroleum terminals", "wastewater treatment plants",
]

# BigEarthNet-19 nomenclature: each 19-class name and the CORINE (43-class) labels
# that fold into it, in class order. The 43-class labels listed in UNMAPPED_43 exist
# in the labels files but belong to no class.
BIGEARTHNET_19 = [
    ("Urban fabric", ["Continuous urban fabric", "Discontinuous urban fabric"]),
    ("Industrial or commercial units", ["Industrial or commercial units"]),
    ("Arable land", ["Non-irrigated arable land", "Permanently irrigated land", "Rice fields"]),
    ("Permanent crops", ["Vineyards", "Fruit trees and berry plantations", "Olive groves",
                         "Annual crops associated with permanent crops"]),
    ("Pastures", ["Pastures"]),
    ("Complex cultivation patterns", ["Complex cultivation patterns"]),
    ("Land principally occupied by agriculture, with significant areas of natural vegetation",
     ["Land principally occupied by agriculture, with significant areas of natural vegetation"]),
    ("Agro-forestry areas", ["Agro-forestry areas"]),
    ("Broad-leaved forest", ["Broad-leaved forest"]),
    ("Coniferous forest", ["Coniferous forest"]),
    ("Mixed forest", ["Mixed forest"]),
    ("Natural grassland and sparsely vegetated areas", ["Natural grassland", "Sparsely vegetated areas"]),
    ("Moors, heathland and sclerophyllous vegetation", ["Moors and heathland", "Sclerophyllous vegetation"]),
    ("Transitional woodland, shrub", ["Transitional woodland/shrub"]),
    ("Beaches, dunes, sands", ["Beaches, dunes, sands"]),
    ("Inland wetlands", ["Inland marshes", "Peatbogs"]),
    ("Coastal wetlands", ["Salt marshes", "Salines"]),
    ("Inland waters", ["Water courses", "Water bodies"]),
    ("Marine waters", ["Coastal lagoons", "Estuaries", "Sea and ocean"]),
]
UNMAPPED_43 = [
    "Road and rail networks and associated land", "Port areas", "Airports", "Mineral extraction sites",
    "Dump sites", "Construction sites", "Green urban areas", "Sport and leisure facilities", "Bare rock",
    "Burnt areas", "Intertidal flats",
]
CLASS_OF_LABEL = {label: index for index, (_, labels) in enumerate(BIGEARTHNET_19) for label in labels}


def canonical_band(text):
    """"B2", "b02", "B8a" -> "B02", "B02", "B8A"; None when not a Sentinel-2 band."""
    match = re.fullmatch(r"\s*B0?(\d{1,2})(A?)\s*", text or "", flags=re.IGNORECASE)
    if not match:
        return None
    name = f"B{int(match.group(1))}A" if match.group(2) else f"B{int(match.group(1)):02d}"
    return name if name in L1C_BANDS else None


def read_tiff(path):
    """(H, W, bands) array of the first page whatever its interleave, and the GDAL band descriptions."""
    with tifffile.TiffFile(path) as tiff:
        page = tiff.pages[0]
        image = page.asarray()
        separate = page.planarconfig == tifffile.PLANARCONFIG.SEPARATE
        metadata = page.tags.get("GDAL_METADATA")
        descriptions = {}
        if metadata is not None:
            for item in ElementTree.fromstring(metadata.value).iter("Item"):
                if item.get("role") == "description" and item.get("sample") is not None:
                    descriptions[int(item.get("sample"))] = item.text
    if image.ndim == 2:
        image = image[..., None]
    elif separate:
        image = np.moveaxis(image, 0, -1)
    return image, [descriptions.get(index) for index in range(image.shape[-1])]


def band_names(path, count, descriptions, expected):
    """The names of a file's bands: its descriptions when they name exactly `expected`, else by position."""
    if count != len(expected):
        raise ValueError(f"{path}: has {count} bands, expected {len(expected)} ({' '.join(expected)})")
    described = [canonical_band(text) for text in descriptions]
    if any(name is None for name in described):
        return list(expected)
    if sorted(described) != sorted(expected):
        raise ValueError(f"{path}: band descriptions {described} do not name the bands {expected}")
    return described


def multiband_loader(file_bands):
    """ImageFolder loader: a tiff's model bands, by name, float32 (H, W, 10)."""
    def load(path):
        image, descriptions = read_tiff(path)
        names = band_names(path, image.shape[-1], descriptions, file_bands)
        return image[:, :, [names.index(band) for band in MODEL_BANDS]].astype(np.float32)
    return load


# A band-robustness condition (--drop-bands/--fill of evaluate.py): model bands that
# are missing and how they are filled, applied to the raw CHW tensor before Resize and
# Normalize - the reference's AddMeanChannels (msclip/inference/utils.py) policies,
# at each band's own position instead of appended at the end.
MISSING = {"bands": [], "fill": "channel-mean"}


class FillMissing:
    def __call__(self, tensor):
        missing = [MODEL_BANDS.index(band) for band in MISSING["bands"]]
        if not missing:
            return tensor
        present = [index for index in range(tensor.shape[0]) if index not in missing]
        tensor = tensor.clone()
        for index in missing:
            if MISSING["fill"] == "channel-mean":
                tensor[index] = MS_MEAN[index]
            elif MISSING["fill"] == "zero":
                tensor[index] = 0
            else:  # pixel-mean: each pixel's mean over the bands present
                tensor[index] = tensor[present].mean(dim=0)
        return tensor


def folder_transform():
    return transforms.Compose([
        transforms.ToTensor(),  # float32 HWC -> CHW, no scaling for float input
        FillMissing(),
        transforms.Resize(size=[IMAGE_SIZE], interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop([IMAGE_SIZE]),
        transforms.Normalize(mean=MS_MEAN, std=MS_STD),
    ])


def prompt_names(names):
    return [name.replace("_", " ").replace("/", " ").lower() for name in names]


def image_folder(root, file_bands, names=None):
    """EuroSAT_MS / METERML_MS. Returns (dataset, prompt class names, image ids)."""
    dataset = ImageFolder(root, transform=folder_transform(), loader=multiband_loader(file_bands))
    if names is not None and len(names) != len(dataset.classes):
        raise ValueError(f"{root}: {len(dataset.classes)} class folders, expected {len(names)}")
    ids = [os.path.relpath(path, root).replace(os.sep, "/") for path, _ in dataset.samples]
    return dataset, prompt_names(names if names is not None else dataset.classes), ids


class GdalReader:
    """rasterio's bilinear read to 120x120 int32, in this process when rasterio imports,
    else through scripts/parity/gdal_server.py in a Python that has it (the system
    Python with Debian's python3-rasterio; PARITY_GDAL_PYTHON overrides)."""

    def __init__(self, grid=(120, 120)):
        self.grid = grid
        self.server = None
        self.server_pid = None
        try:
            import rasterio  # noqa: F401
            self.in_process = True
        except ImportError:
            self.in_process = False

    def _server(self):
        """The reader process of this process (DataLoader workers each start their own)."""
        if self.server is None or self.server_pid != os.getpid():
            python = os.environ.get("PARITY_GDAL_PYTHON", "/usr/bin/python3")
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdal_server.py")
            self.server = subprocess.Popen([python, script, str(self.grid[0]), str(self.grid[1])],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.server_pid = os.getpid()
        return self.server

    @staticmethod
    def available():
        try:
            import rasterio  # noqa: F401
            return True
        except ImportError:
            python = os.environ.get("PARITY_GDAL_PYTHON", "/usr/bin/python3")
            probe = subprocess.run([python, "-c", "import rasterio"], capture_output=True)
            return probe.returncode == 0

    def read(self, paths):
        """int32 array (len(paths), 120, 120)."""
        if self.in_process:
            import rasterio
            from rasterio.enums import Resampling
            bands = []
            for path in paths:
                with rasterio.open(path) as source:
                    bands.append(source.read(indexes=1, out_shape=self.grid, out_dtype="int32", resampling=Resampling.bilinear))
            return np.stack(bands)
        server = self._server()
        server.stdin.write(("\t".join(paths) + "\n").encode("utf-8"))
        server.stdin.flush()
        size = len(paths) * self.grid[0] * self.grid[1] * 4
        data = server.stdout.read(size)
        if len(data) != size:
            raise RuntimeError(f"the GDAL reader stopped while reading {paths[0]}")
        return np.frombuffer(data, dtype="<i4").reshape(len(paths), *self.grid).copy()

    def close(self):
        if self.server is not None and self.server_pid == os.getpid():
            self.server.stdin.close()
            self.server.wait()
            self.server = None


def band_of_file(path):
    match = re.search(r"_([^_/\\]+)\.tiff?$", os.path.basename(path), flags=re.IGNORECASE)
    return canonical_band(match.group(1)) if match else None


class BigEarthNetTest(torch.utils.data.Dataset):
    """BigEarthNet-S2 test split, 19 classes, multi-hot uint8 targets."""

    def __init__(self, root, reader):
        self.root = root
        self.reader = reader
        with open(os.path.join(root, "bigearthnet-test.csv"), newline="") as handle:
            self.patches = [row[0].strip() for row in csv.reader(handle) if row and row[0].strip()]
        self.classes = [name for name, _ in BIGEARTHNET_19]
        self.transform = transforms.Compose([
            FillMissing(),
            transforms.Resize(size=IMAGE_SIZE),  # bilinear, antialias default (True)
            transforms.Normalize(mean=MS_MEAN, std=MS_STD),
        ])

    def __len__(self):
        return len(self.patches)

    def _band_files(self, folder):
        files = {}
        for path in glob.glob(os.path.join(folder, "*.tif")):
            band = band_of_file(path)
            if band is not None:
                files[band] = path
        missing = [band for band in L2A_BANDS if band not in files]
        if missing:
            raise ValueError(f"{folder}: bands {' '.join(missing)} missing")
        return [files[band] for band in L2A_BANDS]

    def target(self, index):
        patch = self.patches[index]
        with open(os.path.join(self.root, "sentinel-2", patch, f"{patch}_labels_metadata.json")) as handle:
            labels = json.load(handle)["labels"]
        target = torch.zeros(len(BIGEARTHNET_19), dtype=torch.uint8)
        for label in labels:
            if label in CLASS_OF_LABEL:
                target[CLASS_OF_LABEL[label]] = 1
            elif label not in UNMAPPED_43:
                raise ValueError(f"{patch}: unknown BigEarthNet label {label!r}")
        return target

    def __getitem__(self, index):
        folder = os.path.join(self.root, "sentinel-2", self.patches[index])
        stack = torch.from_numpy(self.reader.read(self._band_files(folder))).float()  # all 12, as the reference reads them
        image = stack[[L2A_BANDS.index(band) for band in MODEL_BANDS]]
        return self.transform(image), self.target(index)


def build_dataset(name, dataset_dir, gdal_reader=None):
    """(dataset, prompt class names, image ids, multi_label) for a benchmark name."""
    if name == "EuroSAT_MS":
        dataset, classes, ids = image_folder(os.path.join(dataset_dir, "EuroSAT_MS"), L1C_BANDS)
        return dataset, classes, ids, False
    if name == "METERML_MS":
        dataset, classes, ids = image_folder(os.path.join(dataset_dir, "METERML_MS"), L2A_BANDS, METERML_NAMES)
        return dataset, classes, ids, False
    if name == "BigEarthNet_MS":
        dataset = BigEarthNetTest(os.path.join(dataset_dir, "BigEarthNet"), gdal_reader or GdalReader())
        return dataset, list(dataset.classes), list(dataset.patches), True
    raise ValueError(f"unknown dataset {name!r}: EuroSAT_MS, METERML_MS or BigEarthNet_MS")


if __name__ == "__main__":
    sys.exit("imported by scripts/parity/evaluate.py")
