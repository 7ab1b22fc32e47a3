// The WebAssembly types the published .d.ts name. TypeScript declares WebAssembly only in its DOM
// lib, so a Node-only project (lib es2022, types node) would not know them; these merge with the DOM
// lib's declarations where it is loaded and stand alone where it is not. Types only: tsc emits this
// file as dist/types/webassembly.d.ts, which dist/types/api.d.ts references; nothing runs it.
declare global {
  namespace WebAssembly {
    interface Module {}
    interface Memory {}
    interface Table {}
  }
}

export {};
