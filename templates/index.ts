/**
 * The registry of prompt template sets. The built-in sets are data (msclip.json,
 * clip.json, rs5m.json beside this file, copied verbatim from the reference harness by
 * scripts/golden/tokens.py); a user's own set is a JSON file, either an array of
 * template strings or an object with a "templates" array. Every template names the
 * class as `{c}` and is filled the way the reference fills it, Python's
 * `template.format(c=classname)`.
 */
import { projectPath } from '../core/project.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ErrorCode, UserError, unknownNameError, visible } from '../core/errors.ts';

export interface TemplateSet {
  /** The registry name, or the file name of a user's set ("my-prompts.json"). */
  name: string;
  templates: string[];
  /** sha256 (hex) of the templates alone, as compact JSON (`JSON.stringify(templates)`): same prompts, same hash. */
  sha256: string;
}

export const TEMPLATE_SET_NAMES = ['msclip', 'clip', 'rs5m'] as const;
export type TemplateSetName = (typeof TEMPLATE_SET_NAMES)[number];
/** The reference harness's default. */
export const DEFAULT_TEMPLATE_SET: TemplateSetName = 'msclip';

export function isTemplateSetName(value: string): value is TemplateSetName {
  return (TEMPLATE_SET_NAMES as readonly string[]).includes(value);
}

const FIX = 'templates are strings naming the class as {c}, with {{ and }} for literal braces';

type Part = string | { field: 'c' };

/**
 * Parses a template with Python's `str.format` grammar. Returns the parts, or why
 * `template.format(c=...)` would fail (or, for a template without `{c}`, be the same
 * prompt for every class).
 */
function parseTemplate(template: string): Part[] | string {
  const parts: Part[] = [];
  let literal = '';
  let sawClass = false;
  for (let index = 0; index < template.length; index++) {
    const character = template[index];
    if (character === '{' && template[index + 1] === '{') {
      literal += '{';
      index++;
    } else if (character === '}' && template[index + 1] === '}') {
      literal += '}';
      index++;
    } else if (character === '{') {
      const close = template.indexOf('}', index);
      const field = close === -1 ? undefined : template.slice(index + 1, close);
      // `{c!s}` is `{c}` spelled out; conversions and format specs that change the text are refused.
      if (field !== 'c' && field !== 'c!s') return `"{${field ?? template.slice(index + 1)}" is not a {c} field`;
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ field: 'c' });
      sawClass = true;
      index = close;
    } else if (character === '}') {
      return 'a single "}" (write "}}" for a literal brace)';
    } else {
      literal += character;
    }
  }
  if (literal) parts.push(literal);
  return sawClass ? parts : 'no {c} field';
}

/** `template.format(c=className)`: `{c}` becomes the class name, `{{`/`}}` single braces. */
export function fillTemplate(template: string, className: string): string {
  const parts = parseTemplate(template);
  if (typeof parts === 'string') {
    throw new UserError(ErrorCode.templatesInvalid, `template ${JSON.stringify(template)} is invalid (${parts}): ${FIX}`);
  }
  return parts.map((part) => (typeof part === 'string' ? part : className)).join('');
}

function invalid(file: string, problem: string): UserError {
  return new UserError(ErrorCode.templatesInvalid, `template file ${file}: ${problem}: ${FIX}, as a JSON array or {"templates": [...]}`, file);
}

function readTemplates(file: string): string[] {
  if (!existsSync(file)) {
    throw new UserError(ErrorCode.templatesInvalid, `template file ${file} does not exist: pass one of ${TEMPLATE_SET_NAMES.join(', ')} or the path of a JSON file of templates`, file);
  }
  let document: unknown;
  try {
    // A byte-order mark (Windows editors write one) is not JSON, but not a mistake either.
    document = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw invalid(file, `not valid JSON (${visible((error as Error).message)})`);
  }
  const templates = Array.isArray(document)
    ? document
    : typeof document === 'object' && document !== null && 'templates' in document
      ? (document).templates
      : undefined;
  if (!Array.isArray(templates)) throw invalid(file, 'no "templates" array');
  if (templates.length === 0) throw invalid(file, 'the templates array is empty');
  templates.forEach((template: unknown, index) => {
    if (typeof template !== 'string') throw invalid(file, `templates[${index}] is not a string`);
    const parts = parseTemplate(template);
    if (typeof parts === 'string') throw invalid(file, `templates[${index}] ${JSON.stringify(template)} has ${parts}`);
  });
  return templates as string[];
}

function builtInFile(name: TemplateSetName): string {
  return projectPath('templates', `${name}.json`);
}

/** Where a name or a path leads: a path is anything that ends in .json or holds a separator. */
function looksLikeFile(nameOrFile: string): boolean {
  return /\.json$/i.test(nameOrFile) || /[\\/]/.test(nameOrFile);
}

/** A built-in set by name (msclip, clip, rs5m; any case) or a JSON file of templates. */
export function loadTemplateSet(nameOrFile: string): TemplateSet {
  let name: string;
  let file: string;
  if (looksLikeFile(nameOrFile)) {
    file = nameOrFile;
    name = basename(nameOrFile);
  } else {
    const known = nameOrFile.toLowerCase();
    if (!isTemplateSetName(known)) throw unknownNameError('template set', nameOrFile, TEMPLATE_SET_NAMES);
    name = known;
    file = builtInFile(known);
  }
  const templates = readTemplates(file);
  const sha256 = createHash('sha256').update(JSON.stringify(templates)).digest('hex');
  return { name, templates, sha256 };
}
