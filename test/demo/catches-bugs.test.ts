/**
 * The demo is a working benchmark, not decoration: the committed MS demo bundle,
 * evaluated by the harness on the demo EuroSAT-style set, must lose most of its
 * accuracy when its input is wrong in the two classic ways - bands in the wrong
 * order, or no normalisation. The suite comes from the shared cache (generated on
 * first use, as `npm run evaluate` does).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEMO_BUNDLE_DIR } from '../../adapters/demo-models.ts';
import { ensureDemoSuite } from '../../datasets/demo/generate.ts';
import { preprocessSpecOf } from '../../adapters/clip.ts';
import { evaluateDemo, openDemoBundles } from '../../scripts/demo/evaluate-demo.ts';

const projectRoot = join(import.meta.dirname, '..', '..');
const bundle = join(projectRoot, DEMO_BUNDLE_DIR, 'Demo-MS-CLIP-Tiny');

test('ensureDemoSuite generates once, then returns the cached suite', async () => {
  const first = await ensureDemoSuite();
  const stamp = join(first, '.demo-suite.json');
  assert.ok(existsSync(stamp));
  const stamped = statSync(stamp).mtimeMs;
  const started = performance.now();
  const second = await ensureDemoSuite();
  assert.is(second, first);
  assert.ok(performance.now() - started < 1000, 'the second call must not regenerate');
  assert.is(statSync(stamp).mtimeMs, stamped);
});

test('band order shuffled or normalisation left out: the MS demo model drops far below its accuracy', async () => {
  assert.ok(existsSync(join(bundle, 'bundle.json')), `${bundle} is missing: run npm run demo:train -- --install`);
  const datasetDir = await ensureDemoSuite();
  const [{ encoder }] = await openDemoBundles([{ name: 'Demo-MS-CLIP-Tiny', directory: bundle }]);
  const spec = preprocessSpecOf(encoder);
  // A plausible loader bug: the bands reach the model in another order (here reversed,
  // so each slot gets a different band than the one it was trained on).
  const shuffled = { ...spec, bands: [...spec.bands].reverse() };
  // Another: raw DNs fed to the model without the manifest's normalisation.
  const unnormalised = { ...spec, mean: spec.mean.map(() => 0), std: spec.std.map(() => 1) };
  try {
    const metrics = await evaluateDemo({
      models: [{ name: 'normal', encoder }, { name: 'shuffled', encoder, spec: shuffled }, { name: 'unnormalised', encoder, spec: unnormalised }],
      datasetDir,
      datasets: ['EuroSAT_MS'],
    });
    const accuracy = (name: string): number => metrics[name].datasets.EuroSAT_MS.acc1 as number;
    const chance = metrics.normal.chance.EuroSAT_MS.classification;
    assert.ok(accuracy('normal') >= 4 * chance, `normal acc1 ${accuracy('normal')} (chance ${chance})`);
    for (const broken of ['shuffled', 'unnormalised']) {
      assert.ok(accuracy(broken) <= accuracy('normal') - 0.3, `${broken}: acc1 ${accuracy(broken)} vs normal ${accuracy('normal')}`);
    }
  } finally {
    await encoder.dispose();
  }
});

test.run();
