/**
 * The CLIP byte-pair-encoding tokenizer, id for id the same as OpenCLIP's
 * `SimpleTokenizer` (open_clip 3.3.0, `clean='lower'`, no reduction), which every model
 * in the benchmark uses (`open_clip.get_tokenizer('ViT-B-16')` for Llama3-MS-CLIP).
 *
 * tokenize(texts), per text:
 *   1. clean: ftfy.fix_text, html.unescape twice, strip, fold whitespace, lower-case
 *      (`cleanText`),
 *   2. split into words, numbers and punctuation runs with CLIP's pattern,
 *   3. byte-level BPE on each piece's UTF-8 bytes, using the merges file,
 *   4. frame as [start, ...ids, end]; cut to the context length keeping `end` last;
 *      pad with `padId` (0, as OpenCLIP does).
 */
import { projectPath } from '../core/project.ts';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { ErrorCode, UserError } from '../core/errors.ts';
import { fixText } from './tokenizer-ftfy.ts';
import { textTables, unescapeHtml } from './tokenizer-html.ts';

/** The merges file OpenCLIP ships (MIT); see adapters/vocab/LICENSE.md. */
export const DEFAULT_VOCABULARY = projectPath('adapters', 'vocab', 'bpe_simple_vocab_16e6.txt.gz');

export interface TokenizerOptions {
  /** Row length of `tokenize`'s output (77 for every CLIP model). */
  contextLength?: number;
  /** Defaults: the vocabulary's `<start_of_text>` (49406) and `<end_of_text>` (49407). */
  startId?: number;
  endId?: number;
  /** Value of the padding after `end` (OpenCLIP pads with 0). */
  padId?: number;
}

const START_TOKEN = '<start_of_text>';
const END_TOKEN = '<end_of_text>';
/** OpenCLIP keeps 48894 merges: with 2 x 256 byte tokens and 2 specials, 49408 ids. */
const MERGE_COUNT = 49152 - 256 - 2;
const MERGE_LINE = /^\S+ \S+$/;

let whitespaceRun: RegExp | undefined;

/** Python's `" ".join(text.split())`: split on every `str.isspace()` character. */
function foldWhitespace(text: string): string {
  whitespaceRun ??= new RegExp(`[${textTables().python_whitespace}]+`, 'u');
  return text
    .split(whitespaceRun)
    .filter((word) => word.length > 0)
    .join(' ');
}

/**
 * OpenCLIP's `_clean_lower`: ftfy.fix_text, html.unescape twice, whitespace folded
 * (which also strips), lower-cased.
 */
export function cleanText(text: string): string {
  return foldWhitespace(unescapeHtml(unescapeHtml(fixText(text)))).toLowerCase();
}

/**
 * CLIP's pre-tokenisation pattern, as Python's `regex` module runs it (IGNORECASE) on
 * lower-cased text. Case-insensitivity then leaves two traces, kept here by hand:
 * `ſ` (long s) matches `s`, and U+0345 (combining ypogegrammeni, which folds to a
 * letter) matches no branch at all, so it is dropped. `\s` is spelled out as `regex`
 * has it (Unicode White_Space), since JavaScript's `\s` adds U+FEFF. `\p{L}`/`\p{N}` follow
 * Node's Unicode tables; they can differ from `regex`'s only on newly assigned characters.
 */
const PIECE =
  // eslint-disable-next-line no-misleading-character-class -- open_clip's exact pattern; U+0345 (a combining mark) is a member on purpose
  /<[sſ]tart_of_text>|<end_of_text>|'[sſ]|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0345\p{L}\p{N}]+/gu;

/** Bytes GPT-2's byte table keeps as themselves: printable Latin-1 but for the soft hyphen. */
function isPrintableByte(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
}

/** GPT-2's reversible byte -> character table; the other bytes map to U+0100 on, in order. */
function byteCharacters(): string[] {
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) => String.fromCharCode(isPrintableByte(byte) ? byte : next++));
}

/** The byte tokens in OpenCLIP's vocabulary order: printable bytes first, then the rest. */
function vocabularyOrder(bytes: readonly string[]): string[] {
  const all = bytes.map((character, byte) => ({ character, byte }));
  return [...all.filter(({ byte }) => isPrintableByte(byte)), ...all.filter(({ byte }) => !isPrintableByte(byte))].map(({ character }) => character);
}

export class ClipTokenizer {
  readonly contextLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  readonly vocabularySize: number;
  private readonly encoder: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly byteToCharacter: string[];
  /** Piece (before byte mapping) -> ids. */
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();

  private constructor(merges: readonly string[], options: TokenizerOptions) {
    this.byteToCharacter = byteCharacters();
    const base = vocabularyOrder(this.byteToCharacter);
    const vocabulary = [...base, ...base.map((character) => character + '</w>')];
    this.ranks = new Map();
    merges.forEach((merge, rank) => {
      vocabulary.push(merge.replace(' ', ''));
      this.ranks.set(merge, rank);
    });
    vocabulary.push(START_TOKEN, END_TOKEN);
    // Later duplicates win, as with Python's dict(zip(...)).
    this.encoder = new Map(vocabulary.map((token, id) => [token, id]));
    this.vocabularySize = this.encoder.size;
    this.contextLength = options.contextLength ?? 77;
    this.startId = options.startId ?? (this.encoder.get(START_TOKEN) as number);
    this.endId = options.endId ?? (this.encoder.get(END_TOKEN) as number);
    this.padId = options.padId ?? 0;
    // OpenCLIP seeds its cache with the special tokens, so typed "<start_of_text>" maps to its id.
    this.cache.set(START_TOKEN, [this.encoder.get(START_TOKEN) as number]);
    this.cache.set(END_TOKEN, [this.encoder.get(END_TOKEN) as number]);
  }

  /** Reads a gzip'd CLIP merges file (`bpe_simple_vocab_16e6.txt.gz`). */
  static async load(vocabularyFile: string = DEFAULT_VOCABULARY, options: TokenizerOptions = {}): Promise<ClipTokenizer> {
    let lines: string[];
    try {
      lines = gunzipSync(await readFile(vocabularyFile)).toString('utf8').split('\n');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read as gzip (${(error as Error).message})`;
      throw new UserError(ErrorCode.bundleInvalid, `tokenizer vocabulary ${vocabularyFile} ${reason}: point the bundle's text.vocabulary at OpenCLIP's bpe_simple_vocab_16e6.txt.gz`, vocabularyFile);
    }
    // Line 0 is the "#version" header; OpenCLIP keeps the next MERGE_COUNT lines.
    // Python splits each line on whitespace; lines in the real file already are "a b".
    const merges = lines.slice(1, MERGE_COUNT + 1).map((line) => (MERGE_LINE.test(line) ? line : line.trim().split(/\s+/).join(' ')));
    if (merges.length < MERGE_COUNT || merges.some((merge) => !MERGE_LINE.test(merge))) {
      throw new UserError(ErrorCode.bundleInvalid, `tokenizer vocabulary ${vocabularyFile} is not a CLIP merges file (expected ${MERGE_COUNT} "a b" lines after the header): use OpenCLIP's bpe_simple_vocab_16e6.txt.gz`, vocabularyFile);
    }
    const contextLength = options.contextLength ?? 77;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new UserError(ErrorCode.bundleInvalid, `tokenizer context length ${contextLength} is invalid: use an integer of at least 2 (77 for CLIP)`);
    }
    return new ClipTokenizer(merges, options);
  }

  /** BPE ids of `text` after cleaning, without start and end ids. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const [piece] of cleanText(text).matchAll(PIECE)) {
      let pieceIds = this.cache.get(piece);
      if (pieceIds === undefined) {
        const characters = Array.from(this.utf8.encode(piece), (byte) => this.byteToCharacter[byte]).join('');
        pieceIds = this.bpe(characters).map((token) => this.encoder.get(token) as number);
        this.cache.set(piece, pieceIds);
      }
      ids.push(...pieceIds);
    }
    return ids;
  }

  /** `[texts.length, contextLength]` int64 rows: start, ids, end, then padding. */
  tokenize(texts: readonly string[]): BigInt64Array {
    const width = this.contextLength;
    const out = new BigInt64Array(texts.length * width).fill(BigInt(this.padId));
    texts.forEach((text, row) => {
      const tokens = [this.startId, ...this.encode(text), this.endId];
      if (tokens.length > width) {
        tokens.length = width;
        tokens[width - 1] = this.endId;
      }
      tokens.forEach((token, column) => {
        out[row * width + column] = BigInt(token);
      });
    });
    return out;
  }

  /** Merges the lowest-ranked adjacent pair until none is left, as OpenCLIP's `bpe`. */
  private bpe(characters: string): string[] {
    let word = Array.from(characters);
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best: string | undefined;
      let bestRank = Infinity;
      for (let index = 0; index < word.length - 1; index++) {
        const pair = word[index] + ' ' + word[index + 1];
        const rank = this.ranks.get(pair);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = pair;
        }
      }
      if (best === undefined) break;
      const [first, second] = best.split(' ');
      const merged: string[] = [];
      for (let index = 0; index < word.length; index++) {
        if (word[index] === first && index < word.length - 1 && word[index + 1] === second) {
          merged.push(first + second);
          index++;
        } else {
          merged.push(word[index]);
        }
      }
      word = merged;
    }
    return word;
  }
}
