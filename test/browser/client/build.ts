// Bundles the host page (boot.tsx and the shared modules it gives plugins) with esbuild into a
// folder outside the work tree. React and the @grafana packages are built for production, as the
// Grafana release the plugin targets ships them.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function buildHostBundle(outDir = mkdtempSync(join(tmpdir(), 'matviewops-host-'))): Promise<string> {
  await build({
    entryPoints: { host: join(__dirname, 'boot.tsx') },
    outdir: outDir,
    bundle: true,
    // ES modules with code splitting: what @grafana/ui loads lazily (the code editor) stays in chunks.
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.svg': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.png': 'file' },
    logLevel: 'error',
  });
  return outDir;
}
