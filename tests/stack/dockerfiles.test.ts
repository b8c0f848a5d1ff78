import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeConfig, ROOT } from './stack-files.ts';

interface Instruction {
  op: string;
  args: string[];
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(path: string): Instruction[] {
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest };
    });
}

/** Relative imports (static, dynamic, side-effect) of a TS/JS source. */
const RELATIVE_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Folders read by Fastify autoload rather than imported, keyed by the file that registers them. */
const AUTOLOADED: Record<string, string> = { 'controller/app.ts': 'controller/routes' };

function sourcesIn(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f))
    .map((f) => join(folder, f));
}

/** Every repository file a process can load: the import closure of its entry, autoloaded folders included. */
function loadableFiles(...entries: string[]): Set<string> {
  const queue = entries.map((entry) => join(ROOT, entry));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT))
      queue.push(resolve(dirname(file), match[1]!));
    const autoloaded = AUTOLOADED[relative(ROOT, file)];
    if (autoloaded) queue.push(...sourcesIn(join(ROOT, autoloaded)));
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

/** Module scripts of an HTML page, as repository paths (what Vite bundles from it). */
function pageScripts(page: string): string[] {
  const html = readFileSync(join(ROOT, page), 'utf8');
  return [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) =>
    relative(ROOT, resolve(dirname(join(ROOT, page)), m[1]!)),
  );
}

/** Sources a stage COPYs from the build context (not from other stages). */
function copiedIn(stage: Instruction[]): string[] {
  return stage
    .filter((s) => s.op === 'COPY' && !s.args.some((a) => a.startsWith('--from=')))
    .flatMap((s) => s.args.filter((a) => !a.startsWith('--')).slice(0, -1));
}

function uncovered(files: Iterable<string>, copied: string[]): string[] {
  return [...files].filter(
    (file) => !copied.some((source) => (source.endsWith('/') ? file.startsWith(source) : file === source)),
  );
}

const { config } = await composeConfig();
const dockerfiles = Object.entries(config.services)
  .filter(([, service]) => service.build)
  .map(([name, service]) => ({ name, path: join(service.build!.context, service.build!.dockerfile) }));

describe.each(dockerfiles)('$name Dockerfile', ({ path }) => {
  const steps = instructions(path);

  it('copies only files that exist in the repository', () => {
    const copies = steps.filter((s) => s.op === 'COPY' && !s.args.some((a) => a.startsWith('--from=')));
    expect(copies.length).toBeGreaterThan(0);
    for (const { args } of copies) {
      for (const source of args.filter((a) => !a.startsWith('--')).slice(0, -1)) {
        expect(existsSync(join(ROOT, source)), source).toBe(true);
      }
    }
  });

  it('runs a process entry that exists, with tsx, on Node 22 or 24 LTS', () => {
    const cmd = steps.filter((s) => s.op === 'CMD').at(-1);
    const argv = JSON.parse(cmd!.args.join(' ')) as string[];
    expect(argv.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    expect(existsSync(join(ROOT, argv[3]!)), argv[3]).toBe(true);
    const nodeImage = steps.find((s) => s.op === 'ARG' && s.args[0]!.startsWith('NODE_IMAGE='));
    expect(nodeImage?.args[0]).toMatch(/^NODE_IMAGE=node:(22|24)-bookworm-slim$/);
  });

  it('copies every file the process can load into the final image', () => {
    const finalStage = steps.slice(steps.findLastIndex((s) => s.op === 'FROM'));
    const cmd = JSON.parse(
      steps
        .filter((s) => s.op === 'CMD')
        .at(-1)!
        .args.join(' '),
    ) as string[];
    const files = loadableFiles(cmd[3]!);
    expect(files.size).toBeGreaterThan(1);
    expect(uncovered(files, copiedIn(finalStage))).toEqual([]);
  });

  it('is multi-stage and runs as a non-root user', () => {
    expect(steps.filter((s) => s.op === 'FROM').length).toBeGreaterThan(1);
    expect(steps.filter((s) => s.op === 'USER').at(-1)?.args).toEqual(['node']);
  });
});

describe('controller Dockerfile, pages stage', () => {
  const path = dockerfiles.find((d) => d.name === 'controller')!.path;
  const steps = instructions(path);

  it('has every source of the template and the operator pages for the Vite build', () => {
    const start = steps.findIndex((s) => s.op === 'FROM' && s.args.includes('pages'));
    expect(start).toBeGreaterThan(0);
    const end = steps.findIndex((s, i) => i > start && s.op === 'FROM');
    const stage = steps.slice(start, end);
    expect(stage.some((s) => s.op === 'RUN' && s.args.join(' ').includes('vite build'))).toBe(true);
    // The contract's pages: template/index.html and web/*.html, each bundled from its module scripts.
    const pages = [
      'template/index.html',
      ...readdirSync(join(ROOT, 'web'))
        .filter((f) => f.endsWith('.html'))
        .map((f) => `web/${f}`),
    ];
    const scripts = pages.flatMap(pageScripts);
    expect(scripts.length).toBeGreaterThanOrEqual(pages.length);
    const copied = copiedIn(stage);
    expect(uncovered(['vite.config.ts', ...pages, ...loadableFiles(...scripts)], copied)).toEqual([]);
  });
});

describe('compose healthchecks', () => {
  it('run files the images contain', () => {
    const worker = config.services.worker!.healthcheck!.test as string[];
    const script = worker.at(-1)!;
    expect(existsSync(join(ROOT, script))).toBe(true);
    const workerDockerfile = dockerfiles.find((d) => d.name === 'worker')!.path;
    expect(instructions(workerDockerfile).some((s) => s.op === 'COPY' && s.args[0] === script)).toBe(true);
  });
});
