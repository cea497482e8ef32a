import { build } from 'esbuild'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  copyFileSync,
  writeFileSync,
  readFileSync,
} from 'node:fs'
import path from 'node:path'

/**
 * Bundles each cloud function with the domain and typings it imports, so that every folder of
 * dist/cloudfunctions deploys on its own. Only the CloudBase SDK stays a dependency: CloudBase
 * installs it from the folder's package.json.
 */
const root = path.resolve(__dirname, '..')
const sourceRoot = path.join(root, 'cloudfunctions')
const outputRoot = path.join(root, 'dist', 'cloudfunctions')
const sharedFolders = new Set(['domain', 'platform'])
const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

export function listFunctionNames(): string[] {
  return readdirSync(sourceRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !sharedFolders.has(entry.name))
    .filter((entry) => existsSync(path.join(sourceRoot, entry.name, 'index.ts')))
    .map((entry) => entry.name)
}

export async function buildFunctions(): Promise<string[]> {
  const names = listFunctionNames()

  await Promise.all(names.map((name) => buildFunction(name)))

  return names
}

async function buildFunction(name: string): Promise<void> {
  const outputDir = path.join(outputRoot, name)
  mkdirSync(outputDir, { recursive: true })

  await build({
    entryPoints: [path.join(sourceRoot, name, 'index.ts')],
    outfile: path.join(outputDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node16',
    format: 'cjs',
    external: ['@cloudbase/node-sdk'],
    sourcemap: 'linked',
    logLevel: 'warning',
  })

  const manifest = {
    name,
    version: rootManifest.version,
    private: true,
    main: 'index.js',
    dependencies: { '@cloudbase/node-sdk': rootManifest.dependencies['@cloudbase/node-sdk'] },
  }
  writeFileSync(path.join(outputDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)

  const triggers = path.join(sourceRoot, name, 'config.json')
  if (existsSync(triggers)) copyFileSync(triggers, path.join(outputDir, 'config.json'))
}

const isRunDirectly = process.argv[1] && path.resolve(process.argv[1]) === __filename
if (isRunDirectly) {
  const startedAt = Date.now()
  buildFunctions().then(
    (names) => console.log(`[build] functions ${names.join(', ')} in ${Date.now() - startedAt} ms`),
    (error: unknown) => {
      console.error('[build] functions failed', error)
      process.exitCode = 1
    },
  )
}
