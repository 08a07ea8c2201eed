/**
 * The HTML pages: Handlebars templates under reports/templates/ in a private
 * Handlebars instance, compiled in strict mode so a misspelt field fails the build
 * instead of printing nothing. Data is printed with {{ }} only; the triple-stash
 * {{{ }}} is used for three trusted inputs: the page's CSS, its script, and chart SVG
 * rendered by Vega (which escapes every data string it writes, see render.ts).
 * A Content-Security-Policy allows exactly the page's own script (by hash) and no
 * external resource, so a page works offline and from file://.
 */
import { projectPath } from '../core/project.ts';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';

const templateDirectory = projectPath('reports', 'templates');

export interface ChartView {
  name: string;
  svg: string;
  svgFile: string;
  pngFile: string;
  specFile: string;
  specKind: 'Vega' | 'Vega-Lite';
}

export interface PageAssets {
  css: string;
  script: string;
  /** CSP source for the inline script: 'sha256-<base64>'. */
  scriptHash: string;
}

let compiled: { index: HandlebarsTemplateDelegate; benchmark: HandlebarsTemplateDelegate; 'few-shot': HandlebarsTemplateDelegate; assets: PageAssets } | undefined;

function load(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  const partials = join(templateDirectory, 'partials');
  for (const file of readdirSync(partials).filter((name) => name.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(partials, file), 'utf8'));
  }
  const options = { strict: true };
  const script = readFileSync(join(templateDirectory, 'page.js'), 'utf8');
  compiled = {
    index: handlebars.compile(readFileSync(join(templateDirectory, 'page.hbs'), 'utf8'), options),
    benchmark: handlebars.compile(readFileSync(join(templateDirectory, 'benchmark.hbs'), 'utf8'), options),
    'few-shot': handlebars.compile(readFileSync(join(templateDirectory, 'few-shot.hbs'), 'utf8'), options),
    assets: {
      css: readFileSync(join(templateDirectory, 'page.css'), 'utf8'),
      script,
      scriptHash: `sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}`,
    },
  };
  return compiled;
}

type HandlebarsTemplateDelegate = (context: unknown) => string;

/** Renders reports/templates/page.hbs (which = 'index'), benchmark.hbs or few-shot.hbs. */
export function renderPage(which: 'index' | 'benchmark' | 'few-shot', context: Record<string, unknown>): string {
  const templates = load();
  return templates[which]({ ...context, assets: templates.assets });
}
