/**
 * Spec -> SVG -> PNG, on the server, without a browser or a canvas:
 * Vega-Lite specs are compiled to Vega with vega-lite's compile(); Vega renders SVG
 * markup with a headless View (renderer 'none', toSVG); resvg rasterises the SVG with
 * the font files from fonts.ts. Vega escapes every string it writes into the SVG
 * (text content and attributes), so data can never become markup here.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { findFonts, measureText, readGlyphWidths, type FontChoice } from './fonts.ts';

/** What Vega passes as a text item (a string, a number, or lines as an array), as one string. */
function plainText(text: unknown): string {
  if (typeof text === 'string') return text;
  if (typeof text === 'number' || typeof text === 'boolean') return String(text);
  if (Array.isArray(text)) return text.map(plainText).join(',');
  return '';
}

export type VegaSpec = vega.Spec;
export type VegaLiteSpec = TopLevelSpec;

let fonts: FontChoice | undefined;

/**
 * Once per process: measure text with the font resvg will draw it in. Vega asks
 * textMetrics.width for legend and axis layout and label truncation.
 */
function ensureFonts(): FontChoice {
  if (fonts) return fonts;
  fonts = findFonts();
  const widths = fonts.regular ? readGlyphWidths(fonts.regular) : null;
  if (widths) {
    // textMetrics is exported by vega (from vega-scenegraph) but missing from its typings.
    const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
    metrics.width = (item: TextItem, text: unknown) => {
      const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
      const value = plainText(text).trim();
      return measureText(widths, value, size, item.fontWeight === 'bold' || Number(item.fontWeight) >= 600);
    };
  }
  return fonts;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
}

export function compileVegaLite(spec: VegaLiteSpec): VegaSpec {
  return compile(spec).spec;
}

/** A Vega spec as standalone SVG markup. Only inline data: the loader refuses everything else. */
export async function renderSvg(spec: VegaSpec): Promise<string> {
  ensureFonts();
  const refuse = () => Promise.reject(new Error('charts use inline data only'));
  const loader = { ...vega.loader(), load: refuse, sanitize: refuse, http: refuse, file: refuse } as unknown as vega.Loader;
  const view = new vega.View(vega.parse(spec), { renderer: 'none', loader, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG -> PNG at `scale` times the SVG's size (2 by default, for sharp text). */
export function renderPng(svg: string, scale = 2): Uint8Array {
  const { files } = ensureFonts();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontFiles: files,
      // Only when no DejaVu file exists at all: better any font than no text.
      loadSystemFonts: files.length === 0,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

/**
 * Prepares Vega's SVG for inlining in a page that holds several charts: ids (clip
 * paths, gradients) get a per-chart prefix so they cannot collide, and every leaf mark
 * Vega described (aria-label) gets a <title> child, the SVG-native tooltip that works
 * with JavaScript off. The aria-label values are already attribute-escaped by Vega,
 * which is also valid escaping for text content; tags are matched only outside text
 * because Vega escapes "<" and ">" everywhere.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/<[^>]+>/g, (tag) => tag
      .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
      .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
      .replace(/\b(xlink:)?href="#([^"]+)"/g, (_, xlink: string | undefined, id: string) => `${xlink ?? ''}href="#${prefix}-${id}"`))
    .replace(/<(path|rect|circle|line|text|image)\b([^>]*?)\baria-label="([^"]*)"([^>]*?)(\/?)>/g, (match, tag: string, before: string, label: string, after: string, selfClosing: string) => {
      if (!/role="graphics-symbol"/.test(before + after)) return match;
      const open = `<${tag}${before}aria-label="${label}"${after}>`;
      return selfClosing ? `${open}<title>${label}</title></${tag}>` : `${open}<title>${label}</title>`;
    });
}

/** Width and height of a PNG from its IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
