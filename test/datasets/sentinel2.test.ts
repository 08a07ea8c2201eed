// Band names and selection by name. The reference selects by deleting indices
// (msclip/inference/utils.py and benchmark_tool.py of IBM/MS-CLIP): [0, 9, 10] of
// the 13 L1C bands and [0, 9] of the 12 L2A bands; by name we must get the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  L1C_BANDS, L2A_BANDS, MSCLIP_BANDS, RGB_SENTINEL_BANDS, canonicalBandName, nameBands, selectBands, sentinelBands,
} from '../../datasets/sentinel2.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { RawImage } from '../../datasets/types.ts';

const deleteIndices = (names: readonly string[], indices: number[]): string[] => names.filter((_, index) => !indices.includes(index));

function image(bands: readonly string[]): RawImage {
  return { width: 1, height: 1, bands: [...bands], data: bands.map((_, index) => Int16Array.of(index)) };
}

function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    assert.instance(error, UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

test('selecting the MS-CLIP bands by name equals the reference index deletion', () => {
  assert.equal(deleteIndices(L1C_BANDS, [0, 9, 10]), [...MSCLIP_BANDS]);
  assert.equal(deleteIndices(L2A_BANDS, [0, 9]), [...MSCLIP_BANDS]);
  for (const order of [L1C_BANDS, L2A_BANDS]) {
    const selected = selectBands(image(order), MSCLIP_BANDS);
    const kept = deleteIndices(order, order.length === 13 ? [0, 9, 10] : [0, 9]);
    assert.equal(selected.data.map((band) => band[0]), kept.map((name) => order.indexOf(name as never)));
  }
});

test('the RGB view is B04 B03 B02, the reference x[:, :, [3, 2, 1]] of both orders', () => {
  assert.equal(sentinelBands(['red', 'green', 'blue']), [...RGB_SENTINEL_BANDS]);
  assert.equal([3, 2, 1].map((index) => L1C_BANDS[index]), [...RGB_SENTINEL_BANDS]);
  assert.equal([3, 2, 1].map((index) => L2A_BANDS[index]), [...RGB_SENTINEL_BANDS]);
});

test('band name spellings', () => {
  assert.is(canonicalBandName('B2'), 'B02');
  assert.is(canonicalBandName('b8a'), 'B8A');
  assert.is(canonicalBandName('B08A'), 'B8A');
  assert.is(canonicalBandName(' B12 '), 'B12');
  assert.is(canonicalBandName('B13'), undefined);
  assert.is(canonicalBandName('Band 1'), undefined);
});

test('a missing band is a one-line error naming the file and the bands present', () => {
  const error = userError(() => selectBands(image(L2A_BANDS), ['B02', 'B10'], 'x.tif'));
  assert.is(error.code, ErrorCode.imageInvalid);
  assert.is(error.message, `x.tif: band B10 missing; the image has ${L2A_BANDS.join(' ')}`);
});

test('nameBands: position by default, GDAL descriptions when they permute the expected bands', () => {
  const none = new Array(12).fill(null);
  assert.equal(nameBands('f.tif', 12, none, L2A_BANDS, 'L2A'), [...L2A_BANDS]);
  const reversed = [...L2A_BANDS].reverse();
  assert.equal(nameBands('f.tif', 12, reversed.map((name) => name.replace('B0', 'B')), L2A_BANDS, 'L2A'), reversed);
  const notBands = L2A_BANDS.map((_, index) => `Band ${index + 1}`);
  assert.equal(nameBands('f.tif', 12, notBands, L2A_BANDS, 'L2A'), [...L2A_BANDS]);
});

test('nameBands: wrong band count and foreign descriptions are errors naming the file', () => {
  const count = userError(() => nameBands('f.tif', 12, new Array(12).fill(null), L1C_BANDS, 'EuroSAT_MS L1C'));
  assert.is(count.message, `f.tif: has 12 bands, expected 13 (EuroSAT_MS L1C: ${L1C_BANDS.join(' ')})`);
  const foreign = userError(() => nameBands('f.tif', 12, [...L1C_BANDS].slice(0, 12), L2A_BANDS, 'L2A'));
  assert.match(foreign.message, /^f\.tif: band descriptions .* do not match the expected bands/);
});

test.run();
