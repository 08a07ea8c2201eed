// The template-set registry: built-in sets as the reference harness has them (the
// golden file's hashes come from scripts/golden/tokens.py, which checks the sets against
// IBM/MS-CLIP's classname_and_prompt/*.py), user files, and Python str.format filling.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, isUserError, type UserError } from '../../core/errors.ts';
import { DEFAULT_TEMPLATE_SET, fillTemplate, loadTemplateSet, TEMPLATE_SET_NAMES } from '../../templates/index.ts';

const golden = JSON.parse(readFileSync(new URL('../fixtures/tokenizer/tokens.json', import.meta.url), 'utf8')) as {
  template_sha256: Record<string, string>;
};
const directory = mkdtempSync(join(tmpdir(), 'templates-'));

function writeJson(name: string, content: unknown): string {
  const file = join(directory, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  return assert.unreachable('expected a UserError') as never;
}

test('built-in sets: sizes, {c} in every template, hashes as computed from the reference', () => {
  const sizes: Record<string, number> = { msclip: 50, clip: 3, rs5m: 105 };
  assert.is(DEFAULT_TEMPLATE_SET, 'msclip');
  for (const name of TEMPLATE_SET_NAMES) {
    const set = loadTemplateSet(name);
    assert.is(set.name, name);
    assert.is(set.templates.length, sizes[name]);
    assert.ok(set.templates.every((template) => template.includes('{c}')));
    assert.is(set.sha256, golden.template_sha256[name]);
    assert.is(loadTemplateSet(name).sha256, set.sha256);
  }
  assert.is(loadTemplateSet('MSCLIP').name, 'msclip');
  assert.is(loadTemplateSet('clip').templates[0], 'a centered satellite photo of {c}.');
});

test('unknown names suggest the closest set', () => {
  const error = userError(() => loadTemplateSet('msclp'));
  assert.is(error.code, ErrorCode.unknownName);
  assert.is(error.message, 'unknown template set "msclp": did you mean "msclip"? known template sets: msclip, clip, rs5m');
  assert.not.match(userError(() => loadTemplateSet('zzzzzzzzzz')).message, /did you mean/);
});

test('a user file: an array or an object with "templates"; same prompts, same hash', () => {
  const { templates, sha256 } = loadTemplateSet('clip');
  const asArray = loadTemplateSet(writeJson('mine.json', templates));
  assert.equal(asArray, { name: 'mine.json', templates, sha256 });
  const asObject = loadTemplateSet(writeJson('other.json', { name: 'whatever', description: 'x', templates }));
  assert.is(asObject.sha256, sha256);
  assert.is(asObject.name, 'other.json');
  const changed = loadTemplateSet(writeJson('changed.json', [...templates, 'one more {c}']));
  assert.is.not(changed.sha256, sha256);
});

test('bad files are one-line user errors naming the file and the fix', () => {
  // [file, the problem, the fix]
  const cases: [string, RegExp, RegExp][] = [
    [join(directory, 'absent.json'), /does not exist/, /msclip, clip, rs5m or the path of a JSON file/],
    [writeJson('broken.json', '{"templates": ['), /not valid JSON/, /\{c\}/],
    [writeJson('shape.json', { prompts: ['a {c}'] }), /no "templates" array/, /\{"templates": \[\.\.\.\]\}/],
    [writeJson('empty.json', []), /empty/, /\{c\}/],
    [writeJson('number.json', ['a {c}', 7]), /templates\[1\] is not a string/, /\{c\}/],
    [writeJson('noclass.json', ['a photo of {c}', 'a photo']), /templates\[1\] "a photo" has no \{c\} field/, /\{c\}/],
    [writeJson('field.json', ['a {classname}']), /is not a \{c\} field/, /\{c\}/],
    [writeJson('positional.json', ['a {}']), /is not a \{c\} field/, /\{c\}/],
    [writeJson('brace.json', ['a {c} }']), /single "\}"/, /\{\{ and \}\}/],
  ];
  for (const [file, problem, fix] of cases) {
    const error = userError(() => loadTemplateSet(file));
    assert.is(error.code, ErrorCode.templatesInvalid, file);
    assert.is(error.file, file);
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, problem);
    assert.match(error.message, fix);
    assert.not.match(error.message, /\n/);
  }
});

test('a file starting with a byte-order mark is read as without it; other invisible characters are shown', () => {
  const { templates, sha256 } = loadTemplateSet('clip');
  assert.is(loadTemplateSet(writeJson('bom.json', `\uFEFF${JSON.stringify(templates)}`)).sha256, sha256);
  const error = userError(() => loadTemplateSet(writeJson('zwsp.json', `\u200B${JSON.stringify(templates)}`)));
  assert.match(error.message, /not valid JSON \(.*\\u200b/);
  assert.not.match(error.message, /\u200B/);
});

test('fillTemplate follows Python str.format(c=...)', () => {
  assert.is(fillTemplate('a satellite image of a {c}.', 'river'), 'a satellite image of a river.');
  assert.is(fillTemplate('{c} and {c}', 'sea'), 'sea and sea');
  assert.is(fillTemplate('{{literal}} {c}', 'x'), '{literal} x');
  assert.is(fillTemplate('{c!s}', 'x'), 'x');
  // The class name is inserted as is, never parsed again.
  assert.is(fillTemplate('a {c}', '{c} $& {{'), 'a {c} $& {{');
  assert.is(
    fillTemplate('a satellite image of the {c}.', 'Land principally occupied by agriculture, with significant areas of natural vegetation'),
    'a satellite image of the Land principally occupied by agriculture, with significant areas of natural vegetation.',
  );
  assert.is(userError(() => fillTemplate('no field', 'x')).code, ErrorCode.templatesInvalid);
  assert.is(userError(() => fillTemplate('{x}', 'x')).code, ErrorCode.templatesInvalid);
});

test.run();
