// `import bytes from '…/x.wasm'`: esbuild's binary loader turns the file into a Uint8Array (ts/browser.ts).
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
