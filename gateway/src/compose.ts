// Composes the supergraph at build time (STYLE.md habit 6): each subgraph's SDL is printed from its
// code into services/<name>/schema.graphql, then @apollo/composition writes gateway/supergraph.graphql.
// `--check` regenerates in memory and fails if either is stale.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPHS } from './subgraphs';

const REPO = join(__dirname, '..', '..');
export const SUPERGRAPH_PATH = join(REPO, 'gateway', 'supergraph.graphql');

/** Prints a subgraph's SDL in its own process (Nest's GraphQL type registry is process-global). */
export function printSubgraph(name: string): string {
  const result = spawnSync(process.execPath, ['-r', join(REPO, 'tools', 'register.js'), join(REPO, 'tools', 'subgraph-sdl.ts'), name], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`printing the ${name} subgraph failed:\n${result.stderr}`);
  return result.stdout.slice(result.stdout.indexOf('extend schema'));
}

export function composeSupergraph(sdls: Record<string, string>): string {
  const result = composeServices(SUBGRAPHS.map((s) => ({ name: s.name, url: s.defaultUrl, typeDefs: parse(sdls[s.name]) })));
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl.trimEnd() + '\n';
}

function main(check: boolean): void {
  const sdls: Record<string, string> = {};
  const stale: string[] = [];
  for (const { name } of SUBGRAPHS) {
    const sdl = printSubgraph(name).trimEnd() + '\n';
    sdls[name] = sdl;
    const file = join(REPO, 'services', name, 'schema.graphql');
    if (check) {
      if (readOr(file) !== sdl) stale.push(`services/${name}/schema.graphql`);
    } else writeFileSync(file, sdl);
  }
  const supergraph = composeSupergraph(sdls);
  if (check) {
    if (readOr(SUPERGRAPH_PATH) !== supergraph) stale.push('gateway/supergraph.graphql');
    if (stale.length > 0) {
      process.stderr.write(`stale: ${stale.join(', ')}; run 'npm run supergraph:compose' and commit\n`);
      process.exit(1);
    }
    process.stdout.write('supergraph: up to date\n');
  } else {
    writeFileSync(SUPERGRAPH_PATH, supergraph);
    process.stdout.write(`supergraph: composed ${SUBGRAPHS.length} subgraphs into gateway/supergraph.graphql\n`);
  }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

if (require.main === module) main(process.argv.includes('--check'));
