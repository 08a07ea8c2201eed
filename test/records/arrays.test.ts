// records/arrays.ts: the logits and targets saved beside a record, read back; absent
// is normal, a file that does not fit the record is a one-line user error naming it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUserError } from '../../core/errors.ts';
import { encodeNpy } from '../../core/npy.ts';
import { readRecordArrays } from '../../records/arrays.ts';
import { writeRecord } from '../../records/records.ts';
import { sampleRecord } from '../../reports/sample.ts';

const root = mkdtempSync(join(tmpdir(), 'record-arrays-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const record = { ...sampleRecord({ model: 'M', dataset: 'custom', classification: 0.5, retrieval: 0.5, classes: ['a', 'b', 'c'] }), n_images: 4 };

test('absent arrays: null; saved arrays: read back as written', () => {
  const plain = writeRecord(join(root, 'plain'), 'run', record);
  assert.is(readRecordArrays(plain.path, record), null);
  const logits = Float32Array.from({ length: 12 }, (_, index) => index / 2);
  const targets = Int32Array.from([0, 2, 1, 2]);
  const saved = writeRecord(join(root, 'saved'), 'run', record, { logits: { data: logits, shape: [4, 3] }, targets: { data: targets, shape: [4] } });
  const arrays = readRecordArrays(saved.path, record)!;
  assert.is(arrays.n, 4);
  assert.is(arrays.k, 3);
  assert.equal(Array.from(arrays.logits), Array.from(logits));
  assert.equal(Array.from(arrays.targets), [0, 2, 1, 2]);
});

test('arrays that do not fit the record: a user error naming the file', () => {
  const saved = writeRecord(join(root, 'bad'), 'run', record, { logits: { data: new Float32Array(12), shape: [4, 3] }, targets: { data: new Int32Array(4), shape: [4] } });
  writeFileSync(`${saved.path}.logits.npy`, encodeNpy(new Float32Array(15), [5, 3]));
  assert.throws(() => readRecordArrays(saved.path, record), (error: unknown) => isUserError(error) && error.message.startsWith(`${saved.path}.logits.npy: expected float32 logits of shape [4, 3]`));
  writeFileSync(`${saved.path}.logits.npy`, encodeNpy(new Float32Array(12), [4, 3]));
  writeFileSync(`${saved.path}.targets.npy`, encodeNpy(new Uint8Array(12), [4, 3]));
  assert.throws(() => readRecordArrays(saved.path, record), (error: unknown) => isUserError(error) && /targets\.npy: expected int32 targets of shape \[4\]/.test(error.message));
});

test.run();
