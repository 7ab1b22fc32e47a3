// Minimal jest transformer: esbuild strips types and converts ESM to CommonJS for jest's runtime.
// `import.meta.url` (used by ts/node/ to find wasm/) becomes the CommonJS file URL of the module.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'both',
      sourcefile: filename,
      define: { 'import.meta.url': '__import_meta_url' },
      banner: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;",
    });
    return { code, map };
  },
};
