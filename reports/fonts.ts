/**
 * Fonts for server-side rendering. Vega lays text out without a canvas by guessing
 * widths (0.8 em per character, far too wide for legends), and resvg draws no text
 * at all without a font file. Both therefore get the same font: DejaVu Sans from the
 * system (Debian's fonts-dejavu-core), else the copy committed under reports/fonts/,
 * else any system font resvg can find (text then may be measured less exactly).
 */
import { projectPath } from '../core/project.ts';
import { existsSync, readFileSync } from 'node:fs';


export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  projectPath('reports', 'fonts', 'DejaVuSans.ttf'),
];
const BOLD_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

export interface FontChoice {
  /** Font files handed to resvg (regular first). */
  files: string[];
  /** The regular face used to measure text, or null when only system fonts are left. */
  regular: string | null;
}

export function findFonts(): FontChoice {
  const regular = FONT_CANDIDATES.find((path) => existsSync(path)) ?? null;
  const bold = BOLD_CANDIDATES.find((path) => existsSync(path));
  return { files: [regular, bold].filter((path): path is string => Boolean(path)), regular };
}

/** Advance widths of a TrueType font in em units, looked up by code point. */
export interface GlyphWidths {
  width(codePoint: number): number;
}

/**
 * Reads `cmap` (format 4, the Unicode BMP subtable), `hhea`, `hmtx` and `head` of a
 * .ttf: enough to know how wide a string is. Returns null for anything unexpected.
 */
export function readGlyphWidths(path: string): GlyphWidths | null {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, number>();
  const tableCount = view.getUint16(4);
  for (let index = 0; index < tableCount; index++) {
    const record = 12 + 16 * index;
    tables.set(bytes.toString('latin1', record, record + 4), view.getUint32(record + 8));
  }
  const head = tables.get('head');
  const hhea = tables.get('hhea');
  const hmtx = tables.get('hmtx');
  const cmap = tables.get('cmap');
  if (head === undefined || hhea === undefined || hmtx === undefined || cmap === undefined) return null;
  const unitsPerEm = view.getUint16(head + 18);
  const metricCount = view.getUint16(hhea + 34);
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, metricCount - 1)) / unitsPerEm;

  let subtable = -1;
  for (let index = 0; index < view.getUint16(cmap + 2); index++) {
    const record = cmap + 4 + 8 * index;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const offset = cmap + view.getUint32(record + 4);
    if (((platform === 3 && encoding === 1) || platform === 0) && view.getUint16(offset) === 4) subtable = offset;
  }
  if (subtable < 0) return null;
  const segmentCount = view.getUint16(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segmentCount + 2;
  const deltas = starts + 2 * segmentCount;
  const rangeOffsets = deltas + 2 * segmentCount;
  const glyphOf = (codePoint: number): number => {
    for (let segment = 0; segment < segmentCount; segment++) {
      if (codePoint > view.getUint16(ends + 2 * segment)) continue;
      const start = view.getUint16(starts + 2 * segment);
      if (codePoint < start) return 0;
      const delta = view.getInt16(deltas + 2 * segment);
      const rangeOffsetAt = rangeOffsets + 2 * segment;
      const rangeOffset = view.getUint16(rangeOffsetAt);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = view.getUint16(rangeOffsetAt + rangeOffset + 2 * (codePoint - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  return {
    width(codePoint: number): number {
      let width = cache.get(codePoint);
      if (width === undefined) {
        width = codePoint > 0xffff ? advance(0) : advance(glyphOf(codePoint));
        cache.set(codePoint, width);
      }
      return width;
    },
  };
}

/** Width of `text` in pixels at `fontSize`; bold is about 10% wider in DejaVu Sans. */
export function measureText(widths: GlyphWidths, text: string, fontSize: number, bold = false): number {
  let ems = 0;
  for (const character of text) ems += widths.width(character.codePointAt(0)!);
  return ems * fontSize * (bold ? 1.1 : 1);
}
