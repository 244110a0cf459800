/** `top`'s keys: raw key input → an action on the view, or `quit`. Pure. */
import type { Action } from './state.js';

/** What a key press does (undefined: nothing). */
export function keyAction(key: string): Action | 'quit' | undefined {
  switch (key) {
    case 'q':
    case 'Q':
    case '\x03': // Ctrl-C in raw mode
    case '\x1b': // Esc
      return 'quit';
    case 'j':
    case '\x1b[B':
      return { type: 'move', by: 1 };
    case 'k':
    case '\x1b[A':
      return { type: 'move', by: -1 };
    case 's':
      return { type: 'sort' };
    default:
      return undefined;
  }
}

/** Splits one chunk of raw input into keys (escape sequences stay whole). */
export function splitKeys(chunk: string): string[] {
  // ESC [ A..D are the arrow keys.
  // eslint-disable-next-line no-control-regex
  return chunk.match(/\x1b\[[A-D]|[\s\S]/g) ?? [];
}
