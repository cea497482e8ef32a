import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'

const repoRoot = path.resolve(__dirname, '../..')

// typings/ lives outside the Taro source root and is TypeScript, so both builds must compile it.
const sharedSources = [path.join(repoRoot, 'typings')]

export default defineConfig<'webpack5'>(async (merge, { command }) => {
  const isWatching = command === 'build' && process.argv.includes('--watch')

  const base: UserConfigExport<'webpack5'> = {
    projectName: 'tongka',
    date: '2025-1-1',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: path.join(repoRoot, 'dist', process.env.TARO_ENV ?? 'weapp'),
    plugins: [],
    defineConstants: {
      'process.env.TARO_APP_CLOUD_ENV': JSON.stringify(process.env.TARO_APP_CLOUD_ENV ?? ''),
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: isWatching },
    mini: {
      compile: { include: sharedSources },
      webpackChain(chain, webpack) {
        // WeChat's engine lacks TextEncoder on older base libraries; the card code hashes with it.
        const encoderModule = path.join(__dirname, '../src/platform/text-encoder.ts')
        chain
          .plugin('provideTextEncoder')
          .use(webpack.ProvidePlugin, [{ TextEncoder: [encoderModule, 'Utf8TextEncoder'] }])
      },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'browser' },
      compile: { include: sharedSources },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
  }

  return merge({}, base)
})
