/**
 * One registry per kind (models, datasets, template sets, evaluation tasks): entries
 * found by canonical name or alias, case-insensitively, and an unknown name answered
 * with a "did you mean" error that lists what is known.
 *
 * Imports only core/.
 */
import { unknownNameError } from './errors.ts';

export interface Named {
  /** Canonical name: what records and messages use. */
  readonly name: string;
  readonly aliases?: readonly string[];
}

export class Registry<T extends Named> {
  private readonly entries: T[] = [];
  private readonly byKey = new Map<string, T>();

  /** `kind` names the entries in messages ("model", "dataset", "template set"). */
  constructor(readonly kind: string, entries: Iterable<T> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds an entry; its name and aliases must be new, case-insensitively. */
  add(entry: T): T {
    const keys = [entry.name, ...(entry.aliases ?? [])].map(keyOf);
    for (const [index, key] of keys.entries()) {
      if (this.byKey.has(key) || keys.indexOf(key) !== index) {
        throw new Error(`${this.kind} registry: "${[entry.name, ...(entry.aliases ?? [])][index]}" is already registered`);
      }
    }
    this.entries.push(entry);
    for (const key of keys) this.byKey.set(key, entry);
    return entry;
  }

  /** Every entry, in registration order. */
  list(): readonly T[] {
    return this.entries;
  }

  names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  /** The entry for a name or alias (case-insensitive, trimmed), or undefined. */
  lookup(name: string): T | undefined {
    return this.byKey.get(keyOf(name));
  }

  /** Like lookup, but an unknown name is a UserError with a "did you mean". */
  find(name: string): T {
    const entry = this.lookup(name);
    if (entry === undefined) throw unknownNameError(this.kind, name, this.names());
    return entry;
  }
}

function keyOf(name: string): string {
  return name.trim().toLowerCase();
}
