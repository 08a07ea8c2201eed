"""Golden outputs of torch/torchvision resizing for test/datasets/resample.test.ts.

Run with the project venv (torch + torchvision, CPU):

    .venv/bin/python scripts/golden/resample.py

Writes test/fixtures/resample/torch.json plus gzipped little-endian binaries next to
it. Every expected value comes from the reference implementation:

- kernel tables: the dense weight matrix torch uses for one axis, read back by
  resizing an identity matrix along that axis (each output is then exactly one
  weight: 0 * w adds nothing, 1 * w is w);
- images: `F.interpolate(antialias=True, align_corners=False)` and torchvision's
  `Resize(int)` + `CenterCrop(int)` on tensors, as the reference harness calls them;
- sizes and crops: torchvision's own `_compute_resized_output_size` and
  `center_crop`.

torch's CPU kernels are compiled per instruction set and the AVX2/AVX512 builds
contract some multiply-adds into FMAs; the outputs are recorded with the capability
this machine picks (printed below) so the tests can say what they compare against.
"""
import gzip
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.transforms import CenterCrop, InterpolationMode, Resize, ToTensor
from torchvision.transforms.functional import _compute_resized_output_size

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'resample')
torch.set_num_threads(1)
rng = np.random.default_rng(20240611)
cases = {'kernels': [], 'images': [], 'crops': [], 'sizes': []}


def save(name, array):
    """Stores an array as gzipped little-endian bytes; returns its index entry."""
    array = np.ascontiguousarray(array)
    dtype = {np.dtype('float32'): 'float32', np.dtype('uint8'): 'uint8'}[array.dtype]
    # mtime=0 keeps the files byte-identical across runs.
    with open(os.path.join(OUT, name + '.bin.gz'), 'wb') as handle:
        handle.write(gzip.compress(array.astype(array.dtype.newbyteorder('<')).tobytes(), compresslevel=9, mtime=0))
    return {'file': name + '.bin.gz', 'dtype': dtype, 'shape': list(array.shape)}


def kernel_matrix(in_size, out_size, mode):
    """[out_size, in_size] weights of one horizontal pass."""
    identity = torch.eye(in_size, dtype=torch.float32)[None, None]
    resized = F.interpolate(identity, size=(in_size, out_size), mode=mode, align_corners=False, antialias=True)
    return resized[0, 0].numpy().T.copy()


# 1. Kernel tables: every pair the data path meets (64->224 EuroSAT, 120->224
#    BigEarthNet, 72->224 METER-ML-sized) plus downsampling and odd sizes.
for in_size, out_size in [(64, 224), (120, 224), (72, 224), (300, 224), (150, 64), (70, 313), (13, 7), (7, 13), (20, 120), (900, 100)]:
    for mode in ('bicubic', 'bilinear'):
        name = f'kernel-{mode}-{in_size}-{out_size}'
        cases['kernels'].append({'name': name, 'inSize': in_size, 'outSize': out_size, 'mode': mode,
                                 'weights': save(name, kernel_matrix(in_size, out_size, mode))})


saved_inputs = {}


def add_image(name, description, image, expected, **details):
    # Several cases share one input array: store it once (the array is kept alive
    # in the memo so that its id cannot be reused by a later array).
    if id(image) not in saved_inputs:
        saved_inputs[id(image)] = (image, save(name + '-input', image))
    cases['images'].append({'name': name, 'description': description,
                            'input': saved_inputs[id(image)][1], 'expected': save(name + '-expected', expected), **details})


def interpolate(image, height, width, mode):
    return F.interpolate(torch.from_numpy(image)[None], size=(height, width), mode=mode,
                         align_corners=False, antialias=True)[0].numpy()


# 2. The multispectral recipe: float32 tiles of integer DNs, Resize(224) bicubic
#    (EuroSAT 64x64) and bilinear (BigEarthNet 120x120), then CenterCrop(224).
def resize_crop(image, size, mode, crop=True):
    tensor = torch.from_numpy(image)
    interpolation = InterpolationMode.BICUBIC if mode == 'bicubic' else InterpolationMode.BILINEAR
    tensor = Resize(size=size, interpolation=interpolation, antialias=True)(tensor)
    if crop:
        tensor = CenterCrop(size)(tensor)
    return tensor.numpy()


tile = rng.integers(0, 3001, (2, 64, 64)).astype(np.float32)
add_image('eurosat-bicubic', 'Resize(224, BICUBIC) + CenterCrop(224) of a 2x64x64 float tile of DNs 0..3000',
          tile, resize_crop(tile, 224, 'bicubic'), op='resize-shorter-crop', size=224, mode='bicubic')
tile = rng.integers(0, 10001, (1, 120, 120)).astype(np.float32)
add_image('bigearthnet-bilinear', 'Resize(224) (bilinear, antialias) of a 1x120x120 float tile of DNs 0..10000, no crop',
          tile, resize_crop(tile, 224, 'bilinear', crop=False), op='resize-shorter', size=224, mode='bilinear')

# 3. The RGB recipe: uint8 HWC -> ToTensor (/255 in float32) -> Resize bicubic ->
#    CenterCrop, on a non-square image (kept small: the kernels are covered above).
pixels = rng.integers(0, 256, (40, 52, 3)).astype(np.uint8)
rgb = ToTensor()(pixels)
assert rgb.dtype == torch.float32
expected = CenterCrop(56)(Resize(size=56, interpolation=InterpolationMode.BICUBIC)(rgb)).numpy()
add_image('rgb-uint8-bicubic', 'uint8 40x52x3 (HWC) -> ToTensor -> Resize(56, BICUBIC) -> CenterCrop(56)',
          pixels, expected, op='rgb-uint8-resize-shorter-crop', size=56, mode='bicubic')

# 4. Plain F.interpolate: mixed up/down sampling, downsampling, negative values,
#    a single changed axis (torch skips the other pass), and no change at all.
signed = (rng.standard_normal((1, 50, 70)) * 1000).astype(np.float32)
for mode, (height, width) in [('bicubic', (37, 91)), ('bilinear', (80, 33))]:
    add_image(f'interpolate-{mode}-50x70-{height}x{width}', f'F.interpolate {mode} antialias of signed floats',
              signed, interpolate(signed, height, width, mode), op='interpolate', height=height, width=width, mode=mode)
large = rng.uniform(0, 3000, (1, 150, 150)).astype(np.float32)
for mode in ('bicubic', 'bilinear'):
    add_image(f'interpolate-{mode}-150-64', f'F.interpolate {mode} antialias downsampling 150 -> 64',
              large, interpolate(large, 64, 64, mode), op='interpolate', height=64, width=64, mode=mode)
small = rng.uniform(0, 3000, (2, 17, 23)).astype(np.float32)
add_image('interpolate-bicubic-width-only', 'F.interpolate bicubic 17x23 -> 17x40 (height unchanged)',
          small, interpolate(small, 17, 40, 'bicubic'), op='interpolate', height=17, width=40, mode='bicubic')
add_image('interpolate-bilinear-height-only', 'F.interpolate bilinear 17x23 -> 9x23 (width unchanged)',
          small, interpolate(small, 9, 23, 'bilinear'), op='interpolate', height=9, width=23, mode='bilinear')
add_image('interpolate-identity', 'F.interpolate bicubic to the same size (a copy)',
          small, interpolate(small, 17, 23, 'bicubic'), op='interpolate', height=17, width=23, mode='bicubic')
add_image('resize-already-short', 'Resize(17) of a 17x23 image: torchvision returns it untouched',
          small, resize_crop(small, 17, 'bicubic', crop=False), op='resize-shorter', size=17, mode='bicubic')
tall = rng.uniform(0, 3000, (1, 70, 50)).astype(np.float32)
add_image('portrait-bicubic-crop', 'Resize(64, BICUBIC) + CenterCrop(64) of a 70x50 (portrait) image',
          tall, resize_crop(tall, 64, 'bicubic'), op='resize-shorter-crop', size=64, mode='bicubic')

# 5. CenterCrop offsets (Python's round() is half-to-even) and zero padding.
for (height, width, size) in [(9, 12, 6), (10, 13, 7), (8, 8, 5), (7, 7, 4), (7, 7, 2), (11, 6, 4), (5, 6, 8), (4, 9, 6), (6, 3, 5)]:
    image = rng.uniform(1, 100, (2, height, width)).astype(np.float32)
    name = f'crop-{height}x{width}-{size}'
    cases['crops'].append({'name': name, 'size': size, 'input': save(name + '-input', image),
                           'expected': save(name + '-expected', CenterCrop(size)(torch.from_numpy(image)).numpy())})

# 6. Resize(int) output sizes, including the truncation of the long side.
for (height, width, size) in [(64, 64, 224), (120, 120, 224), (50, 70, 224), (70, 50, 224), (224, 225, 224), (225, 224, 224),
                              (100, 333, 224), (333, 100, 224), (3, 1000, 224), (1, 1, 224), (64, 96, 224), (97, 61, 224),
                              (480, 640, 224), (1080, 1920, 224), (7, 11, 3), (224, 224, 224), (13, 17, 256)]:
    out_height, out_width = _compute_resized_output_size((height, width), [size])
    cases['sizes'].append({'height': height, 'width': width, 'size': size, 'expected': {'height': out_height, 'width': out_width}})

cases['provenance'] = {
    'torch': torch.__version__, 'torchvision': torchvision.__version__,
    'cpuCapability': torch.backends.cpu.get_cpu_capability(), 'script': 'scripts/golden/resample.py',
}
with open(os.path.join(OUT, 'torch.json'), 'w') as handle:
    json.dump(cases, handle, indent=1)
    handle.write('\n')
print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'capability', torch.backends.cpu.get_cpu_capability())
