/** jsdom has no matchMedia, which uPlot reads when loaded: give it the answer of a plain screen. */
window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  addEventListener() {},
  removeEventListener() {},
  addListener() {},
  removeListener() {},
})) as unknown as typeof window.matchMedia;
