/**
 * The report entry point (`import { buildReport } from 'msclip-bench/reports'`):
 * records -> leaderboard site. Kept apart from the library entry so that inference
 * users do not load vega, resvg and handlebars.
 */
export { buildReport } from './build.ts';
