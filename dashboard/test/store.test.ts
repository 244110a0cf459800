// @vitest-environment jsdom
/** The query cache: a fetch that settles before the component subscribes still renders its data. */
import { describe, expect, it } from 'vitest';
import { h, render } from 'preact';
import { resetStore, useResource } from '../src/hooks/store.js';

function Shows({ id, fetcher }: { id: string; fetcher: () => Promise<string> }) {
  const { data } = useResource(id, fetcher);
  return h('p', null, data ?? 'loading');
}

describe('store', () => {
  it('renders data whose fetch settled between render and subscription', async () => {
    resetStore();
    const root = document.createElement('div');
    // Preact's own render (no act()): effects run after paint, the resolved fetch settles first.
    render(h(Shows, { id: 'fast', fetcher: () => Promise.resolve('ready') }), root);
    await new Promise((r) => setTimeout(r, 250));
    expect(root.textContent).toBe('ready');
  });

  it('re-renders every reader when a slow fetch settles', async () => {
    resetStore();
    const root = document.createElement('div');
    let settle!: (v: string) => void;
    const slow = () => new Promise<string>((r) => (settle = r));
    render(
      h(
        'div',
        null,
        h(Shows, { id: 'slow', fetcher: slow }),
        h(Shows, { id: 'slow', fetcher: slow }),
      ),
      root,
    );
    await new Promise((r) => setTimeout(r, 250));
    expect(root.textContent).toBe('loadingloading');
    settle('done');
    await new Promise((r) => setTimeout(r, 250));
    expect(root.textContent).toBe('donedone');
  });
});
