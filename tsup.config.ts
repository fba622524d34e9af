import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'dataset/index': 'src/dataset/index.ts',
    'pdu/index': 'src/pdu/index.ts',
    'association/index': 'src/association/index.ts',
    'dimse/index': 'src/dimse/index.ts',
    'services/index': 'src/services/index.ts',
    // not exported by package.json: synthetic data for scripts/make-samples.mjs, the demo and benches
    'samples/index': 'src/samples/index.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
})
