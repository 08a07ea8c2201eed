/**
 * Headless Chromium for page tests, driven over the DevTools protocol on
 * --remote-debugging-pipe (fd 3: commands in, fd 4: replies and events out, each
 * message JSON ending in a NUL byte), so no WebSocket client is needed.
 *
 * findChromium() looks for the browser; on a fresh Debian machine where the tests run
 * as root it installs Debian's `chromium` package itself (saying so on stderr), so
 * `npm ci && npm test` works there; anywhere else it fails with what to install.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    process.stderr.write('test/support/chromium.ts: Chromium not found; installing it: apt-get update && apt-get install -y chromium\n');
    const result = spawnSync('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 15 * 60 * 1000,
    });
    const installed = CANDIDATES.find((path) => existsSync(path));
    if (result.status === 0 && installed) return installed;
    throw new Error(`installing chromium with apt-get failed (exit ${result.status}); install it by hand: apt-get install -y chromium`);
  }
  throw new Error('Chromium is needed for the page tests and was not found: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH');
}

export interface PageEvents {
  /** console.* calls: type (log, error, warning, ...) and text. */
  console: { type: string; text: string }[];
  /** Uncaught exceptions. */
  exceptions: string[];
  /** Browser log entries (failed loads, CSP violations, ...). */
  logs: { level: string; text: string; url?: string }[];
  /** alert/confirm/prompt dialogs that opened (each is accepted). */
  dialogs: string[];
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export interface OpenOptions {
  javascript?: boolean;
  width?: number;
  height?: number;
  /** Milliseconds to wait for the load event. */
  timeout?: number;
}

export class Page {
  readonly events: PageEvents = { console: [], exceptions: [], logs: [], dialogs: [] };
  constructor(private readonly browser: Chromium, readonly sessionId: string, readonly targetId: string) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    const details = reply.exceptionDetails as { text?: string; exception?: { description?: string } } | undefined;
    if (details) throw new Error(`page evaluation failed: ${details.exception?.description ?? details.text}`);
    return (reply.result as { value: T }).value;
  }

  /** PNG of the page from the top, at most `maxHeight` CSS pixels tall. */
  async screenshot(maxHeight = 2400): Promise<Buffer> {
    const metrics = await this.send('Page.getLayoutMetrics');
    const content = metrics.cssContentSize as { width: number; height: number };
    const layout = metrics.cssLayoutViewport as { clientWidth: number };
    const reply = await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: layout.clientWidth, height: Math.min(content.height, maxHeight), scale: 1 },
    });
    return Buffer.from(String(reply.data), 'base64');
  }

  handle(message: Message): void {
    const params = message.params ?? {};
    switch (message.method) {
      case 'Runtime.consoleAPICalled': {
        const args = (params.args as { value?: unknown; description?: string }[] | undefined) ?? [];
        this.events.console.push({ type: String(params.type), text: args.map((arg) => String((arg.value as string | number | boolean | null | undefined) ?? arg.description ?? '')).join(' ') });
        break;
      }
      case 'Runtime.exceptionThrown': {
        const details = params.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.events.exceptions.push(details.exception?.description ?? details.text ?? 'exception');
        break;
      }
      case 'Log.entryAdded': {
        const entry = params.entry as { level: string; text: string; url?: string };
        this.events.logs.push({ level: entry.level, text: entry.text, url: entry.url });
        break;
      }
      case 'Page.javascriptDialogOpening':
        this.events.dialogs.push(String(params.message));
        void this.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
        break;
      default:
        this.browser.emitPageEvent(this, message);
    }
  }

  /** Every error-level signal: console errors, exceptions, error logs. */
  errors(): string[] {
    return [
      ...this.events.console.filter((entry) => entry.type === 'error' || entry.type === 'assert').map((entry) => `console.${entry.type}: ${entry.text}`),
      ...this.events.exceptions.map((text) => `exception: ${text}`),
      ...this.events.logs.filter((entry) => entry.level === 'error').map((entry) => `log: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`),
    ];
  }
}

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly pages = new Map<string, Page>();
  private readonly waiters: { sessionId: string; method: string; resolve: () => void }[] = [];
  private buffer = Buffer.alloc(0);
  private stderr = '';

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    const output = child.stdio[4] as Readable;
    output.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`chromium exited; stderr tail:\n${this.stderr}`));
      this.pending.clear();
    });
  }

  static async launch(): Promise<Chromium> {
    const executable = findChromium();
    const profile = mkdtempSync(join(tmpdir(), 'msclip-chromium-'));
    const child = spawn(executable, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio',
      `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Chromium(child, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message: Message = { id, method, params, ...(sessionId ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end: number;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(end + 1);
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result ?? {});
      } else if (message.sessionId) {
        this.pages.get(message.sessionId)?.handle(message);
      }
    }
  }

  emitPageEvent(page: Page, message: Message): void {
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      const waiter = this.waiters[index];
      if (waiter.sessionId === page.sessionId && waiter.method === message.method) {
        this.waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  private waitFor(sessionId: string, method: string, timeout: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${method}`)), timeout);
      this.waiters.push({ sessionId, method, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  /** Opens `url` in a new tab, with every event recorded from before navigation. */
  async open(url: string, options: OpenOptions = {}): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' }) as { targetId: string };
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string };
    const page = new Page(this, sessionId, targetId);
    this.pages.set(sessionId, page);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width: options.width ?? 1280, height: options.height ?? 900, deviceScaleFactor: 1, mobile: false });
    if (options.javascript === false) await page.send('Emulation.setScriptExecutionDisabled', { value: true });
    const loaded = this.waitFor(sessionId, 'Page.loadEventFired', options.timeout ?? 20000);
    await page.send('Page.navigate', { url });
    await loaded;
    // Late errors (a failed image load, a deferred handler) arrive just after load.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    const wait = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());
    this.send('Browser.close').catch(() => {});
    await Promise.race([exited, wait(5000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await Promise.race([exited, wait(2000)]);
    }
    try {
      rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // A leftover temporary profile is harmless.
    }
  }
}
