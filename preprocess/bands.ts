/**
 * Missing bands: a run can feed a multispectral model with some of its bands absent
 * (a band-robustness condition). The absent bands are not read; each is filled in the
 * preprocessing, at its own position in the model's band order, before resizing and
 * normalisation, with one of the policies of the reference's AddMeanChannels
 * (msclip/inference/utils.py, which can only append bands at the end and is never wired
 * into its evaluation):
 *
 * - channel-mean: the band's normalisation mean, so it is 0 after normalisation (what a
 *   zero-initialised patch embedding sees for a band it never had);
 * - pixel-mean: each pixel's mean over the bands present;
 * - zero: raw reflectance 0.
 */
export const FILL_POLICIES = ['channel-mean', 'pixel-mean', 'zero'] as const;
export type FillPolicy = (typeof FILL_POLICIES)[number];

/** The reference's spellings, accepted too. */
const FILL_ALIASES: Record<string, FillPolicy> = { channel_mean: 'channel-mean', pixel_mean: 'pixel-mean' };

/** A policy name (ours or the reference's), or undefined. */
export function fillPolicyOf(name: string): FillPolicy | undefined {
  const key = name.trim().toLowerCase();
  if ((FILL_POLICIES as readonly string[]).includes(key)) return key as FillPolicy;
  return FILL_ALIASES[key];
}

export interface MissingBands {
  /** Model bands (spec.bands names) that are absent. */
  bands: string[];
  fill: FillPolicy;
}

/**
 * Writes the model's planes [bands, pixels] into `out`: present bands copied from
 * `present` (in model order, missing ones skipped), missing ones filled.
 */
export function fillMissingPlanes(options: { present: Float32Array; missing: readonly boolean[]; fill: FillPolicy; mean: Float32Array; pixels: number; out: Float32Array }): void {
  const { present, missing, fill, mean, pixels, out } = options;
  const presentCount = missing.filter((flag) => !flag).length;
  let pixelMean: Float32Array | undefined;
  if (fill === 'pixel-mean') {
    pixelMean = new Float32Array(pixels);
    for (let index = 0; index < pixels; index++) {
      let sum = 0;
      for (let band = 0; band < presentCount; band++) sum += present[band * pixels + index];
      pixelMean[index] = sum / presentCount;
    }
  }
  let source = 0;
  missing.forEach((isMissing, band) => {
    const target = out.subarray(band * pixels, (band + 1) * pixels);
    if (!isMissing) {
      target.set(present.subarray(source * pixels, (source + 1) * pixels));
      source++;
    } else if (fill === 'channel-mean') {
      target.fill(mean[band]);
    } else if (fill === 'zero') {
      target.fill(0);
    } else {
      target.set(pixelMean!);
    }
  });
}
