// Vite builds a `?worker&url` import as its own bundle and gives its URL: how the mixer's worklet module
// (with its DSP imports) reaches audioWorklet.addModule in every renderer. vite/client declares it too, but
// the browser typecheck runs without Vite's types.
declare module '*?worker&url' {
  const url: string;
  export default url;
}
