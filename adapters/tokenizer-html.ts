/**
 * Python's `html.unescape` (3.11), which the CLIP tokenizer runs twice on every text,
 * and the shared loader of adapters/vocab/text-tables.json (tables generated from the
 * Python libraries by adapters/vocab/make_text_tables.py).
 */
import { projectPath } from '../core/project.ts';
import { readFileSync } from 'node:fs';

export interface TextTables {
  /** Characters for which Python's `str.isspace()` is true, as a regex class body. */
  python_whitespace: string;
  /** `html.entities.html5`: entity name (with or without `;`) -> replacement. */
  html5: Record<string, string>;
  /** All-caps entity spellings ftfy also decodes, e.g. `&EACUTE;`. */
  ftfy_uppercase_entities: Record<string, string>;
  /** 256-character decoding table per single-byte encoding, in ftfy's trial order. */
  charmaps: Record<string, string>;
  /** Python's strict cp1252 table; U+FFFD marks the five undefined bytes. */
  windows_1252_strict: string;
  ligatures: Record<string, string>;
  width_map: Record<string, string>;
  /** ftfy's BADNESS_RE and UTF8_DETECTOR_RE, as JavaScript `u`-flag sources. */
  badness: string;
  utf8_detector: string;
}

const TABLES_FILE = projectPath('adapters', 'vocab', 'text-tables.json');
let tables: TextTables | undefined;

/** Loaded on first use: most of the harness never cleans text. */
export function textTables(): TextTables {
  tables ??= JSON.parse(readFileSync(TABLES_FILE, 'utf8')) as TextTables;
  return tables;
}

/** Python's `_invalid_charrefs`: numeric references HTML5 redirects to cp1252 and friends. */
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map([
  [0x00, '\ufffd'], [0x0d, '\r'], [0x80, '\u20ac'], [0x81, '\x81'], [0x82, '\u201a'],
  [0x83, '\u0192'], [0x84, '\u201e'], [0x85, '\u2026'], [0x86, '\u2020'], [0x87, '\u2021'],
  [0x88, '\u02c6'], [0x89, '\u2030'], [0x8a, '\u0160'], [0x8b, '\u2039'], [0x8c, '\u0152'],
  [0x8d, '\x8d'], [0x8e, '\u017d'], [0x8f, '\x8f'], [0x90, '\x90'], [0x91, '\u2018'],
  [0x92, '\u2019'], [0x93, '\u201c'], [0x94, '\u201d'], [0x95, '\u2022'], [0x96, '\u2013'],
  [0x97, '\u2014'], [0x98, '\u02dc'], [0x99, '\u2122'], [0x9a, '\u0161'], [0x9b, '\u203a'],
  [0x9c, '\u0153'], [0x9d, '\x9d'], [0x9e, '\u017e'], [0x9f, '\u0178'],
]);

/** Python's `_invalid_codepoints`: references to these decode to nothing. */
function isInvalidCodepoint(code: number): boolean {
  return (
    (code >= 0x01 && code <= 0x08) ||
    code === 0x0b ||
    (code >= 0x0e && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe
  );
}

const CHARACTER_REFERENCE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceReference(body: string): string {
  if (body[0] === '#') {
    const hex = body[1] === 'x' || body[1] === 'X';
    const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
    // parseInt overflows to huge floats (never NaN here), which land in the U+FFFD branch as in Python.
    const code = hex ? parseInt(digits, 16) : parseInt(digits, 10);
    const redirected = INVALID_CHARREFS.get(code);
    if (redirected !== undefined) return redirected;
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(code)) return '';
    return String.fromCodePoint(code);
  }
  const html5 = textTables().html5;
  const exact = html5[body];
  if (exact !== undefined) return exact;
  // The longest known prefix wins, as the HTML5 standard says (`&notit;` -> `¬it;`).
  const characters = Array.from(body);
  for (let length = characters.length - 1; length > 1; length--) {
    const prefix = characters.slice(0, length).join('');
    const replacement = html5[prefix];
    if (replacement !== undefined) return replacement + characters.slice(length).join('');
  }
  return '&' + body;
}

/** Python's `html.unescape`: named (HTML5 table) and numeric references, HTML5 error rules. */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARACTER_REFERENCE, (_match, body: string) => replaceReference(body));
}
