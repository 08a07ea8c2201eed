/**
 * `ftfy.fix_text(text)` with ftfy 6.3.1's default configuration, ported so that the
 * CLIP tokenizer cleans text exactly as OpenCLIP does. The data (mojibake-detection
 * expressions, codec tables, entity names, ligature and width tables) comes from the
 * installed ftfy through adapters/vocab/make_text_tables.py; this file holds the logic.
 *
 * fix_text, per line (ftfy's "segment"), until nothing changes:
 *   1. decode HTML entities (skipped from the first line holding a `<` onwards),
 *   2. fix mojibake: re-encode text that looks like UTF-8 read as a single-byte
 *      encoding and decode it as UTF-8 (see `fixEncoding`),
 *   3. C1 controls -> Windows-1252, split Latin ligatures, full/half-width -> normal,
 *      straighten curly quotes, unify line breaks, replace lone surrogates, drop
 *      terminal escapes and invisible control characters,
 *   4. NFC normalisation.
 * Unicode tables (NFC, letters, digits) are JavaScript's; ftfy uses Python's. They
 * differ only on characters assigned after the Python's Unicode version.
 */
import { textTables, unescapeHtml } from './tokenizer-html.ts';

interface Compiled {
  badness: RegExp;
  /** Global, for replacing; `utf8DetectorOnce` is the same expression for testing. */
  utf8Detector: RegExp;
  utf8DetectorOnce: RegExp;
  htmlEntities: Map<string, string>;
  encodings: { name: string; decode: string; encode: Map<string, number> }[];
  sloppyWindows1252: string;
  windows1252Strict: string;
  ligatures: Map<string, string>;
  widthMap: Map<string, string>;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  const tables = textTables();
  const htmlEntities = new Map<string, string>();
  for (const [name, value] of Object.entries(tables.html5)) {
    if (name.endsWith(';')) htmlEntities.set('&' + name, value);
  }
  for (const [name, value] of Object.entries(tables.ftfy_uppercase_entities)) htmlEntities.set(name, value);
  const encodings = Object.entries(tables.charmaps).map(([name, decode]) => {
    const encode = new Map<string, number>();
    Array.from(decode).forEach((character, byte) => encode.set(character, byte));
    return { name, decode, encode };
  });
  return {
    badness: new RegExp(tables.badness, 'u'),
    utf8Detector: new RegExp(tables.utf8_detector, 'gu'),
    utf8DetectorOnce: new RegExp(tables.utf8_detector, 'u'),
    htmlEntities,
    encodings,
    sloppyWindows1252: tables.charmaps['sloppy-windows-1252'],
    windows1252Strict: tables.windows_1252_strict,
    ligatures: new Map(Object.entries(tables.ligatures)),
    widthMap: new Map(Object.entries(tables.width_map)),
  };
}

function data(): Compiled {
  compiled ??= compile();
  return compiled;
}

/** Thrown when bytes are not (variant) UTF-8; fixEncoding then tries the next encoding. */
class DecodeError extends Error {}

// ---- byte-level helpers: bytes are held as "binary strings" (one char per byte) so that
// ftfy's bytes regular expressions carry over unchanged.

// ignoreBOM keeps a leading U+FEFF, as Python's "utf-8" codec does.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(binary: string): string {
  try {
    return strictUtf8.decode(Uint8Array.from(binary, (character) => character.charCodeAt(0)));
  } catch {
    throw new DecodeError('invalid UTF-8');
  }
}

// Python's bytes `$` also matches before a final newline.
const END = '(?=\\n?$)';
const CESU8 = new RegExp(`^\\xed([\\xa0-\\xaf]|${END})([\\x80-\\xbf]|${END})(\\xed|${END})([\\xb0-\\xbf]|${END})([\\x80-\\xbf]|${END})`);
const SPECIAL_BYTES = new RegExp(
  `\\xc0(\\x80|${END})|` +
    `\\xed([\\xa0-\\xaf]|${END})([\\x80-\\xbf]|${END})(\\xed|${END})([\\xb0-\\xbf]|${END})([\\x80-\\xbf]|${END})|` +
    `\\xed([\\xa0-\\xbf]|${END})([\\x80-\\xbf]|${END})`,
);

/** ftfy's "utf-8-variants" codec: UTF-8 plus CESU-8 surrogate pairs and Java's C0 80 null. */
function decodeUtf8Variants(binary: string): string {
  const parts: string[] = [];
  let rest = binary;
  while (rest.length > 0) {
    const match = SPECIAL_BYTES.exec(rest);
    if (match === null) {
      parts.push(decodeUtf8(rest));
      break;
    }
    if (match.index > 0) {
      parts.push(decodeUtf8(rest.slice(0, match.index)));
      rest = rest.slice(match.index);
    } else if (rest.charCodeAt(0) === 0xc0 && rest.length > 1) {
      parts.push('\u0000');
      rest = rest.slice(2);
    } else if (rest.length >= 6 && CESU8.test(rest)) {
      const byte = (index: number): number => rest.charCodeAt(index);
      const code = ((byte(1) & 0x0f) << 16) + ((byte(2) & 0x3f) << 10) + ((byte(4) & 0x0f) << 6) + (byte(5) & 0x3f) + 0x10000;
      parts.push(String.fromCodePoint(code));
      rest = rest.slice(6);
    } else {
      // A lone surrogate or a truncated sequence: strict UTF-8 rejects it, as in Python.
      decodeUtf8(rest.slice(0, Math.min(rest.length, 3)));
      throw new DecodeError('invalid UTF-8');
    }
  }
  return parts.join('');
}

const ALTERED_UTF8 =
  /[\xc2\xc3\xc5\xce\xd0\xd9][ ]|[\xe2\xe3][ ][\x80-\x84\x86-\x9f\xa1-\xbf]|[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf][ ]|[\xf0][ ][\x80-\xbf][\x80-\xbf]|[\xf0][\x80-\xbf][ ][\x80-\xbf]|[\xf0][\x80-\xbf][\x80-\xbf][ ]/g;
const ALTERED_UTF8_ONCE = new RegExp(ALTERED_UTF8.source);
const A_GRAVE_WORD = /\xc3 (?! |quele|quela|quilo|s )/g;
const LOSSY_UTF8 =
  // eslint-disable-next-line no-control-regex -- ftfy's own pattern: it matches control characters on purpose
  /[\xc2-\xdf][\x1a]|[\xc2-\xc3][?]|\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]|\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]|[\xe0-\xef][\x1a?][\x1a\x80-\xbf]|[\xe0-\xef][\x1a\x80-\xbf][\x1a?]|[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]|\x1a/g;

/** A space that stood for byte A0 inside a UTF-8 sequence goes back to A0. */
function restoreByteA0(binary: string): string {
  return binary.replace(A_GRAVE_WORD, '\xc3\xa0 ').replace(ALTERED_UTF8, (match) => match.replaceAll(' ', '\xa0'));
}

/** UTF-8 sequences that lost a byte to U+FFFD (encoded as 1A by the sloppy codecs) become U+FFFD. */
function replaceLossySequences(binary: string): string {
  return binary.replace(LOSSY_UTF8, '\xef\xbf\xbd');
}

// ---- fix_encoding

// eslint-disable-next-line no-control-regex -- ftfy's own pattern: it matches control characters on purpose
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const C1_CONTROL = /[\x80-\x9f]/;

function isBad(text: string): boolean {
  return data().badness.test(text);
}

function encodeWith(text: string, encode: Map<string, number>): string | undefined {
  let binary = '';
  for (const character of text) {
    const byte = encode.get(character);
    if (byte === undefined) return undefined;
    binary += String.fromCharCode(byte);
  }
  return binary;
}

function fixEncodingOneStep(text: string): string {
  if (text.length === 0 || ASCII_ONLY.test(text) || !isBad(text)) return text;
  const tables = data();
  const possible: string[] = [];
  for (const encoding of tables.encodings) {
    let binary = encodeWith(text, encoding.encode);
    if (binary === undefined) continue;
    possible.push(encoding.name);
    // Not in MacRoman, where an en dash and a space would look the same.
    if (encoding.name !== 'macroman' && ALTERED_UTF8_ONCE.test(binary)) binary = restoreByteA0(binary);
    if (encoding.name.startsWith('sloppy')) binary = replaceLossySequences(binary);
    try {
      return binary.includes('\xed') || binary.includes('\xc0') ? decodeUtf8Variants(binary) : decodeUtf8(binary);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  }
  if (tables.utf8DetectorOnce.test(text)) {
    const fixed = decodeInconsistentUtf8(text);
    if (fixed !== text) return fixed;
  }
  // ftfy checks for "windows-1252" among the candidates, which only ever holds
  // "sloppy-windows-1252", so Latin-1 text always goes on to the strict cp1252 decode.
  if (possible.includes('latin-1')) {
    const fixed = decodeStrictWindows1252(text);
    if (fixed !== undefined && fixed !== text) return fixed;
  }
  if (C1_CONTROL.test(text)) return fixC1Controls(text);
  return text;
}

/** `text.encode('latin-1').decode('windows-1252')`, or undefined where Python would raise. */
function decodeStrictWindows1252(text: string): string | undefined {
  const table = data().windows1252Strict;
  let out = '';
  for (const character of text) {
    const decoded = table[character.charCodeAt(0)];
    if (decoded === '\ufffd') return undefined;
    out += decoded;
  }
  return out;
}

/** Mojibake embedded in otherwise fine text is fixed piece by piece. */
function decodeInconsistentUtf8(text: string): string {
  return text.replace(data().utf8Detector, (piece) => (piece.length < text.length && isBad(piece) ? fixEncoding(piece) : piece));
}

export function fixEncoding(text: string): string {
  for (;;) {
    const fixed = fixEncodingOneStep(text);
    if (fixed === text) return text;
    text = fixed;
  }
}

// ---- the character-level fixers

const HTML_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

function unescapeEntities(text: string): string {
  const entities = data().htmlEntities;
  return text.replace(HTML_ENTITY, (entity) => {
    const known = entities.get(entity);
    if (known !== undefined) return known;
    if (entity.startsWith('&#')) {
      const unescaped = unescapeHtml(entity);
      return unescaped.includes(';') ? entity : unescaped;
    }
    return entity;
  });
}

function fixC1Controls(text: string): string {
  const table = data().sloppyWindows1252;
  return text.replace(/[\x80-\x9f]/g, (character) => table[character.charCodeAt(0)]);
}

function translate(text: string, map: Map<string, string>): string {
  let out = '';
  for (const character of text) out += map.get(character) ?? character;
  return out;
}

// eslint-disable-next-line no-control-regex -- ftfy's own pattern: it matches control characters on purpose
const TERMINAL_ESCAPE = /\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu;
// eslint-disable-next-line no-control-regex -- ftfy's own pattern: it matches control characters on purpose
const CONTROL_CHARACTERS = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

function fixCharacters(text: string): string {
  const tables = data();
  text = fixC1Controls(text);
  return translate(translate(text, tables.ligatures), tables.widthMap)
    .replace(/[\u201c-\u201f]/g, '"')
    .replace(/[\u02bc\u2018-\u201b]/g, "'")
    .replace(/\r\n/g, '\n')
    .replace(/[\r\u2028\u2029\x85]/g, '\n')
    .replace(/[\ud800-\udfff]/gu, '\ufffd')
    .replace(TERMINAL_ESCAPE, '')
    .replace(CONTROL_CHARACTERS, '');
}

function fixSegment(text: string, decodeEntities: boolean): string {
  for (;;) {
    const original = text;
    if (decodeEntities) text = unescapeEntities(text);
    text = fixCharacters(fixEncoding(text)).normalize('NFC');
    if (text === original) return text;
  }
}

/** ftfy.fix_text(text) with default settings. */
export function fixText(text: string): string {
  // ftfy's max_decode_length (it counts code points, this code units; only lines past a million matter).
  const maximumSegment = 1_000_000;
  let decodeEntities = true;
  const out: string[] = [];
  let position = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position) + 1;
    if (end === 0) end = text.length;
    if (end - position > maximumSegment) end = position + maximumSegment;
    const segment = text.slice(position, end);
    // ftfy takes a `<` as a sign of real HTML, whose entities must stay, for this line and all later ones.
    if (segment.includes('<')) decodeEntities = false;
    out.push(fixSegment(segment, decodeEntities));
    position = end;
  }
  return out.join('');
}
